"""One place decides who sees a task (engine/access): over the demo data, for every task and
every user, the task page, the task API, the inbox and the case page agree (issue 13,
findings 1 and 2)."""
from __future__ import annotations

from sqlalchemy import select
from web_support import Browser

from engine.access.refusals import REFUSED_READ
from engine.accounts import credentials
from engine.accounts.users import get_user
from engine.cases import demo
from engine.db.models import AuditEvent, Case, HumanTask
from engine.worklist import humantasks
from engine.worklist.humantasks import VIEWS


def _do(env, fn):
    with env.unit_of_work() as ctx:
        return fn(ctx)


def _api_headers(env, username: str) -> dict:
    token = _do(env, lambda ctx: credentials.issue_token(ctx, username))
    return {"Authorization": f"Bearer {token}"}


def _inbox(client, headers) -> set[int]:
    listed = set()
    for view in VIEWS:
        page = 1
        while True:
            body = client.get(f"/api/v1/tasks?view={view}&per_page=200&page={page}",
                              headers=headers).json
            listed |= {t["id"] for t in body["tasks"]}
            if page * body["per_page"] >= body["total"]:
                break
            page += 1
    return listed


def test_task_page_api_inbox_and_case_page_agree_for_every_task_and_user(demo_env, demo_app):
    tasks = _do(demo_env, lambda ctx: [(t.id, t.case_id) for t in ctx.session.scalars(
        select(HumanTask).order_by(HumanTask.id))])
    assert len(tasks) > 10
    seen = {200: 0, 403: 0}
    for username, _roles, _name, _trained, _units in demo.DEMO_USERS:
        browser = Browser(demo_app).login(username, demo.DEMO_PASSWORD)
        api = demo_app.test_client()
        headers = _api_headers(demo_env, username)
        inbox = _inbox(api, headers)
        case_status = {}
        for task_id, case_id in tasks:
            page = browser.get(f"/tasks/{task_id}").status_code
            answer = api.get(f"/api/v1/tasks/{task_id}", headers=headers).status_code
            if case_id not in case_status:
                case_status[case_id] = browser.get(f"/cases/{case_id}").status_code
            assert page in (200, 403), (username, task_id, page)
            assert page == answer == case_status[case_id], (username, task_id, page, answer,
                                                             case_status[case_id])
            if task_id in inbox:
                assert page == 200, (username, task_id, "listed in the inbox but refused")
            seen[page] += 1
    assert seen[200] > 0 and seen[403] > 0, seen  # the demo has both, or the test proves nothing


def test_a_coordinator_cannot_read_a_colleagues_case_through_its_task(demo_env, demo_app):
    """Finding 1: koordinator2 got 200 on the task pages of koordinator1's case."""
    def held_by_koordinator1(ctx):
        return ctx.session.scalar(select(HumanTask.id).where(
            HumanTask.candidate_role == "koordinator", HumanTask.assignee == "koordinator1",
            HumanTask.status == "open"))

    def a_task_of_koordinator1(ctx):
        task_id = held_by_koordinator1(ctx)
        if task_id is None:  # claim an open coordinator task for koordinator1
            task = ctx.session.scalars(select(HumanTask).where(
                HumanTask.candidate_role == "koordinator", HumanTask.status == "open")).first()
            humantasks.claim(ctx, task.id, get_user(ctx, "koordinator1"))
            task_id = task.id
        return task_id
    task_id = _do(demo_env, a_task_of_koordinator1)
    case_id = _do(demo_env, lambda ctx: ctx.session.get(HumanTask, task_id).case_id)
    other_coordinator_tasks = _do(demo_env, lambda ctx: list(ctx.session.scalars(
        select(HumanTask.id).where(HumanTask.case_id == case_id,
                                   (HumanTask.assignee == "koordinator2")
                                   | (HumanTask.completed_by == "koordinator2")))))
    assert other_coordinator_tasks == []  # koordinator2 has nothing to do with the case

    intruder = Browser(demo_app).login("koordinator2", demo.DEMO_PASSWORD)
    response = intruder.get(f"/tasks/{task_id}")
    assert response.status_code == 403
    html = response.get_data(as_text=True)
    case_data = _do(demo_env, lambda ctx: dict(ctx.session.get(Case, case_id).data))
    assert case_data["navn"] not in html
    headers = _api_headers(demo_env, "koordinator2")
    api = demo_app.test_client()
    answer = api.get(f"/api/v1/tasks/{task_id}", headers=headers)
    assert answer.status_code == 403 and case_data["navn"] not in answer.get_data(as_text=True)
    assert task_id not in _inbox(api, headers)
    # the holder reads it
    holder = Browser(demo_app).login("koordinator1", demo.DEMO_PASSWORD)
    assert holder.get(f"/tasks/{task_id}").status_code == 200
    # both refusals are in the audit log, naming the case and the task, not its data
    refusals = _do(demo_env, lambda ctx: [(e.actor, e.case_id, dict(e.details))
                                          for e in ctx.session.scalars(select(AuditEvent).where(
                                              AuditEvent.kind == REFUSED_READ))])
    assert [(actor, case) for actor, case, _ in refusals] == [("koordinator2", case_id)] * 2
    assert all(details["task"] == str(task_id) for _, _, details in refusals)
    assert case_data["navn"] not in repr(refusals)


def test_only_a_supervisor_takes_a_task_a_colleague_holds(demo_env, demo_app):
    """Finding 2: anyone in a role took a colleague's claimed task with `assign`."""
    def claimed_by_saksbehandler1(ctx):
        task = ctx.session.scalars(select(HumanTask).where(
            HumanTask.candidate_role == "saksbehandler", HumanTask.status == "open",
            HumanTask.assignee.is_(None))).first()
        humantasks.claim(ctx, task.id, get_user(ctx, "saksbehandler1"))
        return task.id
    task_id = _do(demo_env, claimed_by_saksbehandler1)
    api = demo_app.test_client()
    colleague = _api_headers(demo_env, "saksbehandler2")
    for assignee in ("saksbehandler2", "saksbehandler1"):
        answer = api.post(f"/api/v1/tasks/{task_id}/assign", json={"assignee": assignee},
                          headers=colleague)
        assert answer.status_code == 403, answer.json
    assert _do(demo_env, lambda ctx: ctx.session.get(HumanTask, task_id).assignee) == \
        "saksbehandler1"
    holder = _api_headers(demo_env, "saksbehandler1")
    assert api.post(f"/api/v1/tasks/{task_id}/complete", json={"data": {}},
                    headers=holder).status_code != 403  # still the holder's to work on
    leader = _api_headers(demo_env, "leder1")
    task_id = _do(demo_env, claimed_by_saksbehandler1)
    answer = api.post(f"/api/v1/tasks/{task_id}/assign", json={"assignee": "saksbehandler2"},
                      headers=leader)
    assert answer.status_code == 200 and answer.json["assignee"] == "saksbehandler2"
    event = _do(demo_env, lambda ctx: ctx.session.scalars(select(AuditEvent).where(
        AuditEvent.kind == "task_assigned").order_by(AuditEvent.id.desc())).first())
    assert (event.actor, event.details["previous"], event.details["assignee"]) == (
        "leder1", "saksbehandler1", "saksbehandler2")
