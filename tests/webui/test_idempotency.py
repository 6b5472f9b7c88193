"""Starting a case is idempotent: a retry, a resubmit or the back button with the same key
returns the first case, and a lost answer to COMMIT is said as an unknown outcome (issue 13,
finding 9)."""
from __future__ import annotations

import dataclasses
import re
import threading

import pytest
from pg_proxy import PgProxy
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from engine.accounts import credentials
from engine.cases import demo
from engine.db.models import Case, HumanTask
from engine.environment import EngineEnvironment
from webui.app import create_app


def _cases(engine_do, **where) -> int:
    return engine_do(lambda ctx: ctx.session.scalar(
        select(func.count(Case.id)).filter_by(**where)))


def test_an_api_retry_with_the_same_key_returns_the_first_case(api, engine_do):
    client = api("saksbehandler1")
    headers = {**client.headers, "Idempotency-Key": "retry-1"}
    first = client.client.post("/api/v1/cases", json={"process": "stafett", "data": {}},
                               headers=headers)
    again = client.client.post("/api/v1/cases", json={"process": "stafett", "data": {}},
                               headers=headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json == first.json
    assert _cases(engine_do, idempotency_key="retry-1") == 1
    # the same key with another application is a conflict, not a second case
    other = client.client.post("/api/v1/cases", json={"process": "frist_test", "data": {}},
                               headers=headers)
    assert other.status_code == 409 and first.json["case_number"] in other.json["message"]
    # without a key every start is a new case; another user's key is their own
    assert client.post("/api/v1/cases", json={"process": "stafett", "data": {}}).json["id"] \
        != first.json["id"]
    mine = api("saksbehandler2").client.post(
        "/api/v1/cases", json={"process": "stafett", "data": {}},
        headers={**api("saksbehandler2").headers, "Idempotency-Key": "retry-1"})
    assert mine.status_code == 201 and mine.json["id"] != first.json["id"]


@pytest.mark.parametrize("key", ["", "x" * 101, "nøkkel", "a\tb"])
def test_a_malformed_key_is_refused(api, engine_do, key):
    client = api("saksbehandler1")
    before = _cases(engine_do)
    response = client.client.post("/api/v1/cases", json={"process": "stafett", "data": {}},
                                  headers={**client.headers, "Idempotency-Key": key})
    assert response.status_code == 400 and response.json["error"] == "bad_request"
    assert _cases(engine_do) == before


def _new_case_form(officer) -> dict:
    html = officer.get("/cases/new?process=stafett").get_data(as_text=True)
    token = re.search(r'name="start_token" value="([^"]+)"', html).group(1)
    return {"process": "stafett", "start_token": token}


def test_resubmitting_the_new_case_form_makes_no_second_case(browser, engine_do):
    officer = browser("saksbehandler1")
    form = _new_case_form(officer)
    first = officer.post("/cases/new", form)
    again = officer.post("/cases/new", form)  # the back button and send again
    assert first.status_code == again.status_code == 302
    # the first goes on with the case's first task; the second shows that case, not a new one
    [[case_id, task_id]] = engine_do(lambda ctx: ctx.session.execute(
        select(HumanTask.case_id, HumanTask.id).join(Case)
        .where(Case.idempotency_key == form["start_token"])).all())
    assert first.headers["Location"] == f"/tasks/{task_id}"
    assert again.headers["Location"] == f"/cases/{case_id}"
    assert _cases(engine_do, idempotency_key=form["start_token"]) == 1
    page = officer.get(again.headers["Location"]).get_data(as_text=True)
    assert "allerede registrert" in page
    assert _new_case_form(officer)["start_token"] != form["start_token"]  # a new form, new case


def test_a_validation_error_keeps_the_forms_token(browser):
    officer = browser("saksbehandler1")
    html = officer.get("/cases/new?process=ip_sak").get_data(as_text=True)
    token = re.search(r'name="start_token" value="([^"]+)"', html).group(1)
    response = officer.post("/cases/new", {"process": "ip_sak", "start_token": token})
    assert response.status_code == 422
    assert f'name="start_token" value="{token}"' in response.get_data(as_text=True)


def test_a_name_longer_than_the_column_is_a_clear_422(api, engine_do):
    before = _cases(engine_do)
    data = demo._application("N" * 201, "1970-03-01", "2026-12-01")
    response = api("saksbehandler1").post("/api/v1/cases",
                                          json={"process": "ip_sak", "data": data})
    assert response.status_code == 422 and "navn" in response.json["errors"]
    assert _cases(engine_do) == before


def test_a_start_takes_exactly_the_start_forms_fields(api, engine_do):
    before = _cases(engine_do)
    response = api("saksbehandler1").post(
        "/api/v1/cases", json={"process": "stafett",
                               "data": {"lane_owners": {"koordinator": ["saksbehandler1"]}}})
    assert response.status_code == 422 and "lane_owners" in response.json["errors"]
    assert _cases(engine_do) == before


postgres_only = pytest.mark.parametrize("db_env", ["postgres"], indirect=True)


@postgres_only
def test_two_starts_with_one_key_at_once_make_one_case(app, token, engine_do):
    headers = {"Authorization": f"Bearer {token('saksbehandler1')}", "Idempotency-Key": "race"}
    barrier, answers = threading.Barrier(2), []

    def start():
        client = app.test_client()
        barrier.wait()
        answers.append(client.post("/api/v1/cases", json={"process": "stafett", "data": {}},
                                   headers=headers))
    threads = [threading.Thread(target=start) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(a.status_code for a in answers) == [200, 201]
    assert answers[0].json["id"] == answers[1].json["id"]
    assert _cases(engine_do, idempotency_key="race") == 1


@pytest.fixture
def proxied_app(web_env, app):
    """The app on a connection through a proxy that can lose the answer to a COMMIT."""
    url = make_url(web_env.settings.database_url)
    proxy = PgProxy(url.host or "127.0.0.1", url.port or 5432)
    settings = dataclasses.replace(
        app.extensions["samflyt_settings"],
        database_url=url.set(host="127.0.0.1", port=proxy.port).render_as_string(
            hide_password=False))
    env = EngineEnvironment(settings, clock=web_env.clock)
    env.specs = web_env.specs
    proxied = create_app(settings, env=env)
    proxied.config["TESTING"] = True
    yield proxied, proxy
    env.dispose()
    proxy.close()


@postgres_only
def test_a_lost_answer_to_commit_is_an_unknown_outcome_and_the_retry_returns_the_case(
        proxied_app, engine_do):
    app, proxy = proxied_app
    token = engine_do(lambda ctx: credentials.issue_token(ctx, "saksbehandler1"))
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": "lost-answer"}
    client = app.test_client()
    proxy.lose_commit_answer()
    lost = client.post("/api/v1/cases", json={"process": "stafett", "data": {}},
                       headers=headers)
    assert proxy.commits_lost == 1
    assert lost.status_code == 503 and lost.json["error"] == "outcome_unknown"
    assert "vet ikke om den ble lagret" in lost.json["message"]
    assert _cases(engine_do, idempotency_key="lost-answer") == 1  # the server did commit
    retry = client.post("/api/v1/cases", json={"process": "stafett", "data": {}},
                        headers=headers)
    assert retry.status_code == 200, retry.json
    case_id = engine_do(lambda ctx: ctx.session.scalar(
        select(Case.id).where(Case.idempotency_key == "lost-answer")))
    assert retry.json["id"] == case_id
    assert _cases(engine_do, idempotency_key="lost-answer") == 1
