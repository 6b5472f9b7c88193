"""Moving running cases to a new process version from the web UI (/processes/<key>/migrations)
and the API (POST /api/v1/processes/<key>/migrations): preview, move some or all, refusals
with their reason, and 403 for everyone but the coordinating unit and admin."""
from io import BytesIO

import lxml.html
import pytest
from sqlalchemy import select

from engine.accounts.users import get_user
from engine.cases import casework
from engine.db.models import HumanTask, ProcessInstance, Timer
from engine.scheduling.sweep import sweep_once
from engine.worklist import humantasks
from tests.engine.test_migration import (
    APPLICATION,
    ASSESSMENT,
    NEW_NAME,
    OLD_NAME,
    changed_ip_sak,
    without_kartlegging,
)
from tests.ip_sak_duration_timers import duration_timer_text

pytestmark = pytest.mark.usefixtures("new_versions_removed")


@pytest.fixture
def unit(api):
    return api("koordinerende1")


def deploy(unit, content: bytes) -> int:
    response = unit.post("/api/v1/processes/ip_sak/versions",
                         data={"files": [(BytesIO(content), "ip_sak.bpmn")]},
                         content_type="multipart/form-data")
    assert response.status_code == 201, response.json
    return response.json["version"]


@pytest.fixture(autouse=True)
def duration_timers(new_versions_removed, unit):
    """The cases start on ip_sak with duration timers (tests/ip_sak_duration_timers.py), the
    version test_migration.changed_ip_sak changes."""
    return deploy(unit, duration_timer_text().encode())


def start(engine_do) -> tuple[int, str]:
    def run(ctx):
        case = casework.start_case(ctx, APPLICATION, get_user(ctx, "saksbehandler1"))
        return case.id, case.case_number
    return engine_do(run)


def version_of(engine_do, case_id: int) -> int:
    return engine_do(lambda ctx: ctx.session.scalar(select(ProcessInstance).where(
        ProcessInstance.case_id == case_id)).version.version)


def page(response):
    assert response.status_code == 200, response.get_data(as_text=True)
    return lxml.html.fromstring(response.get_data(as_text=True))


def row(doc, case_number):
    [found] = doc.xpath(f'//tr[@data-case-number="{case_number}"]')
    return found


def migrated(doc) -> list[str]:
    return [r.get("data-case-number")
            for r in doc.xpath('//table[@id="migrated"]//tr[@data-case-number]')]


def hidden_seen(doc) -> dict[str, str]:
    return {i.get("name"): i.get("value")
            for i in doc.xpath('//form[@id="migration-form"]//input[starts-with(@name, "seen-")]')}


def test_the_unit_previews_and_moves_chosen_cases_then_all(web_env, browser, unit, engine_do):
    early_id, early = start(engine_do)
    web_env.clock.advance(days=21)
    engine_do(sweep_once)  # the early case now waits for an interim reply
    later_id, later = start(engine_do)
    v2 = deploy(unit, changed_ip_sak())
    client = browser("koordinerende1")

    doc = page(client.get("/processes/ip_sak/migrations"))
    assert f"versjon {v2}" in doc.findtext(".//h1")
    early_row, later_row = row(doc, early), row(doc, later)
    assert early_row.get("data-compatible") == later_row.get("data-compatible") == "true"
    assert f"«{OLD_NAME}» får navnet «{NEW_NAME}»" in early_row.text_content()
    assert "utløses straks" in early_row.text_content()  # three weeks from the start have passed
    timer = later_row.xpath('.//li[@data-element="gw_vent_en_maned"]')[0].text_content()
    assert "Én måned uten vedtak" in timer and '"P1M"' in timer and '"P3W"' in timer
    assert later_row.xpath(f'.//input[@type="checkbox"][@value="{later_id}"]')

    chosen = client.post("/processes/ip_sak/migrations",
                         {"action": "selected", "case": str(later_id), "to": str(v2),
                          **hidden_seen(doc)})
    result = page(chosen)
    assert migrated(result) == [later]
    assert not result.xpath('//table[@id="refused"]')
    assert version_of(engine_do, later_id) == v2 and version_of(engine_do, early_id) == v2 - 1

    doc = page(client.get(f"/processes/ip_sak/migrations?to={v2}"))
    assert [r.get("data-case-number") for r in doc.xpath("//tr[@data-case-number]")] == [early]
    everything = page(client.post("/processes/ip_sak/migrations",
                                  {"action": "all", "to": str(v2), **hidden_seen(doc)}))
    assert migrated(everything) == [early]
    assert version_of(engine_do, early_id) == v2
    assert 'id="no-cases"' in client.get("/processes/ip_sak/migrations").get_data(as_text=True)

    officer = browser("saksbehandler1")
    inbox = officer.get("/inbox/?view=roles").get_data(as_text=True)
    assert NEW_NAME in inbox and OLD_NAME not in inbox
    fire_at = engine_do(lambda ctx: ctx.session.scalar(select(Timer.fire_at).where(
        Timer.case_id == later_id, Timer.element_id == "gw_vent_en_maned")))
    assert fire_at.isoformat() == "2026-02-16T08:00:00+00:00"  # 26 January + three weeks


