"""Central's tables, one module per concept. ``ALL_MODELS`` lists them in dependency order."""
from central.models.base import BaseModel, utcnow
from central.models.eventlog import EventRecord, Flag
from central.models.reference import Operator, ReasonCode, Skill, WorkCentre
from central.models.stations import Station
from central.models.users import ApiToken, RateCounter, User, WebSession
from central.models.stock import Batch, CostLayer, Item, Location, StockBalance
from central.models.production import (Recipe, RecipeInput, RecipeOutput, RecipeStage, WorkOrder,
                                       WorkOrderOutput, WorkOrderStage)
from central.models.ledger import ParkedIssue, StockMove, WorkOrderInput
from central.models.people import Certification, Machine, MachineSkill, StageAssignment, WorkCentreSkill
from central.models.reasons import ReasonEvent, StopMark
from central.models.labels import SsccLabel
from central.models.batchstatus import BatchStatusChange
from central.models.maintenance import (Area, Asset, Assignee, AssignmentRule, Contractor, Line, MaintenanceTemplate,
                                        MaintenanceWorkOrder, OnCall, Shift, Team, TeamMember, Technician,
                                        TemplateVersion, WorkRequest)
from central.models.maintenance_log import CheckResult, ContractorJob, FieldValue, LogEntry, PartUse, TimeEntry
from central.models.maintenance_floor import (BlockOverride, Downtime, MachineCounter, MaintenanceSchedule,
                                              Notification, ScheduleRun)

ALL_MODELS = [User, ApiToken, WebSession, RateCounter, WorkCentre, Skill, Operator, ReasonCode, Station, EventRecord, Flag]
ALL_MODELS += [Item, Location, Batch, StockBalance, CostLayer, Recipe, RecipeInput, RecipeOutput, RecipeStage,
               WorkOrder, WorkOrderStage, WorkOrderOutput, StockMove, WorkOrderInput, ParkedIssue]
ALL_MODELS += [Certification, Machine, WorkCentreSkill, MachineSkill, ReasonEvent, StopMark, StageAssignment]
ALL_MODELS += [SsccLabel]
ALL_MODELS += [BatchStatusChange]
ALL_MODELS += [Area, Line, Asset, Technician, Team, TeamMember, Shift, OnCall, Contractor, MaintenanceTemplate,
               TemplateVersion, MaintenanceWorkOrder, AssignmentRule, Assignee, WorkRequest, FieldValue, CheckResult,
               TimeEntry, LogEntry, PartUse, ContractorJob]
ALL_MODELS += [Downtime, MachineCounter, MaintenanceSchedule, ScheduleRun, BlockOverride, Notification]

__all__ = [m.__name__ for m in ALL_MODELS] + ["ALL_MODELS", "BaseModel", "utcnow"]
