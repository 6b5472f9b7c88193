"""The JSON API: every endpoint, and each error status it can answer, always as JSON."""
import re

import pytest

from engine.accounts.users import get_user
from engine.scheduling.sweep import sweep_once

BENCH = "bench_two_user_tasks"


def _errors_are_json(response, status):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    body = response.json
    assert isinstance(body.get("error"), str) and isinstance(body.get("message"), str)
    return body


@pytest.fixture
def officer(api):
    return api("saksbehandler1")


def _start(officer, process=BENCH, data=None):
    response = officer.post("/api/v1/cases", json={"process": process, "data": data or {}})
    assert response.status_code == 201, response.json
    return response.json


def test_openapi_document_lists_every_endpoint(app):
    response = app.test_client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    doc = response.json
    assert doc["openapi"].startswith("3.")
    assert set(doc["paths"]) == {"/cases", "/cases/{case_id}", "/tasks", "/tasks/{task_id}",
                                 "/tasks/{task_id}/claim", "/tasks/{task_id}/unclaim",
                                 "/tasks/{task_id}/assign", "/tasks/{task_id}/complete",
                                 "/notices", "/notices/{notice_id}/ack", "/tokens",
                                 "/tokens/{token_id}", "/processes",
                                 "/processes/{key}/versions", "/processes/{key}/migrations",
                                 "/persons", "/persons/{person_id}",
                                 "/persons/{person_id}/relations", "/persons/{person_id}/birth",
                                 "/persons/{person_id}/plan", "/plans/{plan_id}",
                                 "/plans/{plan_id}/versions",
                                 "/plans/{plan_id}/versions/{number}",
                                 "/plans/{plan_id}/versions/{older}/compare/{newer}",
                                 "/plans/{plan_id}/participants",
                                 "/plans/{plan_id}/participants/{participant_id}",
                                 "/plans/{plan_id}/consents",
                                 "/plans/{plan_id}/consents/{consent_id}/withdraw",
                                 "/plans/{plan_id}/meetings", "/cases/{case_id}/appeals",
                                 "/cases/{case_id}/letters", "/letters/{letter_id}/pdf",
                                     "/letters/{letter_id}/copies/{copy_id}/pdf",
                                     "/persons/{person_id}/read-log",
                                 "/reports/kpr"}
    routes = {r.rule for r in app.url_map.iter_rules() if r.rule.startswith("/api/v1/")}
    documented = {"/api/v1" + re.sub(r"\{(\w+)\}", lambda m: "<key>" if m.group(1) == "key"
                                     else f"<dbid:{m.group(1)}>", p)
                  for p in doc["paths"]} | {"/api/v1/openapi.json"}
    assert routes == documented
    assert doc["paths"]["/tasks/{task_id}/complete"]["post"]["responses"].keys() >= {
        "200", "400", "401", "403", "404", "409", "422"}


@pytest.mark.parametrize("header", [None, "Basic abc", "Bearer ", "Bearer nonsense",
                                    "Bearer sft_eyJ1IjoieCJ9.forged"])
def test_missing_or_bad_token_is_401(app, header):
    headers = {"Authorization": header} if header else {}
    response = app.test_client().get("/api/v1/tasks", headers=headers)
    _errors_are_json(response, 401)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_token_of_another_secret_or_inactive_user_is_401(app, token, engine_do):
    good = token("saksbehandler1")
    tampered = good[:-2] + ("AA" if good[-2:] != "AA" else "BB")
    client = app.test_client()
    _errors_are_json(client.get("/api/v1/tasks", headers={"Authorization": f"Bearer {tampered}"}),
                     401)
    engine_do(lambda ctx: setattr(get_user(ctx, "saksbehandler1"), "active", False))
    _errors_are_json(client.get("/api/v1/tasks", headers={"Authorization": f"Bearer {good}"}), 401)


def test_api_ignores_session_cookies(browser):
    officer = browser("saksbehandler1")
    _errors_are_json(officer.client.get("/api/v1/tasks"), 401)


def test_start_case_and_its_errors(api, officer):
    created = _start(officer)
    assert created["case_number"].startswith("IP-") and created["status"] == "open"
    [task] = created["open_tasks"]
    assert (task["name"], task["role"], task["assignee"]) == ("Oppgave A", "saksbehandler", None)
    _errors_are_json(officer.post("/api/v1/cases"), 400)                        # no body
    _errors_are_json(officer.post("/api/v1/cases", data="{not json",
                                  content_type="application/json"), 400)
    _errors_are_json(officer.post("/api/v1/cases", json=[1, 2]), 400)           # not an object
    body = _errors_are_json(officer.post("/api/v1/cases", json={"process": BENCH, "data": [1]}),
                            422)
    assert "data" in body["errors"]
    body = _errors_are_json(officer.post("/api/v1/cases", json={"process": "klage", "data": {}}),
                            422)
    assert "process" in body["errors"]
    body = _errors_are_json(officer.post("/api/v1/cases", json={"process": 5}), 422)
    assert "process" in body["errors"]
    body = _errors_are_json(officer.post("/api/v1/cases", json={"process": "ip_sak",
                                                                "data": {"navn": ""}}), 422)
    assert {"navn", "fodselsdato", "mottatt_dato"} <= set(body["errors"])
    _errors_are_json(api("leder1").post("/api/v1/cases", json={"process": BENCH}), 403)


