"""A migration preview quotes no case data, to anyone, and logs its reads (issue 13,
finding 5: a start form with "pattern": "^$" on the name quoted every case's name to admin,
who otherwise sees no personal data, and no read was logged)."""
import json
from io import BytesIO
from pathlib import Path

import pytest
from sqlalchemy import select

from engine.db.models import AuditEvent
from tests.webui.test_migration_web import start

pytestmark = pytest.mark.usefixtures("new_versions_removed")
PROCESSES = Path(__file__).resolve().parents[2] / "processes"


def _hostile_start_form() -> bytes:
    form = json.loads((PROCESSES / "forms" / "soknad.json").read_text())
    form["properties"]["navn"]["pattern"] = "^$"  # every name breaks it
    form["properties"]["fodselsdato"]["not"] = {"type": "string"}  # a rule without a message
    return json.dumps(form).encode()


def test_a_preview_names_field_and_rule_but_never_a_value(api, browser, engine_do):
    cases = [start(engine_do) for _ in range(2)]
    unit = api("koordinerende1")
    response = unit.post("/api/v1/processes/ip_sak/versions", data={"files": [
        (BytesIO((PROCESSES / "ip_sak.bpmn").read_bytes()), "ip_sak.bpmn"),
        (BytesIO(_hostile_start_form()), "soknad.json")]}, content_type="multipart/form-data")
    assert response.status_code == 201, response.json
    secrets = ("Kari Nordmann", "1970-03-01")

    answer = api("admin1").post("/api/v1/processes/ip_sak/migrations", json={})
    assert answer.status_code == 200, answer.json
    text = answer.get_data(as_text=True)
    assert not any(secret in text for secret in secrets), text
    problems = {(p["field"], p["message"]) for c in answer.json["cases"]
                for p in c["data_problems"] or []}
    assert ("navn", "Verdien har ikke riktig form") in problems
    assert ("fodselsdato", "Verdien følger ikke regelen «not»") in problems

    page = browser("admin1").get("/processes/ip_sak/migrations")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "navn" in html and not any(secret in html for secret in secrets)

    reads = engine_do(lambda ctx: [(e.actor, e.case_id) for e in ctx.session.scalars(
        select(AuditEvent).where(AuditEvent.kind == "case_read").order_by(AuditEvent.id))
        if e.details.get("purpose") == "migration preview"])
    for case_id, _number in cases:  # each preview (API and page) logged each case it read
        assert reads.count(("admin1", case_id)) == 2
