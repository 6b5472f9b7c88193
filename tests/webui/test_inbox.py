"""The inbox page: views with counts, filters, sorting, paging, saved filters, claim and
bulk actions, overdue and soon-due tasks marked; answered from the task table alone."""
import dataclasses
import re

import pytest

from engine.accounts.users import get_user
from engine.cases import casework
from engine.db.models import HumanTask
from engine.worklist import humantasks


@pytest.fixture
def started(engine_do):
    """started(process, n) -> ids of the first task of n new cases."""
    def run(process="bench_two_user_tasks", n=1):
        def go(ctx):
            officer = get_user(ctx, "saksbehandler1")
            ids = []
            for _ in range(n):
                case = casework.start_case(ctx, {}, officer, process_key=process)
                ids.append(humantasks.open_tasks(ctx, case.id)[0].id)
            return ids
        return engine_do(go)
    return run


def _row_ids(html):
    return [int(i) for i in re.findall(r'<tr class="[^"]*" data-task-id="(\d+)"', html)]


def _counts(html):
    return {key: int(n) for key, n in re.findall(
        r'id="view-(\w+)">\s*\S.*?<span class="count[^"]*">(\d+)</span>', html, re.S)}


def test_views_and_counts(browser, started):
    ids = started(n=3)
    officer = browser("saksbehandler1")
    officer.post(f"/tasks/{ids[0]}/claim")
    html = officer.get("/inbox/").get_data(as_text=True)
    assert _row_ids(html) == [ids[0]]
    assert _counts(html) == {"mine": 1, "roles": 3, "unassigned": 2, "overdue": 0, "completed": 0}
    assert _row_ids(officer.get("/inbox/?view=unassigned").get_data(as_text=True)) == ids[1:]
    assert sorted(_row_ids(officer.get("/inbox/?view=roles").get_data(as_text=True))) == ids
    assert _row_ids(browser("leder1").get("/inbox/?view=roles").get_data(as_text=True)) == []


def test_overdue_and_soon_due_tasks_stand_out(browser, started, web_env):
    [due] = started("frist_test")          # due in 2 days
    [undated] = started()
    officer = browser("saksbehandler1")
    html = officer.get("/inbox/?view=roles").get_data(as_text=True)
    assert f'class="urgency-soon" data-task-id="{due}"' in html
    assert f'class="" data-task-id="{undated}"' in html
    assert "2 dager igjen" in html
    web_env.clock.advance(days=3)
    officer = browser("saksbehandler1")
    html = officer.get("/inbox/?view=overdue").get_data(as_text=True)
    assert _row_ids(html) == [due]
    assert f'class="urgency-overdue" data-task-id="{due}"' in html and "Forfalt" in html
    assert "1 dag på overtid" in html
    assert 'count count-alert">1<' in html


def test_filters_sort_and_paging(browser, started, engine_do):
    bench = started(n=3)
    [frist] = started("frist_test")
    case_number = engine_do(lambda ctx: ctx.session.get(HumanTask, bench[1]).case_number)
    officer = browser("saksbehandler1")
    get = lambda q: _row_ids(officer.get(f"/inbox/?view=roles&{q}").get_data(as_text=True))  # noqa: E731
    assert get("process=frist_test") == [frist]
    assert sorted(get("process=bench_two_user_tasks")) == bench
    assert get("task=Behandle") == [frist]
    assert get(f"case={case_number}") == [bench[1]]
    assert get("priority=2") == [frist]
    assert get("due_from=2026-01-06&due_to=2026-01-07") == [frist]
    assert get("due_from=2026-01-08") == []
    assert get("sort=priority")[0] == frist            # priority 2 before the default 3
    assert get("sort=due")[0] == frist                 # the only one with a due date
    assert len(get("per_page=2")) == 4                 # the page size is the server's
    html = officer.get("/inbox/?view=roles&due_from=2026-13-40").get_data(as_text=True)
    assert "Dato skrives ÅÅÅÅ-MM-DD" in html and 'aria-invalid="true"' in html
    assert len(_row_ids(html)) == 4                    # a bad filter is ignored, and said


