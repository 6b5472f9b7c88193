"""Issue 17: taking a task a colleague holds is confirmed first (one POST without the
confirmation changes nothing and shows it; with it, the task moves and the move is audited);
the page of a task someone else holds shows its form to read, with no button to complete."""
from __future__ import annotations

from lxml import html as lxml_html
from sqlalchemy import select

from engine.accounts import credentials, users
from engine.accounts.users import get_user
from engine.cases import casework
from engine.db.models import AuditEvent, HumanTask
from engine.worklist import humantasks
from tests.webui.web_support import PASSWORD


def _claimed_stafett_task(engine_do, holder: str = "saksbehandler1") -> int:
    def start(ctx):
        case = casework.start_case(ctx, {}, get_user(ctx, "saksbehandler1"),
                                   process_key="stafett")
        [task] = humantasks.open_tasks(ctx, case.id)
        humantasks.claim(ctx, task.id, get_user(ctx, holder))
        return task.id
    return engine_do(start)


def _task(engine_do, task_id: int) -> HumanTask:
    return engine_do(lambda ctx: ctx.session.get(HumanTask, task_id))


def _assigned_events(engine_do, task_id: int) -> list[dict]:
    return engine_do(lambda ctx: [e.details for e in ctx.session.scalars(
        select(AuditEvent).where(AuditEvent.kind == "task_assigned")) if
        (e.details or {}).get("task") == task_id])


def test_a_leader_reassigning_a_colleagues_task_confirms_first(browser, engine_do):
    task_id = _claimed_stafett_task(engine_do)
    leader = browser("leder1")
    version = _task(engine_do, task_id).version
    response = leader.post(f"/tasks/{task_id}/assign",
                           {"assignee": "saksbehandler2", "version": str(version)})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and 'id="takeover-form"' in page
    assert "Ja, gi oppgaven fra saksbehandler1 til saksbehandler2" in page
    assert 'name="confirm" value="yes"' in page and f'name="version" value="{version}"' in page
    assert _task(engine_do, task_id).assignee == "saksbehandler1"  # nothing changed yet
    assert _assigned_events(engine_do, task_id) == []
    response = leader.post(f"/tasks/{task_id}/assign",
                           {"assignee": "saksbehandler2", "version": str(version),
                            "confirm": "yes"})
    assert response.status_code == 302
    assert _task(engine_do, task_id).assignee == "saksbehandler2"
    [event] = _assigned_events(engine_do, task_id)
    assert (event["assignee"], event["previous"]) == ("saksbehandler2", "saksbehandler1")


def test_taking_a_colleagues_task_oneself_and_from_the_task_page(browser, engine_do):
    engine_do(lambda ctx: users.add_user(ctx, "leder2", ("leder", "saksbehandler"),
                                         display_name="Leder2",
                                         password_hash=credentials.hash_password(PASSWORD)))
    task_id = _claimed_stafett_task(engine_do)
    leader = browser("leder2")
    page = leader.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert 'id="takeover"' in page and "Ta over oppgaven" in page
    response = leader.post(f"/tasks/{task_id}/assign", {"assignee": "leder2"})
    assert response.status_code == 200
    assert "Ja, ta over oppgaven fra saksbehandler1" in response.get_data(as_text=True)
    assert _task(engine_do, task_id).assignee == "saksbehandler1"
    assert leader.post(f"/tasks/{task_id}/assign", {"assignee": "leder2", "confirm": "yes"}
                       ).status_code == 302
    assert _task(engine_do, task_id).assignee == "leder2"
    assert _assigned_events(engine_do, task_id)[0]["previous"] == "saksbehandler1"


def test_a_leader_putting_back_a_colleagues_task_confirms_first(browser, engine_do):
    task_id = _claimed_stafett_task(engine_do)
    leader = browser("leder1")
    version = _task(engine_do, task_id).version
    response = leader.post(f"/tasks/{task_id}/unclaim", {"version": str(version)})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and 'id="takeover-form"' in page
    assert "Legge tilbake oppgaven?" in page and "Ja, legg tilbake oppgaven fra saksbehandler1" \
        in page
    assert "køen for rollen Saksbehandler" in page  # the role in words
    assert _task(engine_do, task_id).assignee == "saksbehandler1"  # nothing changed yet
    response = leader.post(f"/tasks/{task_id}/unclaim", {"version": str(version),
                                                         "confirm": "yes"})
    assert response.status_code == 302
    assert _task(engine_do, task_id).assignee is None
    # one's own task goes back at once
    own = _claimed_stafett_task(engine_do)
    assert browser("saksbehandler1").post(f"/tasks/{own}/unclaim").status_code == 302
    assert _task(engine_do, own).assignee is None


def test_no_confirmation_for_a_task_nobody_or_the_actor_holds(browser, engine_do):
    task_id = engine_do(lambda ctx: humantasks.open_tasks(ctx, casework.start_case(
        ctx, {}, get_user(ctx, "saksbehandler1"), process_key="stafett").id)[0].id)
    response = browser("leder1").post(f"/tasks/{task_id}/assign",
                                      {"assignee": "saksbehandler2"})
    assert response.status_code == 302
    assert _task(engine_do, task_id).assignee == "saksbehandler2"


def test_bulk_reassigning_colleagues_tasks_confirms_first(browser, engine_do):
    held = _claimed_stafett_task(engine_do)
    leader = browser("leder1")
    form = {"task": str(held), "bulk": "assign", "assignee": "saksbehandler2"}
    response = leader.post("/inbox/bulk", form)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and 'id="takeover-form"' in page
    assert "Ja, gi oppgaven fra saksbehandler1 til saksbehandler2" in page
    assert _task(engine_do, held).assignee == "saksbehandler1"
    assert leader.post("/inbox/bulk", {**form, "confirm": "yes"}).status_code == 302
    assert _task(engine_do, held).assignee == "saksbehandler2"
    assert _assigned_events(engine_do, held)[0]["previous"] == "saksbehandler1"


def _enabled_controls(page: str) -> list[str]:
    """The form controls in <main> one can use: not hidden, not in a disabled fieldset."""
    tree = lxml_html.fromstring(page)
    found = []
    for node in tree.xpath("//main//input | //main//textarea | //main//select"
                           " | //main//button"):
        if node.get("type") == "hidden" or node.get("disabled") is not None:
            continue
        if node.xpath("ancestor::fieldset[@disabled]"):
            continue
        found.append(node.get("name") or node.get("id") or node.tag)
    return found


def test_someone_elses_task_shows_its_form_read_only(browser, engine_do):
    task_id = _claimed_stafett_task(engine_do)
    engine_do(lambda ctx: humantasks.save_draft(ctx, task_id, get_user(ctx, "saksbehandler1"),
                                                {"notat": "Halvferdig notat"}))
    page = browser("saksbehandler2").get(f"/tasks/{task_id}").get_data(as_text=True)
    assert 'id="read-only-form"' in page and "data-task-form" not in page
    assert "Oppgaven er tatt av saksbehandler1" in page
    assert "Halvferdig notat" in page            # the values, to read
    assert 'value="complete"' not in page and "Fullfør oppgaven" not in page
    assert _enabled_controls(page) == []
    # the holder has the form to work in
    mine = browser("saksbehandler1").get(f"/tasks/{task_id}").get_data(as_text=True)
    assert "data-task-form" in mine and 'value="complete"' in mine
    assert 'id="read-only-form"' not in mine and "notat" in _enabled_controls(mine)