def test_get_case_per_role(api, officer):
    created = _start(officer, "ip_sak", {
        "soker_rolle": "personen", "onsker_ip": True, "onsker_koordinator": False,
        "onsker_barnekoordinator": False, "navn": "Kari Nordmann", "fodselsdato": "1970-03-01",
        "mottatt_dato": "2026-01-05", "tjenester": ["hjemmesykepleie", "fysioterapi"],
        "forventet_varighet_maneder": 36, "nav_basert": False})
    body = officer.get(f"/api/v1/cases/{created['id']}").json
    assert body["case_number"] == created["case_number"] and body["access"] == "full"
    assert body["data"]["navn"] == "Kari Nordmann"
    [task] = body["open_tasks"]
    assert task["name"] == "Kartlegging og vurdering" and task["waiting_for"] == "saksbehandler"
    assert [e["kind"] for e in body["timeline"]][:2] == ["case_started", "process_started"]
    assert all("data" not in e["details"] for e in body["timeline"])
    admin = api("admin1").get(f"/api/v1/cases/{created['id']}").json
    assert admin["access"] == "limited" and admin["data"] is None and admin["facts"] is None
    _errors_are_json(api("koordinator1").get(f"/api/v1/cases/{created['id']}"), 403)
    _errors_are_json(officer.get("/api/v1/cases/999999"), 404)
    _errors_are_json(officer.get("/api/v1/cases/abc"), 404)


def test_reading_a_case_over_the_api_is_logged(officer, engine_do):
    created = _start(officer)
    officer.get(f"/api/v1/cases/{created['id']}")
    from engine.cases import audit
    reads = engine_do(lambda ctx: [(e.actor, e.details.get("purpose")) for e in
                                   audit.case_history(ctx, created["id"], {"case_read"})])
    assert reads == [("saksbehandler1", "case page")]


def test_task_list_views_filters_and_errors(api, officer):
    first = _start(officer)
    second = _start(officer)
    ids = [first["open_tasks"][0]["id"], second["open_tasks"][0]["id"]]
    assert officer.post(f"/api/v1/tasks/{ids[0]}/claim").status_code == 200
    listing = officer.get("/api/v1/tasks?view=mine").json
    assert [t["id"] for t in listing["tasks"]] == [ids[0]] and listing["total"] == 1
    assert listing["counts"] == {"mine": 1, "roles": 2, "unassigned": 1, "overdue": 0,
                                 "completed": 0}
    assert [t["id"] for t in officer.get("/api/v1/tasks?view=unassigned").json["tasks"]] == [ids[1]]
    by_case = officer.get(f"/api/v1/tasks?view=roles&case={second['case_number']}").json
    assert [t["id"] for t in by_case["tasks"]] == [ids[1]]
    page = officer.get("/api/v1/tasks?view=roles&per_page=1&page=2").json
    assert page["total"] == 2 and len(page["tasks"]) == 1
    for bad in ("view=alle", "due_from=2026-13-01", "priority=9", "priority=x", "per_page=0",
                "per_page=1000", "page=0", "sort=navn", "due_from=2026-02-01&due_to=2026-01-01"):
        body = _errors_are_json(officer.get(f"/api/v1/tasks?{bad}"), 400)
        assert body["errors"]
    assert api("leder1").get("/api/v1/tasks?view=roles").json["total"] == 0


def test_claim_unclaim_assign_and_their_errors(api, officer):
    task = _start(officer)["open_tasks"][0]
    url = f"/api/v1/tasks/{task['id']}"
    other = api("saksbehandler2")
    _errors_are_json(api("leder1").post(url + "/claim"), 403)                   # not my role
    _errors_are_json(officer.post(url + "/claim", json={"version": "1"}), 422)   # bad version
    _errors_are_json(officer.post(url + "/claim", json={"version": task["version"] + 5}), 409)
    _errors_are_json(officer.post(url + "/claim", data="x", content_type="application/json"), 400)
    claimed = officer.post(url + "/claim", json={"version": task["version"]}).json
    assert claimed["assignee"] == "saksbehandler1" and claimed["version"] == task["version"] + 1
    _errors_are_json(other.post(url + "/claim"), 409)                           # taken
    _errors_are_json(other.post(url + "/unclaim"), 403)                         # not mine
    assert officer.post(url + "/unclaim").json["assignee"] is None
    _errors_are_json(officer.post(url + "/assign", json={}), 422)
    body = _errors_are_json(officer.post(url + "/assign", json={"assignee": "ukjent"}), 422)
    assert "assignee" in body["errors"]
    body = _errors_are_json(officer.post(url + "/assign", json={"assignee": "leder1"}), 422)
    assert body["errors"]["assignee"] == "«leder1» har ikke rollen «Saksbehandler»"
    _errors_are_json(api("koordinator1").post(url + "/assign",
                                              json={"assignee": "saksbehandler2"}), 403)
    assert officer.post(url + "/assign", json={"assignee": "saksbehandler2"}).json[
        "assignee"] == "saksbehandler2"
    assert api("leder1").post(url + "/assign", json={"assignee": "saksbehandler1"}).json[
        "assignee"] == "saksbehandler1"                                         # a supervisor may
    for action in ("claim", "unclaim", "assign", "complete"):
        _errors_are_json(officer.post(f"/api/v1/tasks/999999/{action}",
                                      json={"assignee": "x", "data": {}}), 404)


