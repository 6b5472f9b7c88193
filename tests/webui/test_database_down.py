"""The database goes away in the middle of a request: a clear error, nothing saved, nothing
lost (the form is still in the browser's history), and the next request works again."""
import pytest
from sqlalchemy import text

from engine.accounts.users import get_user
from engine.cases import casework
from engine.db.models import HumanTask
from engine.workflow import loading
from engine.worklist import humantasks

#: A SQLite file cannot go away mid-request; a database server can.
pytestmark = pytest.mark.parametrize("db_env", ["postgres"], indirect=True)


@pytest.fixture
def kill_connection_during_load(monkeypatch, web_env):
    """PostgreSQL: the server ends this request's connection while the task is completed."""
    original = loading.load

    def load_then_lose_the_database(ctx, instance, **options):
        loaded = original(ctx, instance, **options)
        with web_env.db_engine.connect() as admin:
            pid = ctx.session.connection().exec_driver_sql("SELECT pg_backend_pid()").scalar()
            admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        return loaded
    monkeypatch.setattr(loading, "load", load_then_lose_the_database)


def _open_task(engine_do):
    return engine_do(lambda ctx: humantasks.open_tasks(ctx, casework.start_case(
        ctx, {}, get_user(ctx, "saksbehandler1"), process_key="stafett").id)[0].id)


def test_a_connection_lost_with_the_commit_pending_is_an_unknown_outcome(
        browser, engine_do, kill_connection_during_load):
    """The step's writes travel with the COMMIT (PostgreSQL's fast path): when that round
    trip fails the app cannot know whether the server applied it, and says so, instead of
    "nothing was saved" (issue 13, finding 9). Here it was not applied: a retry is safe."""
    task_id = _open_task(engine_do)
    officer = browser("saksbehandler1")
    response = officer.post(f"/tasks/{task_id}", {"notat": "Viktig", "_action": "complete"})
    assert response.status_code == 503
    html = response.get_data(as_text=True)
    assert "vet ikke om den ble lagret" in html and "ingenting ble lagret" not in html
    assert response.headers["Retry-After"] == "30"
    row = engine_do(lambda ctx: ctx.session.get(HumanTask, task_id))
    assert (row.status, row.completed_by) == ("open", None)


def test_api_answers_503_and_the_next_request_succeeds(api, engine_do, monkeypatch,
                                                      kill_connection_during_load):
    task_id = _open_task(engine_do)
    response = api("saksbehandler1").post(f"/api/v1/tasks/{task_id}/complete",
                                          json={"data": {"notat": "Viktig"}})
    assert response.status_code == 503
    assert response.get_json()["error"] == "database_unavailable"
    monkeypatch.undo()
    response = api("saksbehandler1").post(f"/api/v1/tasks/{task_id}/complete",
                                          json={"data": {"notat": "Viktig"}})
    assert response.status_code == 200, response.get_json()


def test_a_lost_connection_while_reserving_ids_is_the_same_clear_error(
        browser, engine_do, kill_connection_during_load):
    """The step's first insert must reserve a new block of ids from the sequence on the lost
    connection: that driver error is SQLAlchemy's too, so the page is the same 503."""
    from engine.db.fastpath import driver
    task_id = _open_task(engine_do)
    officer = browser("saksbehandler1")
    driver._BLOCKS.clear()  # no ids left in memory: the next insert asks the server
    response = officer.post(f"/tasks/{task_id}", {"notat": "Viktig", "_action": "complete"})
    assert response.status_code == 503
    assert "ingenting ble lagret" in response.get_data(as_text=True)
    assert engine_do(lambda ctx: ctx.session.get(HumanTask, task_id).status) == "open"