def test_paging(app, browser, started):
    app.extensions["samflyt_settings"] = dataclasses.replace(
        app.extensions["samflyt_settings"], case_processes=("bench_two_user_tasks",),
        inbox_page_size=2)
    ids = started(n=5)
    officer = browser("saksbehandler1")
    first = officer.get("/inbox/?view=roles").get_data(as_text=True)
    third = officer.get("/inbox/?view=roles&page=3").get_data(as_text=True)
    assert len(_row_ids(first)) == 2 and len(_row_ids(third)) == 1
    assert "side 1 av 3" in first and 'rel="next"' in first and 'rel="prev"' in third
    pages = _row_ids(first) + _row_ids(officer.get("/inbox/?view=roles&page=2").get_data(
        as_text=True)) + _row_ids(third)
    assert sorted(pages) == ids


def test_saved_filters(browser, started):
    [_frist] = started("frist_test")
    officer = browser("saksbehandler1")
    response = officer.post("/inbox/filters",
                            {"name": "Frister", "back": "view=roles&process=frist_test"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/inbox/?view=roles&process=frist_test"
    html = officer.get("/inbox/").get_data(as_text=True)
    assert '<a href="/inbox/?view=roles&amp;process=frist_test">Frister</a>' in html
    assert "Frister" not in browser("saksbehandler2").get("/inbox/").get_data(as_text=True)
    officer.post("/inbox/filters/delete", {"name": "Frister"})
    assert ">Frister</a>" not in officer.get("/inbox/").get_data(as_text=True)
    nameless = officer.post("/inbox/filters", {"name": "", "back": ""})
    assert nameless.status_code == 302 and nameless.headers["Location"] == "/inbox/"
    assert "Gi filteret et navn" in officer.get("/inbox/").get_data(as_text=True)


def test_saved_filters_follow_the_officer_to_another_browser_and_keep_twelve(browser):
    officer = browser("saksbehandler1")
    for number in range(14):
        officer.post("/inbox/filters",
                     {"name": f"Filter {number}", "back": f"view=roles&page={number}"})
    elsewhere = browser("saksbehandler1")  # a new browser: no cookie of the first one's
    html = elsewhere.get("/inbox/").get_data(as_text=True)
    assert "Filter 0<" not in html and "Filter 1<" not in html  # the oldest went
    assert ">Filter 2</a>" in html and ">Filter 13</a>" in html
    officer.post("/inbox/filters", {"name": "Filter 13", "back": "view=overdue"})  # replaced
    html = elsewhere.get("/inbox/").get_data(as_text=True)
    assert '<a href="/inbox/?view=overdue">Filter 13</a>' in html
    too_long = officer.post("/inbox/filters", {"name": "x" * 61, "back": "view=roles"})
    assert too_long.status_code == 302 and too_long.headers["Location"] == "/inbox/?view=roles"
    assert "høyst 60 tegn" in officer.get("/inbox/").get_data(as_text=True)


def test_claim_unclaim_from_the_inbox(browser, started, engine_do):
    [task_id] = started()
    officer = browser("saksbehandler1")
    response = officer.post(f"/tasks/{task_id}/claim", {"next": "/inbox/"})
    assert response.headers["Location"] == "/inbox/"
    assert engine_do(lambda ctx: ctx.session.get(HumanTask, task_id).assignee) == "saksbehandler1"
    html = officer.get("/inbox/").get_data(as_text=True)
    assert "Du har tatt oppgaven" in html and "Legg tilbake" in html
    officer.post(f"/tasks/{task_id}/unclaim", {"next": "/inbox/"})
    assert engine_do(lambda ctx: ctx.session.get(HumanTask, task_id).assignee) is None


def test_bulk_claim_and_bulk_reassign(browser, started, engine_do):
    ids = started(n=3)
    other = browser("saksbehandler2")
    other.post(f"/tasks/{ids[2]}/claim")
    officer = browser("saksbehandler1")
    from werkzeug.datastructures import MultiDict
    response = officer.post("/inbox/bulk", MultiDict([*(("task", str(i)) for i in ids),
                                                       ("bulk", "claim"), ("back", "view=roles")]))
    assert response.headers["Location"] == "/inbox/?view=roles"
    assignees = engine_do(lambda ctx: [ctx.session.get(HumanTask, i).assignee for i in ids])
    assert assignees == ["saksbehandler1", "saksbehandler1", "saksbehandler2"]
    html = officer.get("/inbox/?view=roles").get_data(as_text=True)
    assert "Du tok 2 oppgaver." in html and "allerede tatt av saksbehandler2" in html
    response = officer.post("/inbox/bulk", MultiDict([("task", str(ids[0])), ("task", str(ids[1])),
                                                       ("bulk", "assign"),
                                                       ("assignee", "saksbehandler2")]))
    assert engine_do(lambda ctx: [ctx.session.get(HumanTask, i).assignee for i in ids]) == [
        "saksbehandler2"] * 3
    assert "2 oppgaver er tildelt." in officer.get("/inbox/").get_data(as_text=True)
    officer.post("/inbox/bulk", {"bulk": "claim"})
    assert "Velg minst én oppgave først." in officer.get("/inbox/").get_data(as_text=True)


def test_a_failed_bulk_assignment_names_the_task_and_the_role_in_words(browser, started,
                                                                      engine_do):
    """Issue 17: «Oppgave 5: Brukeren har ikke rollen» named neither the task nor the role."""
    [task_id] = started()
    leader = browser("leder1")  # a supervisor: the list offers every worker
    from werkzeug.datastructures import MultiDict
    leader.post("/inbox/bulk", MultiDict([("task", str(task_id)), ("bulk", "assign"),
                                          ("assignee", "koordinator1")]))
    html = leader.get("/inbox/").get_data(as_text=True)
    task = engine_do(lambda ctx: ctx.session.get(HumanTask, task_id))
    expected = (f"«{task.name}» i sak {task.case_number}: «koordinator1» har ikke rollen "
                "«Saksbehandler»")
    assert expected in html
    assert f"Oppgave {task_id}" not in html and "saksbehandler»" not in html
    assert engine_do(lambda ctx: ctx.session.get(HumanTask, task_id).assignee) is None


def test_the_inbox_lands_where_the_work_is_and_shows_priority_in_words(browser, started):
    [task_id] = started()
    officer = browser("saksbehandler1")
    html = officer.get("/inbox/").get_data(as_text=True)  # nothing of their own yet
    assert 'id="view-roles">' in html and 'aria-current="page" id="view-roles"' in html
    assert "<h1>Innboks: Mine roller</h1>" in html
    row = html[html.index(f'data-task-id="{task_id}"'):]
    row = row[:row.index("</tr>")]
    assert 'data-label="Prioritet">Normal</td>' in row
    officer.post(f"/tasks/{task_id}/claim")
    html = officer.get("/inbox/").get_data(as_text=True)
    assert 'aria-current="page" id="view-mine"' in html  # now there is work of their own
    html = officer.get("/inbox/?view=unassigned").get_data(as_text=True)
    assert 'aria-current="page" id="view-unassigned"' in html  # a chosen tab stays chosen


def test_inbox_answers_from_the_task_table_alone(browser, api, started, monkeypatch):
    started(n=3)
    started("frist_test")
    officer = browser("saksbehandler1")
    client = api("saksbehandler1")
    from engine.workflow.state import StateSerializer

    def refuse(*args, **kwargs):
        raise AssertionError("the inbox deserialised a workflow")
    monkeypatch.setattr(StateSerializer, "loads", refuse)
    for view in humantasks.VIEWS:
        assert officer.get(f"/inbox/?view={view}").status_code == 200
        assert client.get(f"/api/v1/tasks?view={view}").status_code == 200
    page = officer.get("/inbox/?view=roles&sort=priority").get_data(as_text=True)
    assert len(_row_ids(page)) == 4
    assert client.get("/api/v1/tasks?view=roles").json["total"] == 4
