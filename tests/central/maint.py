"""A small plant for the maintenance tests: an area with a line, two machines as assets, a skill,
technicians (one certified electrician, one mechanic) and stock for parts."""
from datetime import date, datetime
from decimal import Decimal as D

import pytest

from central.auth import create_user
from central.catalog import create_item, create_location
from central.certification import issue_certification
from central.inventory import Actor, receive
from central.maintenance import assets, staff
from central.models import Machine, Operator, Skill

MONDAY_9 = datetime(2026, 11, 23, 9, 0)  # a Monday, 09:00 UTC: the fixed clock of rule tests


@pytest.fixture
def shop(db):
    """Area A1 with line L1; assets PRESS-1 (machine M-1, on L1) and PUMP-2 (no machine, area A1);
    technicians ELEC (user ella, operator OP-E certified ELECTRICAL, 60/h) and MECH (user max, 45/h)."""
    assets.create_area("A1", "Hall 1")
    assets.create_area("A2", "Hall 2")
    assets.create_line("L1", "A1", "Line 1")
    Machine.create(code="M-1", name="Press 1")
    assets.create_asset("PRESS-1", name="Press 1", machine="M-1", line="L1", location="Bay 3", criticality="high")
    assets.create_asset("PUMP-2", name="Cooling pump", area="A1", criticality="medium")
    assets.create_asset("FAN-9", name="Roof fan", area="A2")
    Skill.create(code="ELECTRICAL", name="Electrical work")
    Operator.create(badge="OP-E", name="Ella")
    Operator.create(badge="OP-M", name="Max")
    issue_certification("OP-E", "ELECTRICAL", issued=date(2026, 1, 1), expires=date(2027, 1, 1))
    create_user("ella", "ella reads gauges at dawn", "technician", "Ella")
    create_user("max", "max oils seven gearboxes", "technician", "Max")
    staff.create_technician("ELEC", name="Ella", user="ella", operator="OP-E", hourly_rate="60")
    staff.create_technician("MECH", name="Max", user="max", operator="OP-M", hourly_rate="45")
    create_location({"code": "STORE", "role": "storage"})
    create_item({"code": "BEARING", "unit": "pcs", "costing": "fifo"})
    create_item({"code": "GREASE", "unit": "kg", "costing": "average", "batch_tracked": False})
    receive(item="BEARING", qty=D("10"), batch="BR-1", unit_cost=D("4.50"), actor=Actor(user="stores"))
    receive(item="BEARING", qty=D("10"), batch="BR-2", unit_cost=D("5.00"), actor=Actor(user="stores"))
    receive(item="GREASE", qty=D("5"), unit_cost=D("12"), actor=Actor(user="stores"))
    return db
