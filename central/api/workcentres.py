"""JSON API for work centres: code, name, and the labour and overhead rates per minute costing charges."""
from __future__ import annotations

from flask import jsonify
from pydantic import Field

from central import workcentres
from central.api.blueprint import api
from central.api.people import Requirement
from central.api.schemas import (Code, DecimalOut, Money, Out, PageQuery, Query, Strict, Text, answers, follow,
                                 page_of, with_links)
from central.auth import require_role
from central.models import WorkCentre

WRITERS = ("supervisor", "planner")
RATE = "cost per minute of a stage here; null for none (costed as zero)"


class WorkCentrePath(Query):
    code: Code


class WorkCentreQuery(PageQuery):
    q: Text(64, description="code or name contains") | None = None


class WorkCentreCreate(Strict):
    code: Code = Field(description="work centre code, unique; stations and events name it")
    name: Text(128) = ""
    labour_rate: Money | None = Field(None, description="labour " + RATE)
    overhead_rate: Money | None = Field(None, description="overhead " + RATE)


class WorkCentreUpdate(Strict):
    """Only the fields sent change; the code never does."""

    name: Text(128) | None = None
    labour_rate: Money | None = Field(None, description="labour " + RATE)
    overhead_rate: Money | None = Field(None, description="overhead " + RATE)


class WorkCentreOut(Out):
    model_config = with_links(
        GetWorkCentre=follow("work_centres_get", "code"),
        UpdateWorkCentre=follow("work_centres_update", "code"),
        WorkCentreSkills=follow("work_centre_skills_get", "code"))

    code: Code
    name: str
    labour_rate: DecimalOut | None
    overhead_rate: DecimalOut | None


class WorkCentreDetail(WorkCentreOut):
    skills: list[Requirement] = Field(description="skills everyone working here must hold")
    machines: list[Code] = Field(description="machines in this work centre")
    stations: list[Code] = Field(description="stations at this work centre")


WorkCentrePage = page_of("work_centres", WorkCentreOut)


@api.get("/work-centres", responses=answers((200, WorkCentrePage)))
def work_centres_list(query: WorkCentreQuery):
    """Work centres by code; ``q`` matches code or name."""
    rows = workcentres.list_work_centres(query.q)
    page = rows.order_by(WorkCentre.code).limit(query.limit).offset(query.offset)
    return jsonify({"work_centres": [workcentres.work_centre_dict(c) for c in page], "total": rows.count(),
                    "limit": query.limit, "offset": query.offset})


@api.post("/work-centres", responses=answers((201, WorkCentreDetail), 409))
@require_role(*WRITERS)
def work_centres_create(body: WorkCentreCreate):
    """Add a work centre with its labour and overhead rates per minute."""
    centre = workcentres.create_work_centre(body.model_dump(mode="json", exclude_unset=True))
    return jsonify(workcentres.work_centre_dict(centre, detail=True)), 201


@api.get("/work-centres/<code>", responses=answers((200, WorkCentreDetail), 404))
def work_centres_get(path: WorkCentrePath):
    """One work centre with its machines, stations and required skills."""
    return jsonify(workcentres.work_centre_dict(workcentres.get_work_centre(path.code), detail=True))


@api.patch("/work-centres/<code>", responses=answers((200, WorkCentreDetail), 404))
@require_role(*WRITERS)
def work_centres_update(path: WorkCentrePath, body: WorkCentreUpdate):
    """Change ``name``, ``labour_rate`` or ``overhead_rate`` (null clears a rate); settled work orders keep their costs."""
    centre = workcentres.update_work_centre(path.code, body.model_dump(mode="json", exclude_unset=True))
    return jsonify(workcentres.work_centre_dict(centre, detail=True))
