"""Engine errors, field errors, role names and notice kinds reach the reader in their language:
bokmål by default, English when English is chosen (pages) or asked for (the JSON API)."""
import re
from io import BytesIO

import pytest

from engine.accounts.users import get_user
from engine.cases import casework
from engine.worklist import humantasks


def _english(client):
    response = client.post("/lang", {"lang": "en", "next": "/inbox/"})
    assert response.status_code == 302
    return client


def _stafett_task(engine_do) -> int:
    return engine_do(lambda ctx: humantasks.open_tasks(ctx, casework.start_case(
        ctx, {}, get_user(ctx, "saksbehandler1"), process_key="stafett").id)[0].id)


def _stale_completion(officer, task_id):
    """Save a draft (the task's version moves on), then complete with the old version: 409."""
    html = officer.get(f"/tasks/{task_id}").get_data(as_text=True)
    version = re.search(r'name="version" value="(\d+)"', html).group(1)
    assert officer.post(f"/tasks/{task_id}", {"notat": "Halvveis", "_action": "draft",
                                              "version": version}).status_code == 302
    return officer.post(f"/tasks/{task_id}", {"notat": "Ferdig", "_action": "complete",
                                              "version": version})


def test_a_conflict_on_the_task_page_in_bokmal_and_in_english(browser, engine_do):
    officer = browser("saksbehandler1")
    response = _stale_completion(officer, _stafett_task(engine_do))
    assert response.status_code == 409
    assert "er endret siden du åpnet den" in response.get_data(as_text=True)
    officer = _english(browser("saksbehandler2"))
    response = _stale_completion(officer, _stafett_task(engine_do))
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert re.search(r"The task “[^”]+” has changed since you opened it", html)
    assert "endret siden" not in html


def test_a_missing_case_page_in_bokmal_and_in_english(browser):
    officer = browser("saksbehandler1")
    response = officer.get("/cases/987654")
    assert response.status_code == 404
    assert '<p id="error-message">Fant ikke sak 987654</p>' in response.get_data(as_text=True)
    response = _english(officer).get("/cases/987654")
    html = response.get_data(as_text=True)
    assert response.status_code == 404
    assert '<p id="error-message">Case 987654 was not found</p>' in html
    assert "Fant ikke" not in html


def test_form_field_errors_in_bokmal_and_in_english(browser):
    officer = browser("saksbehandler1")
    posted = {"process": "ip_sak", "navn": "Kari", "fodselsdato": "1.3.70"}
    response = officer.post("/cases/new", posted)
    assert response.status_code == 422
    assert "Dato søknaden ble mottatt: Feltet må fylles ut" in response.get_data(as_text=True)
    response = _english(officer).post("/cases/new", posted)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Dato søknaden ble mottatt: This field is required" in html  # the label is the form's
    assert "Feltet må fylles ut" not in html


def test_api_errors_follow_accept_language(api):
    officer = api("saksbehandler1")
    english = {**officer.headers, "Accept-Language": "en-GB,en;q=0.9"}
    response = officer.get("/api/v1/cases/987654")
    assert (response.status_code, response.json["message"]) == (404, "Fant ikke sak 987654")
    response = officer.client.get("/api/v1/cases/987654", headers=english)
    assert (response.status_code, response.json["message"]) == (404,
                                                                "Case 987654 was not found")
    application = {"process": "ip_sak", "data": {"navn": ""}}
    body = officer.post("/api/v1/cases", json=application).json
    assert body["errors"]["mottatt_dato"] == "Feltet må fylles ut"
    body = officer.client.post("/api/v1/cases", json=application, headers=english).json
    assert body["errors"]["mottatt_dato"] == "This field is required"
    assert re.fullmatch(r"Fields to correct: \d+", body["message"])
    response = officer.client.get("/api/v1/tasks?view=alle", headers=english)
    assert response.status_code == 400
    assert response.json["errors"]["view"] == "Choose one of the inbox's tabs"
    response = officer.client.get("/api/v1/tasks", headers={"Accept-Language": "en"})
    assert response.status_code == 401
    assert response.json["message"] == "Missing “Authorization: Bearer <token>”"


def test_role_names_and_notice_labels_in_english(browser, engine_do, web_env):
    """The notice for a task nobody claimed (an engine kind) and the role names in the
    header, in English; in bokmål by default."""
    _stafett_task(engine_do)
    web_env.clock.advance(days=5)  # past the claim deadline (SAMFLYT_TASK_CLAIM_WITHIN)
    web_env.sweep()
    officer = browser("saksbehandler1")
    html = officer.get("/notices/").get_data(as_text=True)
    assert "En oppgave er ikke tatt" in html and "(Saksbehandler)" in html
    html = _english(officer).get("/notices/").get_data(as_text=True)
    assert "A task has not been claimed" in html and "(Case officer)" in html
    assert "En oppgave er ikke tatt" not in html and "(Saksbehandler)" not in html


@pytest.mark.usefixtures("new_versions_removed")
def test_a_migration_refusal_in_english(browser, api, engine_do):
    """Why a case cannot move to a new version: an engine text with parameters, in English."""
    from tests.engine.test_migration import APPLICATION, without_kartlegging
    engine_do(lambda ctx: casework.start_case(ctx, APPLICATION, get_user(ctx, "saksbehandler1")))
    unit = api("koordinerende1")
    deployed = unit.post("/api/v1/processes/ip_sak/versions",
                         data={"files": [(BytesIO(without_kartlegging()), "ip_sak.bpmn")]},
                         content_type="multipart/form-data")
    assert deployed.status_code == 201, deployed.json
    version = deployed.json["version"]
    client = browser("koordinerende1")
    html = client.get("/processes/ip_sak/migrations").get_data(as_text=True)
    assert f"venter ved «Kartlegging og vurdering», som ikke finnes i versjon {version}" in html
    html = _english(client).get("/processes/ip_sak/migrations").get_data(as_text=True)
    assert (f"The case is waiting at “Kartlegging og vurdering”, which does not exist in "
            f"version {version}") in html
    preview = unit.client.post("/api/v1/processes/ip_sak/migrations", json={},
                               headers={**unit.headers, "Accept-Language": "en"})
    [case] = preview.json["cases"]
    assert case["reason"].startswith("The case is waiting at “Kartlegging og vurdering”")