def test_complete_and_its_errors(api, officer):
    created = _start(officer)
    task = created["open_tasks"][0]
    url = f"/api/v1/tasks/{task['id']}/complete"
    _errors_are_json(officer.post(url), 400)
    body = _errors_are_json(officer.post(url, json={"data": {"x": "sju"}}), 422)
    assert body["errors"] == {"x": "Skriv et helt tall"}
    _errors_are_json(officer.post(url, json={"data": "x"}), 422)
    api("saksbehandler2").post(f"/api/v1/tasks/{task['id']}/claim")
    body = _errors_are_json(officer.post(url, json={"data": {"x": 1}}), 403)
    assert "saksbehandler2" in body["message"]
    api("saksbehandler2").post(f"/api/v1/tasks/{task['id']}/unclaim")
    _errors_are_json(officer.post(url, json={"data": {"x": 1}, "version": task["version"]}), 409)
    done = officer.post(url, json={"data": {"x": 1}}).json
    assert done["status"] == "completed" and done["completed_by"] == "saksbehandler1"
    assert [t["name"] for t in done["case_open_tasks"]] == ["Oppgave B"]
    assert done["next_task"] == done["case_open_tasks"][0]  # the officer's to do next
    _errors_are_json(officer.post(url, json={"data": {"x": 1}}), 409)           # done already
    _errors_are_json(api("leder1").post(
        f"/api/v1/tasks/{done['case_open_tasks'][0]['id']}/complete", json={"data": {"x": 1}}), 403)
    last = officer.post(f"/api/v1/tasks/{done['next_task']['id']}/complete",
                        json={"data": {"x": 2}}).json
    assert (last["case_open_tasks"], last["next_task"]) == ([], None)  # the case has ended


def test_notices_and_acknowledge(api, officer, web_env):
    created = _start(officer, "frist_test")
    web_env.clock.advance(days=4)
    with web_env.unit_of_work() as ctx:
        result = sweep_once(ctx)
    assert result.notices == [f"{created['case_number']}: test_reminder -> saksbehandler"]
    [notice] = officer.get("/api/v1/notices").json["notices"]
    assert notice["kind"] == "test_reminder" and notice["status"] == "raised"
    assert api("leder1").get("/api/v1/notices").json["notices"] == []
    _errors_are_json(api("leder1").post(f"/api/v1/notices/{notice['id']}/ack"), 403)
    _errors_are_json(officer.post("/api/v1/notices/999999/ack"), 404)
    acked = api("saksbehandler2").post(f"/api/v1/notices/{notice['id']}/ack").json
    assert acked["status"] == "acknowledged" and acked["acknowledged_by"] == "saksbehandler2"
    assert officer.get("/api/v1/notices").json["notices"] == []


def test_unknown_routes_and_methods_answer_json(officer):
    _errors_are_json(officer.get("/api/v1/nothing"), 404)
    _errors_are_json(officer.delete("/api/v1/cases"), 405)
    _errors_are_json(officer.post("/api/v1/tasks"), 405)


def test_a_failed_request_writes_nothing(api, officer, engine_do):
    task = _start(officer)["open_tasks"][0]
    officer.post(f"/api/v1/tasks/{task['id']}/complete", json={"data": {"x": "bad"}})
    from engine.db.models import HumanTask
    row = engine_do(lambda ctx: ctx.session.get(HumanTask, task["id"]))
    assert (row.status, row.version) == ("open", task["version"])


def test_the_document_describes_the_start_forms_fields_and_the_idempotency_key(app):
    doc = app.test_client().get("/api/v1/openapi.json").json
    data = doc["components"]["schemas"]["NewCase"]["properties"]["data"]
    branches = {branch["title"]: branch for branch in data["anyOf"]}
    assert branches["ip_sak"]["properties"]["navn"]["maxLength"] == 200
    assert branches["ip_sak"]["additionalProperties"] is False
    assert branches["stafett"] == {"title": "stafett", "type": "object", "maxProperties": 0}
    start = doc["paths"]["/cases"]["post"]
    assert [p["name"] for p in start["parameters"]] == ["Idempotency-Key"]
    assert {"200", "201", "409", "503"} <= set(start["responses"])
    ids = doc["paths"]["/cases/{case_id}"]["get"]["parameters"][0]["schema"]
    assert (ids["minimum"], ids["maximum"]) == (1, 2**31 - 1)