def test_an_incompatible_case_shows_the_reason_and_cannot_be_chosen(browser, unit, engine_do):
    case_id, number = start(engine_do)
    v2 = deploy(unit, without_kartlegging())
    client = browser("koordinerende1")
    doc = page(client.get("/processes/ip_sak/migrations"))
    found = row(doc, number)
    assert found.get("data-compatible") == "false"
    assert "venter ved «Kartlegging og vurdering»" in found.text_content()
    assert not found.xpath(".//input[@type='checkbox']")
    assert not doc.xpath("//button[@value='all']")
    refused = page(client.post("/processes/ip_sak/migrations",
                               {"action": "selected", "case": str(case_id), "to": str(v2)}))
    [line] = refused.xpath('//table[@id="refused"]//tr[@data-case-number]')
    assert line.get("data-case-number") == number
    assert "Kartlegging og vurdering" in line.text_content()
    assert version_of(engine_do, case_id) == v2 - 1


def test_bad_form_input(browser, unit, engine_do):
    start(engine_do)
    deploy(unit, changed_ip_sak())
    client = browser("koordinerende1")
    assert client.get("/processes/ip_sak/migrations?to=x").status_code == 400
    assert client.get("/processes/ip_sak/migrations?to=999").status_code == 404
    assert client.get("/processes/finnes_ikke/migrations").status_code == 404
    nothing = client.post("/processes/ip_sak/migrations", {"action": "selected"})
    assert nothing.status_code == 302
    assert "Velg minst én sak" in client.get(nothing.headers["Location"]).get_data(as_text=True)
    assert client.post("/processes/ip_sak/migrations",
                       {"action": "selected", "case": "abc"}).status_code == 400
    no_csrf = client.post("/processes/ip_sak/migrations", {"action": "all"}, csrf=False)
    assert no_csrf.status_code == 400


def test_other_roles_get_403_in_the_ui_and_the_api(browser, api, unit, engine_do):
    case_id, _number = start(engine_do)
    v2 = deploy(unit, changed_ip_sak())
    for username in ("saksbehandler1", "leder1", "koordinator1"):
        client = browser(username)
        assert client.get("/processes/ip_sak/migrations").status_code == 403
        assert client.post("/processes/ip_sak/migrations", {"action": "all"}).status_code == 403
        response = api(username).post("/api/v1/processes/ip_sak/migrations",
                                      json={"run": True})
        assert response.status_code == 403 and response.json["error"] == "forbidden"
    assert api(None).post("/api/v1/processes/ip_sak/migrations", json={}).status_code == 401
    assert version_of(engine_do, case_id) == v2 - 1
    assert browser("admin1").get("/processes/ip_sak/migrations").status_code == 200


