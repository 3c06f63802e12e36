"""The operators/certifications JSON API and CSV import (valid rows, or all or nothing)."""
import pytest

from central.db import database
from central.models import Certification, Operator, WorkCentre
from central.operators import create_operator, create_skill
from central.people_import import import_certifications, import_operators


@pytest.fixture
def skills(db):
    create_skill("WELD")
    create_skill("FORK")
    create_operator("OP-1", "Ann")


def test_operator_crud_and_errors_name_the_field(api):
    resp = api.post("/api/v1/operators", json={"badge": "OP-7", "name": "Cem"})
    assert resp.status_code == 201 and resp.get_json() == {"badge": "OP-7", "name": "Cem", "active": True}
    resp = api.post("/api/v1/operators", json={"badge": "OP-7", "name": "Dup"})
    assert resp.status_code == 409 and resp.get_json()["field"] == "badge"
    resp = api.patch("/api/v1/operators/OP-7", json={"active": False})
    assert resp.get_json()["active"] is False
    assert api.get("/api/v1/operators?active=false").get_json()["operators"][0]["badge"] == "OP-7"
    resp = api.get("/api/v1/operators/OP-404")
    assert resp.status_code == 404 and resp.get_json()["field"] == "badge"


def test_certification_api(api):
    api.post("/api/v1/skills", json={"code": "WELD"})
    api.post("/api/v1/operators", json={"badge": "OP-7"})
    resp = api.post("/api/v1/certifications", json={"badge": "OP-7", "skill": "WELD", "level": 2,
                                                    "issued": "2026-01-01", "expires": "2025-12-31"})
    assert resp.status_code == 400 and resp.get_json()["field"] == "expires"
    resp = api.post("/api/v1/certifications", json={"badge": "OP-8", "skill": "WELD", "issued": "2026-01-01"})
    assert resp.status_code == 404 and resp.get_json()["field"] == "badge"
    resp = api.post("/api/v1/certifications", json={"badge": "OP-7", "skill": "WELD", "level": 2,
                                                    "issued": "2026-01-01", "expires": "2026-12-31",
                                                    "issued_by": "Trainer T"})
    assert resp.status_code == 201
    cert = resp.get_json()
    assert cert["skill"] == "WELD" and cert["expires"] == "2026-12-31"
    resp = api.patch(f"/api/v1/certifications/{cert['id']}", json={"expires": "2027-01-31"})
    assert resp.get_json()["expires"] == "2027-01-31"
    assert api.get("/api/v1/operators/OP-7").get_json()["certifications"][0]["id"] == cert["id"]
    assert api.get("/api/v1/certifications/expiring?days=30").status_code == 200
    assert api.get("/api/v1/certifications/expiring?days=x").get_json()["field"] == "days"


def test_machines_and_work_centre_requirements(api):
    with database.connection_context():
        WorkCentre.create(code="WC-1")
    api.post("/api/v1/skills", json={"code": "WELD"})
    resp = api.put("/api/v1/work-centres/WC-1/skills", json={"skills": [{"skill": "WELD", "min_level": 2}]})
    assert resp.get_json()["skills"] == [{"skill": "WELD", "min_level": 2, "source": "work_centre:WC-1"}]
    resp = api.post("/api/v1/machines", json={"code": "M-1", "work_centre": "WC-1", "skills": [{"skill": "NOPE"}]})
    assert resp.status_code == 404 and resp.get_json()["field"] == "skills[0].skill"
    assert api.get("/api/v1/machines").get_json()["machines"] == []  # nothing half-written
    resp = api.post("/api/v1/machines", json={"code": "M-1", "work_centre": "WC-1", "skills": [{"skill": "WELD"}]})
    assert resp.status_code == 201 and resp.get_json()["skills"][0]["source"] == "machine:M-1"


def test_writes_need_a_supervisor(app, client):
    from central.auth import create_user, issue_token
    with database.connection_context():
        token = issue_token(create_user("viewer1", "viewer lantern oak", "viewer"), "t")
    resp = client.post("/api/v1/operators", json={"badge": "OP-1"}, headers={"Authorization": f"Bearer {token}"})
    assert resp.status_code == 403
    assert client.get("/api/v1/operators", headers={"Authorization": f"Bearer {token}"}).status_code == 200


OPERATORS_CSV = """badge,name,active
OP-10,Ann,yes
OP-11,"Bob, the builder",
bad badge,Cat,
OP-10,Twice,
OP-1,Exists,
OP-12,Dee,maybe

OP-13,Eve,no
"""


def test_operator_import_valid_rows_reports_bad_lines(skills):
    result = import_operators(OPERATORS_CSV, "valid")
    assert result.imported == 3
    assert [(e["line"], e["field"]) for e in result.errors] == [
        (4, "badge"), (5, "badge"), (6, "badge"), (7, "active")]
    assert "already in use" in result.errors[1]["message"]
    assert {o.badge: o.active for o in Operator.select().where(Operator.badge != "OP-1")} == {
        "OP-10": True, "OP-11": True, "OP-13": False}


def test_operator_import_all_or_nothing_writes_nothing(skills):
    result = import_operators(OPERATORS_CSV, "all")
    assert result.imported == 0 and len(result.errors) == 4
    assert Operator.select().count() == 1
    assert import_operators("badge,name\nOP-20,Z\n", "all").imported == 1


def test_csv_header_problems_refuse_the_whole_file(skills):
    from central.errors import ValidationError
    for text, words in (("", "empty"), ("name\nAnn\n", "'badge' is required"), ("badge,shoe\n", "unknown column")):
        with pytest.raises(ValidationError) as exc:
            import_operators(text, "valid")
        assert exc.value.field == "file" and words in exc.value.message
    with pytest.raises(ValidationError) as exc:
        import_operators("badge\nOP-1\n", "some")
    assert exc.value.field == "mode"


CERTS_CSV = """badge,skill,level,issued,expires,issued_by
OP-1,WELD,2,2026-01-01,2026-12-31,Trainer
OP-404,WELD,1,2026-01-01,,
OP-1,JUGGLE,1,2026-01-01,,
OP-1,FORK,1,2026-05-01,2026-04-01,
OP-1,FORK,1,2026-13-01,,
OP-1,FORK
OP-1,FORK,,2026-02-01,,
"""


def test_certification_import_by_line(skills):
    result = import_certifications(CERTS_CSV, "valid")
    assert result.imported == 2
    assert [(e["line"], e["field"]) for e in result.errors] == [
        (3, "badge"), (4, "skill"), (5, "expires"), (6, "issued"), (7, None)]
    assert [(c.skill.code, c.level) for c in Certification.select().order_by(Certification.id)] == [
        ("WELD", 2), ("FORK", 1)]
    assert import_certifications(CERTS_CSV, "all").errors and Certification.select().count() == 2


def test_import_endpoints(api):
    api.post("/api/v1/operators", json={"badge": "OP-1"})
    resp = api.post("/api/v1/operators/import?mode=all", data=OPERATORS_CSV.encode(), content_type="text/csv")
    assert resp.status_code == 400 and resp.get_json()["imported"] == 0
    resp = api.post("/api/v1/operators/import?mode=valid", data=OPERATORS_CSV.encode(), content_type="text/csv")
    assert resp.status_code == 200 and resp.get_json()["imported"] == 3
    resp = api.post("/api/v1/certifications/import", data=b"", content_type="text/csv")
    assert resp.status_code == 400 and resp.get_json()["field"] == "file"