def test_api_preview_then_run(unit, engine_do):
    case_id, number = start(engine_do)
    other_id, other = start(engine_do)
    v2 = deploy(unit, changed_ip_sak())
    preview = unit.post("/api/v1/processes/ip_sak/migrations", json={})
    assert preview.status_code == 200, preview.json
    body = preview.json
    assert (body["process"], body["to_version"], body["total"]) == ("ip_sak", v2, 2)
    item = {c["case_number"]: c for c in body["cases"]}[number]
    assert item["compatible"] and item["reason"] is None and item["from_version"] == v2 - 1
    [timer] = item["timers"]
    assert (timer["element"], timer["expression_before"], timer["expression_after"]) == (
        "gw_vent_en_maned", '"P1M"', '"P3W"')
    assert timer["before"] == "2026-02-05T08:00:00+00:00"
    assert timer["after"] == "2026-01-26T08:00:00+00:00"
    assert version_of(engine_do, case_id) == v2 - 1

    tokens = {str(c["case_id"]): c["token"] for c in body["cases"]}
    engine_do(lambda ctx: humantasks.complete(  # the other case moves on after the preview
        ctx, humantasks.open_tasks(ctx, other_id)[0].id, get_user(ctx, "saksbehandler1"),
        ASSESSMENT))
    ran = unit.post("/api/v1/processes/ip_sak/migrations",
                    json={"run": True, "cases": [case_id, other_id, 999999], "to_version": v2,
                          "seen": tokens})
    assert ran.status_code == 200, ran.json
    assert [m["case_number"] for m in ran.json["migrated"]] == [number]
    assert ran.json["migrated"][0]["timers"][0]["after"] == "2026-01-26T08:00:00+00:00"
    refused = {r["case_id"]: r for r in ran.json["refused"]}
    assert refused[999999] == {"case_id": 999999, "case_number": None, "instance_id": None,
                               "from_version": None, "reason": "Fant ikke saken"}
    assert refused[other_id]["case_number"] == other
    assert refused[other_id]["reason"].startswith("Saken er endret siden forhåndsvisningen")
    assert version_of(engine_do, case_id) == v2 and version_of(engine_do, other_id) == v2 - 1
    rest = unit.post("/api/v1/processes/ip_sak/migrations", json={"run": True})
    assert [m["case_number"] for m in rest.json["migrated"]] == [other]
    again = unit.post("/api/v1/processes/ip_sak/migrations", json={"run": True})
    assert (again.json["migrated"], again.json["refused"]) == ([], [])
    assert engine_do(lambda ctx: sorted(ctx.session.scalars(select(HumanTask.name).where(
        HumanTask.case_id.in_([case_id, other_id]), HumanTask.status == "open")))) == [
        "Kartlegging og vurdering", "Utforme vedtak"]


@pytest.mark.parametrize("body", [
    {"run": "yes"}, {"cases": "1"}, {"cases": [True]}, {"to_version": "2"},
    {"seen": ["1:0"]}, {"limit": 0}, {"offset": -1}, [1, 2],
])
def test_api_bad_bodies_are_400(unit, body):
    response = unit.post("/api/v1/processes/ip_sak/migrations", json=body)
    assert response.status_code == 400, response.json
    assert response.json["error"] == "bad_request"


def test_api_unknown_process_or_version_is_404(unit):
    assert unit.post("/api/v1/processes/finnes_ikke/migrations", json={}).status_code == 404
    response = unit.post("/api/v1/processes/ip_sak/migrations", json={"to_version": 999})
    assert response.status_code == 404 and response.json["error"] == "not_found"
    not_json = unit.post("/api/v1/processes/ip_sak/migrations", data="{",
                         content_type="application/json")
    assert not_json.status_code == 400


def test_preview_and_run_answers_each_match_exactly_one_branch_of_the_documented_oneof(
        app, unit, engine_do):
    """Issue 13, finding 8: one answer matched both branches of the migration `oneOf`."""
    from jsonschema import Draft202012Validator
    doc = app.test_client().get("/api/v1/openapi.json").json
    answer = doc["paths"]["/processes/{key}/migrations"]["post"]["responses"]["200"]
    branches = answer["content"]["application/json"]["schema"]["oneOf"]
    start(engine_do)
    deploy(unit, changed_ip_sak())
    preview = unit.post("/api/v1/processes/ip_sak/migrations", json={}).json
    ran = unit.post("/api/v1/processes/ip_sak/migrations", json={"run": True}).json
    for body, expected in ((preview, "MigrationPreview"), (ran, "MigrationResult")):
        matching = [branch["$ref"].rsplit("/", 1)[1] for branch in branches
                    if Draft202012Validator({**branch, "components": doc["components"]})
                    .is_valid(body)]
        assert matching == [expected]
