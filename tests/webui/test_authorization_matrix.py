"""Every role against every route, in the web UI and the API: each role reaches only its
own tasks and actions. A refusal is a 403 (or a flashed refusal for bulk actions), never a
500 and never a silent success. The test fails when a route is added without a row here."""
import io
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from web_support import PASSWORD, ROLE_USERS, all_routes

from engine.accounts import api_tokens
from engine.accounts.users import get_user
from engine.administration import absences
from engine.cases import casework
from engine.db.models import ApiToken, HumanTask, Letter, Notice, Plan
from engine.definitions import store
from engine.letters import drafting, sending
from engine.organisation import units as organisation
from engine.persons import identity, registry
from engine.plans import coordinators, lifecycle, participants
from engine.scheduling.sweep import sweep_once
from engine.worklist import humantasks

ROLES = list(ROLE_USERS)
APPEAL_FORM = {"klage_mottatt": "2026-02-13", "klage_postet": "2026-02-11", "klager": "Kari",
               "klager_rolle": "personen", "grunnlag": "Uenig"}
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
ROOT = Path(__file__).resolve().parents[2]
STEPS = ["saksbehandler", "leder", "koordinerende_enhet", "koordinator"]


class World:
    def __init__(self, env):
        self.env = env

    def do(self, fn):
        with self.env.unit_of_work() as ctx:
            return fn(ctx)

    def task_for(self, role: str) -> int:
        """A new 'stafett' case advanced to the open task of `role`'s lane."""
        def run(ctx):
            officer = get_user(ctx, "saksbehandler1")
            case = casework.start_case(ctx, {}, officer, process_key="stafett")
            for step in STEPS[:STEPS.index(role)]:
                [task] = humantasks.open_tasks(ctx, case.id)
                humantasks.complete(ctx, task.id, get_user(ctx, ROLE_USERS[step]), {"notat": "ok"})
            [task] = humantasks.open_tasks(ctx, case.id)
            assert task.candidate_role == role
            return task.id
        return self.do(run)

    def person(self) -> int:
        """A registered person nobody coordinates."""
        def run(ctx):
            return registry.register(ctx, registry.PersonDetails(
                name="Kari Nordmann", birth_date=date(1970, 3, 1)), "test").id
        return self.do(run)

    def plan(self) -> int:
        """A plan with two versions, coordinated by koordinator2 (not the matrix's user)."""
        def run(ctx):
            person = registry.register(ctx, registry.PersonDetails(
                name="Kari Nordmann", birth_date=date(1970, 3, 1)), "test")
            plan = Plan(person_id=person.id, status="utkast", contributions={},
                        approved_version=0, created_at=ctx.now(), created_by="test",
                        main_goal="Bo hjemme", next_review=date(2027, 1, 4))
            ctx.session.add(plan)
            ctx.session.flush()
            coordinators.appoint(ctx, plan, "koordinator2", "test")
            lifecycle.approve(ctx, plan, "test")
            plan.main_goal = "Bo trygt hjemme"
            lifecycle.approve(ctx, plan, "test")
            return plan.id
        return self.do(run)

    def decided_case(self) -> int:
        """A case with a decision and its appeal deadline."""
        def run(ctx):
            case = casework.start_case(ctx, {}, get_user(ctx, "saksbehandler1"),
                                       process_key="stafett")
            case.facts = {"klagefrist": "2026-02-11", "vedtak_ip": "avslag"}
            return case.id
        return self.do(run)

    def letter(self) -> tuple[int, int]:
        """A case (nobody coordinates it) with a draft decision letter: (case, letter)."""
        def run(ctx):
            case = casework.start_case(ctx, {}, get_user(ctx, "saksbehandler1"),
                                       process_key="stafett")
            letter = drafting.draft(ctx, case, store.latest_version(ctx, "ip_sak"), "vedtak",
                                    "vedtak", {"punkter": []}, {}, None, "test")
            return case.id, letter.id
        return self.do(run)

    def approved_letter(self) -> int:
        """An approved letter (approved by the leader) of a case nobody coordinates."""
        _case, letter_id = self.letter()
        return self.do(lambda ctx: drafting.approve(
            ctx, letter_id, get_user(ctx, "leder1")).id)

    def correction(self) -> int:
        """A correction's draft of an approved letter."""
        letter_id = self.approved_letter()
        return self.do(lambda ctx: drafting.correct(
            ctx, letter_id, get_user(ctx, "saksbehandler1")).id)

    def sent_letter(self) -> int:
        """An approved correction sent on paper (its delivery estimated)."""
        letter_id = self.approved_correction()
        return self.do(lambda ctx: sending.send(
            ctx, letter_id, get_user(ctx, "saksbehandler1"), "papir", None, None,
            correction_only=True).id)

    def approved_correction(self) -> int:
        correction = self.correction()
        return self.do(lambda ctx: drafting.approve(
            ctx, correction, get_user(ctx, "leder1")).id)

    def person_of(self, plan_id: int) -> int:
        return self.do(lambda ctx: ctx.session.get(Plan, plan_id).person_id)

    def unborn(self) -> int:
        return self.do(lambda ctx: registry.register(ctx, registry.PersonDetails(
            name="Barn", due_date=date(2026, 3, 1)), "test").id)

    def newborn_number(self) -> str:
        self.serial = getattr(self, "serial", 500) + 1
        return identity.synthetic(date(2025, 12, 24), self.serial)

    def participant(self) -> tuple[int, int, int]:
        """A plan with a participant and their consent: (plan, participant, consent)."""
        plan_id = self.plan()

        def run(ctx):
            plan = ctx.session.get(Plan, plan_id)
            who = participants.add(ctx, plan, "test", name="NAV", role="Veileder")
            consent = participants.give_consent(
                ctx, plan, "test", participant_id=who.id, scope="hele_planen",
                given_by_name="Kari Nordmann", given_by_role="personen",
                given_on=date(2026, 1, 5))
            return who.id, consent.id
        return (plan_id, *self.do(run))

    def case_of(self, task_id: int) -> int:
        return self.do(lambda ctx: ctx.session.get(HumanTask, task_id).case_id)

    def task(self, task_id: int) -> HumanTask:
        return self.do(lambda ctx: ctx.session.get(HumanTask, task_id))

    def notice_for_saksbehandler(self) -> int:
        def run(ctx):
            case = casework.start_case(ctx, {}, get_user(ctx, "saksbehandler1"),
                                       process_key="frist_test")
            return case.id
        case_id = self.do(run)
        before = self.env.clock()
        self.env.clock.advance(days=4)
        self.do(sweep_once)
        self.env.clock.set(before)  # (so that the signed-in sessions do not time out)
        return self.do(lambda ctx: ctx.session.query(Notice).filter_by(
            case_id=case_id, kind="test_reminder").one().id)


@pytest.fixture
def world(web_env):
    return World(web_env)


OWN_TASK_ROLES = set(STEPS)  # admin has no lane


def _expect_task_route(role, task_role, ok):
    return ok if role == task_role else 403


def _expect_task_view(role, task_role):
    """A task is seen as its case: the case-working roles and admin (limited) see every
    task; a coordinator only a case where a task waits for the role (engine/access)."""
    return 200 if role != "koordinator" or task_role == "koordinator" else 403


def _html_cases(world, browser):
    """(rule, method, role, url/data builder) -> check. Returns rows (rule, role, fn)."""
    rows = []

    def add(rule, fn):
        for role in ROLES:
            rows.append((rule, role, fn))

    def tasks_show(client, role):
        for task_role in STEPS:
            task_id = world.task_for(task_role)
            response = client.get(f"/tasks/{task_id}")
            _status(response, _expect_task_view(role, task_role))
            if role == "admin":  # the task's course, none of the person's data or the form
                assert 'name="notat"' not in response.get_data(as_text=True)
    add("/tasks/<dbid:task_id>|GET", tasks_show)

    def tasks_submit(client, role):
        for task_role in STEPS:
            task_id = world.task_for(task_role)
            response = client.post(f"/tasks/{task_id}", {"notat": "Notat", "_action": "complete"})
            # the stafett's next task is another role's: back to the inbox
            _status(response, _expect_task_route(role, task_role, 302), to="/inbox/")
            assert world.task(task_id).status == ("completed" if role == task_role else "open")
            task_id = world.task_for(task_role)
            response = client.post(f"/tasks/{task_id}", {"notat": "Utkast", "_action": "draft"})
            _status(response, _expect_task_route(role, task_role, 302), to=f"/tasks/{task_id}")
            assert world.task(task_id).draft == ({"notat": "Utkast"} if role == task_role else None)
    add("/tasks/<dbid:task_id>|POST", tasks_submit)

    def claim(client, role):
        for task_role in STEPS:
            task_id = world.task_for(task_role)
            _status(client.post(f"/tasks/{task_id}/claim"),
                    _expect_task_route(role, task_role, 302), to=f"/tasks/{task_id}")
            assert world.task(task_id).assignee == (ROLE_USERS[role] if role == task_role else None)
    add("/tasks/<dbid:task_id>/claim|POST", claim)

    def unclaim(client, role):
        supervisor = role in ("leder", "koordinerende_enhet", "admin")
        for task_role in STEPS:
            task_id = world.task_for(task_role)
            world.do(lambda ctx, task_id=task_id, task_role=task_role: humantasks.claim(
                ctx, task_id, get_user(ctx, ROLE_USERS[task_role])))
            allowed = role == task_role or supervisor
            # a colleague's task: confirmed (the confirmation has its own test)
            _status(client.post(f"/tasks/{task_id}/unclaim", {"confirm": "yes"}),
                    302 if allowed else 403, to=f"/tasks/{task_id}")
            assert (world.task(task_id).assignee is None) == allowed
    add("/tasks/<dbid:task_id>/unclaim|POST", unclaim)

    def assign(client, role):
        supervisor = role in ("leder", "koordinerende_enhet", "admin")
        for task_role in STEPS:
            task_id = world.task_for(task_role)
            target = {"saksbehandler": "saksbehandler2", "koordinator": "koordinator2"}.get(
                task_role, ROLE_USERS[task_role])
            allowed = role == task_role or supervisor
            response = client.post(f"/tasks/{task_id}/assign", {"assignee": target})
            _status(response, 302 if allowed else 403, to=f"/tasks/{task_id}")
            assert (world.task(task_id).assignee == target) == allowed
    add("/tasks/<dbid:task_id>/assign|POST", assign)

    def bulk(client, role):
        for task_role in STEPS:
            task_id = world.task_for(task_role)
            response = client.post("/inbox/bulk", {"task": str(task_id), "bulk": "claim"})
            _status(response, 302, to="/inbox/")  # a refusal is flashed there
            assert world.task(task_id).assignee == (ROLE_USERS[role] if role == task_role else None)
    add("/inbox/bulk|POST", bulk)

    add("/cases/new|GET", lambda client, role: _status(
        client.get("/cases/new?process=stafett"), 200 if role == "saksbehandler" else 403))
    add("/cases/new|POST", lambda client, role: _status(
        client.post("/cases/new", {"process": "stafett"}), 302 if role == "saksbehandler" else 403,
        to=re.compile(r"/tasks/\d+")))  # the registering officer goes on with the first task

    searchers = ("saksbehandler", "leder", "koordinerende_enhet", "koordinator")
    add("/cases/|GET", lambda client, role: _status(
        client.get("/cases/?q=nordmann"), 200 if role in searchers else 403))
    add("/persons/|GET", lambda client, role: _status(
        client.get("/persons/?q=nordmann"), 200 if role in searchers[:3] else 403))

    def person_page(client, role):
        person_id = world.person()
        _status(client.get(f"/persons/{person_id}"), 200 if role in searchers[:3] else 403)
        _status(client.get("/persons/999999"), 404)
    add("/persons/<dbid:person_id>|GET", person_page)
    add("/persons/<dbid:person_id>|POST", lambda client, role: _status(
        client.post(f"/persons/{world.person()}", {"name": "Kari Nordmann", "version": "1",
                                                    "preferred_channel": "paper"}),
        302 if role in searchers[:3] else 403, to=re.compile(r"/persons/\d+$")))
    add("/persons/<dbid:person_id>/relations|POST", lambda client, role: _status(
        client.post(f"/persons/{world.person()}/relations", {
            "kind": "verge", "related_name": "Ola Verge", "related_birth_date": "1960-01-01"}),
        302 if role in searchers[:3] else 403, to=re.compile(r"/persons/\d+#relations-title")))

    add("/letters/<dbid:letter_id>/correct|POST", lambda client, role: _status(
        client.post(f"/letters/{world.approved_letter()}/correct"),
        302 if role in ("saksbehandler", "leder") else 403,
        to=re.compile(r"/cases/\d+#letters-title")))
    add("/letters/<dbid:letter_id>/approve|POST", lambda client, role: _status(
        client.post(f"/letters/{world.correction()}/approve"),
        302 if role == "leder" else 403, to=re.compile(r"/cases/\d+#letters-title")))
    add("/letters/<dbid:letter_id>/send|POST", lambda client, role: _status(
        client.post(f"/letters/{world.approved_correction()}/send", {"kanal": "papir"}),
        302 if role in ("saksbehandler", "leder") else 403,
        to=re.compile(r"/cases/\d+#letters-title")))
    def enter_delivery(client, role):
        letter_id = world.sent_letter()
        copy_id = world.do(lambda ctx: ctx.session.get(Letter, letter_id).recipients[0].id)
        _status(client.post(f"/letters/{letter_id}/copies/{copy_id}/delivered",
                            {"leveringsdato": world.env.clock().date().isoformat()}),
                302 if role in ("saksbehandler", "leder") else 403,
                to=re.compile(r"/cases/\d+#letters-title"))
    add("/letters/<dbid:letter_id>/copies/<dbid:copy_id>/delivered|POST", enter_delivery)
    add("/letters/<dbid:letter_id>.pdf|GET", lambda client, role: _status(
        client.get(f"/letters/{world.letter()[1]}.pdf"),
        200 if role in searchers[:3] else 403))

    def first_copy(letter_id: int) -> int:
        return world.do(lambda ctx: ctx.session.get(Letter, letter_id).recipients[0].id)

    def copy_pdf(client, role):
        letter_id = world.letter()[1]
        _status(client.get(f"/letters/{letter_id}/copies/{first_copy(letter_id)}.pdf"),
                200 if role in searchers[:3] else 403)
    add("/letters/<dbid:letter_id>/copies/<dbid:copy_id>.pdf|GET", copy_pdf)

    def copy_language(client, role):
        letter_id = world.letter()[1]
        copy_id = first_copy(letter_id)
        _status(client.post(f"/letters/{letter_id}/copies/{copy_id}/language",
                            {"malform": "nn"}),
                302 if role in ("saksbehandler", "leder") else 403,
                to=re.compile(r"/cases/\d+#letters-title"))
        changed = world.do(lambda ctx: ctx.session.get(Letter, letter_id).recipients[0].language)
        assert (changed == "nn") == (role in ("saksbehandler", "leder"))
    add("/letters/<dbid:letter_id>/copies/<dbid:copy_id>/language|POST", copy_language)

    def read_log(client, role):
        person_id = world.person()
        for path in (f"/persons/{person_id}/read-log", f"/persons/{person_id}/read-log.pdf"):
            _status(client.get(path), 200 if role in searchers[:3] else 403)
    add("/persons/<dbid:person_id>/read-log|GET", read_log)
    add("/persons/<dbid:person_id>/read-log.pdf|GET", read_log)
    add("/audit/|GET", lambda client, role: _status(
        client.get("/audit/"), 200 if role == "koordinerende_enhet" else 403))

    # administration (/admin): the groups of engine/accounts/roles.py, spelled out here
    user_admin, training, unit_admin = {"admin"}, {"koordinerende_enhet"}, {
        "admin", "koordinerende_enhet"}
    absence_roles = {"koordinerende_enhet", "leder"}

    def only(allowed, ok):
        return lambda role: ok if role in allowed else 403
    for rule, path, allowed in (
            ("/admin/|GET", "/admin/", user_admin | unit_admin | absence_roles),
            ("/admin/users|GET", "/admin/users", user_admin | training),
            ("/admin/users/new|GET", "/admin/users/new", user_admin),
            ("/admin/tokens|GET", "/admin/tokens", user_admin),
            ("/admin/units|GET", "/admin/units", unit_admin),
            ("/admin/absences|GET", "/admin/absences", absence_roles)):
        add(rule, lambda client, role, path=path, allowed=allowed: _status(
            client.get(path), only(allowed, 200)(role)))

    def redirect_or_403(response, role, allowed, to):
        _status(response, only(allowed, 302)(role), to=to if role in allowed else None)
    add("/admin/users/new|POST", lambda client, role: _status(  # invalid: nothing is added
        client.post("/admin/users/new", {"username": "", "password": ""}),
        only(user_admin, 422)(role)))
    add("/admin/users/<username>/roles|POST", lambda client, role: redirect_or_403(
        client.post("/admin/users/saksbehandler2/roles", {"roles": ["saksbehandler"]}),
        role, user_admin, "/admin/users"))
    add("/admin/users/<username>/active|POST", lambda client, role: redirect_or_403(
        client.post("/admin/users/saksbehandler2/active", {"active": "1"}),
        role, user_admin, "/admin/users"))
    add("/admin/users/<username>/trained|POST", lambda client, role: redirect_or_403(
        client.post("/admin/users/koordinator2/trained", {"trained_coordinator": "1"}),
        role, training, "/admin/users"))

    def revoke_token(client, role):
        token_id = world.do(lambda ctx: api_tokens.issue(ctx, "saksbehandler2", "robot")[0].id)
        redirect_or_403(client.post(f"/admin/tokens/{token_id}/revoke"), role, user_admin,
                        "/admin/tokens")
    add("/admin/tokens/<dbid:token_id>/revoke|POST", revoke_token)
    add("/admin/units|POST", lambda client, role: _status(  # invalid: nothing is added
        client.post("/admin/units", {"key": "", "name": "", "kind": ""}),
        only(unit_admin, 422)(role)))
    add("/admin/units/<key>/members|POST", lambda client, role: redirect_or_403(
        client.post("/admin/units/forvaltningskontoret/members",
                    {"username": "saksbehandler2", "home": "1"}),
        role, unit_admin, "/admin/units#unit-forvaltningskontoret"))
    add("/admin/units/<key>/members/remove|POST", lambda client, role: _status(
        client.post("/admin/units/forvaltningskontoret/members/remove", {"username": "ingen"}),
        only(unit_admin, 422)(role)))
    add("/admin/absences|POST", lambda client, role: _status(  # invalid: nothing is added
        client.post("/admin/absences", {"username": "", "stand_in": ""}),
        only(absence_roles, 422)(role)))

    def end_absence(client, role):
        def run(ctx):
            later = ctx.today() + timedelta(days=30)
            return absences.add_absence(ctx, get_user(ctx, "koordinerende1"), "saksbehandler2",
                                        "saksbehandler1", later, later).id
        absence_id = world.do(run)
        redirect_or_403(client.post(f"/admin/absences/{absence_id}/end"), role, absence_roles,
                        "/admin/absences")
    add("/admin/absences/<dbid:absence_id>/end|POST", end_absence)

    def plan_pages(client, role):
        plan_id = world.plan()
        readers = searchers[:3]
        for path in (f"/plans/{plan_id}", f"/plans/{plan_id}.pdf",
                     f"/plans/{plan_id}/versions/1/compare/2", f"/plans/{plan_id}/versions/2"):
            _status(client.get(path), 200 if role in readers else 403)
        _status(client.get("/plans/999999"), 404)
    add("/plans/<dbid:plan_id>|GET", plan_pages)
    add("/plans/<dbid:plan_id>.pdf|GET", plan_pages)
    add("/plans/<dbid:plan_id>/versions/<dbid:older>/compare/<dbid:newer>|GET", plan_pages)
    add("/plans/<dbid:plan_id>/versions/<dbid:number>|GET", plan_pages)
    add("/plans/<dbid:plan_id>/meetings|POST", lambda client, role: _status(
        client.post(f"/plans/{world.plan()}/meetings", {
            "held_on": "2026-01-05", "attendees": "Kari Nordmann", "minutes": "Møte"}),
        302 if role in searchers[:3] else 403, to=re.compile(r"/plans/\d+#section-moter")))
    add("/plans/<dbid:plan_id>/participants|POST", lambda client, role: _status(
        client.post(f"/plans/{world.plan()}/participants", {"name": "NAV", "role": "Veileder"}),
        302 if role in searchers[:3] else 403, to=re.compile(r"/plans/\d+#section-deltakere")))

    def withdraw_on_page(client, role):
        plan_id, _participant_id, consent_id = world.participant()
        _status(client.post(f"/plans/{plan_id}/consents/{consent_id}/withdraw"),
                302 if role in searchers[:3] else 403,
                to=re.compile(r"/plans/\d+#section-deltakere"))
    add("/plans/<dbid:plan_id>/consents/<dbid:consent_id>/withdraw|POST", withdraw_on_page)
    add("/plans/mine|GET", lambda client, role: _status(client.get("/plans/mine"), 200))
    add("/plans/|GET", lambda client, role: _status(
        client.get("/plans/"), 200 if role in searchers[:3] else 403))

    def appeal_page(client, role):
        case_id = world.decided_case()
        _status(client.get(f"/cases/{case_id}/appeal"), 200 if role == "saksbehandler" else 403)
    add("/cases/<dbid:case_id>/appeal|GET", appeal_page)

    def appeal_post(client, role):
        case_id = world.decided_case()
        _status(client.post(f"/cases/{case_id}/appeal", APPEAL_FORM),
                302 if role == "saksbehandler" else 403, to=re.compile(r"/cases/\d+$"))
    add("/cases/<dbid:case_id>/appeal|POST", appeal_post)

    def emergency_access(client, role):
        case_id = world.letter()[0]
        # whoever reads it already is told so (409); the administrator never (403)
        expected = {"koordinator": 302, "admin": 403}.get(role, 409)
        response = client.post(f"/cases/{case_id}/override",
                               {"reason": "Legevakten trenger opplysningene nå"})
        if expected == 302:
            _status(response, 302, to=f"/cases/{case_id}")
        else:
            _status(response, expected)
    add("/cases/<dbid:case_id>/override|POST", emergency_access)

    def move_case(client, role):
        case_id = world.letter()[0]
        unit_id = world.do(lambda ctx: (organisation.find_unit(ctx, "matrise") or
                                        organisation.add_unit(ctx, "matrise", "Matrise",
                                                              "annen")).id)
        response = client.post(f"/cases/{case_id}/unit",
                               {"unit": str(unit_id), "reason": "Tjenestene gis der"})
        if role in ("leder", "koordinerende_enhet"):
            _status(response, 302, to=f"/cases/{case_id}")
        else:
            _status(response, 403)
    add("/cases/<dbid:case_id>/unit|POST", move_case)

    def case_page(client, role):
        task_id = world.task_for("saksbehandler")
        case_id = world.case_of(task_id)
        expected = {"saksbehandler": 200, "leder": 200, "koordinerende_enhet": 200,
                    "koordinator": 403, "admin": 200}[role]
        response = client.get(f"/cases/{case_id}")
        _status(response, expected)
        html = response.get_data(as_text=True)
        if role == "admin":
            assert 'id="person-data"' not in html and "ser sakens gang" in html
        # a coordinator reads a case where a task of the role waits (or is theirs)
        coordinator_task = world.task_for("koordinator")
        _status(client.get(f"/cases/{world.case_of(coordinator_task)}"), 200)
        _status(client.get("/cases/999999"), 404)
    add("/cases/<dbid:case_id>|GET", case_page)

    def notices_ack(client, role):
        notice_id = world.notice_for_saksbehandler()
        _status(client.get("/notices/"), 200)
        _status(client.post(f"/notices/{notice_id}/ack"), 302 if role == "saksbehandler" else 403,
                to="/notices/")
    add("/notices/<dbid:notice_id>/ack|POST", notices_ack)

    library_roles = ("koordinerende_enhet", "admin")
    for rule, path in (("/processes/|GET", "/processes/"),
                       ("/processes/<key>|GET", "/processes/ip_sak"),
                       ("/processes/<key>/diff|GET", "/processes/ip_sak/diff?from=1&to=1"),
                       ("/processes/<key>/heatmap.json|GET", "/processes/ip_sak/heatmap.json"),
                       ("/processes/<key>/migrations|GET", "/processes/ip_sak/migrations"),
                       ("/processes/<key>/edit|GET", "/processes/ip_sak/edit"),
                       ("/processes/<key>/files/<name>|GET", "/processes/ip_sak/files/ip_sak.bpmn"),
                       ("/processes/<key>/forms|GET", "/processes/ip_sak/forms"),
                       ("/processes/<key>/forms/<name>/edit|GET",
                        "/processes/ip_sak/forms/soknad.json/edit"),
                       ("/processes/<key>/decisions|GET", "/processes/ip_sak/decisions"),
                       ("/processes/<key>/decisions/<name>/edit|GET",
                        "/processes/ip_sak/decisions/vurdering_rett.dmn/edit"),
                       ("/processes/<key>/letters|GET", "/processes/ip_sak/letters"),
                       ("/processes/<key>/letters/<name>/edit|GET",
                        "/processes/ip_sak/letters/vedtak.nb.html.j2/edit")):
        add(rule, lambda client, role, path=path: _status(
            client.get(path), 200 if role in library_roles else 403))

    def unit_or_403(ok):
        return lambda role: ok if role in library_roles else 403

    forms_index = "/processes/ip_sak/forms"  # where a discard without `back` returns

    add("/processes/upload|POST", lambda client, role: _status(client.post(
        "/processes/upload", {"files": [(io.BytesIO(b"<x"), "feil.bpmn")]},
        content_type="multipart/form-data"), unit_or_403(422)(role)))
    add("/processes/<key>/migrations|POST", lambda client, role: _status(
        client.post("/processes/stafett/migrations", {"action": "all"}), unit_or_403(200)(role)))
    add("/processes/<key>/forms/<name>/preview|POST", lambda client, role: _status(
        client.post("/processes/ip_sak/forms/soknad.json/preview",
                    {"schema": '{"type": "object", "properties": {}}'}), unit_or_403(200)(role)))

    add("/processes/<key>/letters/<name>/preview|POST", lambda client, role: _status(
        client.post("/processes/ip_sak/letters/vedtak.nb.html.j2/preview",
                    {"template": "{% extends 'brev_ramme.html.j2' %}"}),
        unit_or_403(200)(role)))

    def draft_then_discard(client, role, path, field, content, discard):
        """A draft saved (or refused), then removed again so no later test deploys it. The
        save returns to the file's editor, the discard to the forms index."""
        _status(client.post(path, {field: content}), unit_or_403(302)(role),
                to=path.removesuffix("/draft") + "/edit")
        _status(client.post(discard[0], discard[1]), unit_or_403(discard[2])(role),
                to=forms_index)

    stafett = (FIXTURES / "webui" / "stafett.bpmn").read_text(encoding="utf-8")
    add("/processes/<key>/forms/<name>/draft|POST", lambda client, role: draft_then_discard(
        client, role, "/processes/ip_sak/forms/soknad.json/draft", "schema",
        '{"type": "object", "properties": {}}',
        ("/processes/ip_sak/definitions/discard", {"file": "soknad.json"}, 302)))
    add("/processes/<key>/decisions/<name>/draft|POST", lambda client, role: draft_then_discard(
        client, role, "/processes/ip_sak/decisions/vurdering_rett.dmn/draft", "xml",
        (ROOT / "processes" / "dmn" / "vurdering_rett.dmn").read_text(encoding="utf-8"),
        ("/processes/ip_sak/definitions/discard", {"file": "vurdering_rett.dmn"}, 302)))
    add("/processes/<key>/letters/<name>/draft|POST", lambda client, role: draft_then_discard(
        client, role, "/processes/ip_sak/letters/vedtak.nb.html.j2/draft", "template",
        (ROOT / "processes" / "letters" / "vedtak.nb.html.j2").read_text(encoding="utf-8"),
        ("/processes/ip_sak/definitions/discard", {"file": "vedtak.nb.html.j2"}, 302)))
    add("/processes/<key>/definitions/discard|POST", lambda client, role: _status(
        client.post("/processes/ip_sak/definitions/discard", {"file": "soknad.json"}),
        unit_or_403(302)(role), to=forms_index))
    add("/processes/<key>/definitions/deploy|POST", lambda client, role: _status(
        client.post("/processes/ip_sak/definitions/deploy"), unit_or_403(409)(role)))

    def json_post(client, path, body=None):
        if client._token is None:
            client.get("/login")
        return client.client.post(path, json=body, headers={"X-CSRFToken": client._token},
                                  base_url=client.base_url)

    def bpmn_draft(client, role):
        _status(json_post(client, "/processes/stafett/drafts/stafett.bpmn", {"content": stafett}),
                unit_or_403(200)(role))
        _status(json_post(client, "/processes/stafett/drafts/discard"), unit_or_403(200)(role))
    add("/processes/<key>/drafts/<name>|POST", bpmn_draft)
    add("/processes/<key>/drafts/discard|POST", lambda client, role: _status(
        json_post(client, "/processes/stafett/drafts/discard"), unit_or_403(200)(role)))
    add("/processes/<key>/deploy|POST", lambda client, role: _status(
        json_post(client, "/processes/stafett/deploy"), unit_or_403(404)(role)))

    for rule, path in (("/inbox/|GET", "/inbox/"), ("/notices/|GET", "/notices/"),
                       ("/status|GET", "/status"), ("/healthz|GET", "/healthz"),
                       ("/status/live|GET", "/status/live")):
        add(rule, lambda client, role, path=path: _status(client.get(path), 200))
    add("/|GET", lambda client, role: _status(client.get("/"), 302, to="/inbox/"))
    # signed in already: the sign-in page goes on to the inbox
    add("/login|GET", lambda client, role: _status(client.get("/login"), 302, to="/inbox/"))

    def sign_in_again(client, role):
        """Signing in anew (details in test_auth) starts a new session: fetch its token."""
        _status(client.post("/login", {"username": ROLE_USERS[role], "password": PASSWORD}),
                302, to="/inbox/")
        client._token = None
        _status(client.get("/inbox/"), 200)
    add("/login|POST", sign_in_again)
    add("/inbox/filters|POST", lambda client, role: _status(
        client.post("/inbox/filters", {"name": "Mitt", "back": "view=roles"}), 302,
        to="/inbox/?view=roles"))
    add("/inbox/filters/delete|POST", lambda client, role: _status(
        client.post("/inbox/filters/delete", {"name": "Mitt"}), 302, to="/inbox/"))
    add("/lang|POST", lambda client, role: _status(client.post("/lang", {"lang": "nb"}), 302,
                                                   to="/inbox/"))

    def sign_out(client, role):
        """The last row: afterwards the inbox asks for sign-in."""
        _status(client.post("/logout"), 302, to="/login")
        _status(client.get("/inbox/"), 302, to="/login?next=/inbox/")
    add("/logout|POST", sign_out)
    return rows


def _status(response, expected: int, to: str | re.Pattern | None = None):
    """Exactly the `expected` status; a redirect goes exactly to `to` (path and query, a
    string or a pattern), which for a signed-in user allowed to act is never the sign-in
    page."""
    location = response.headers.get("Location")
    assert response.status_code == expected, (response.status_code, location)
    if expected != 302:
        return
    assert to is not None, "a redirect row must say where it goes"
    if isinstance(to, re.Pattern):
        assert to.fullmatch(location), location
    else:
        assert location == to, location


def _api_rows(world, api):
    rows = []

    def add(rule, fn):
        for role in ROLES:
            rows.append((rule, role, fn))

    def start(client, role):
        response = client.post("/api/v1/cases", json={"process": "stafett", "data": {}})
        _status(response, 201 if role == "saksbehandler" else 403)
    add("/api/v1/cases|POST", start)

    def get_case(client, role):
        case_id = world.case_of(world.task_for("leder"))
        expected = 403 if role == "koordinator" else 200
        _status(client.get(f"/api/v1/cases/{case_id}"), expected)
    add("/api/v1/cases/<dbid:case_id>|GET", get_case)

    caseworkers = ("saksbehandler", "leder", "koordinerende_enhet")
    add("/api/v1/cases/<dbid:case_id>/appeals|POST", lambda client, role: _status(
        client.post(f"/api/v1/cases/{world.decided_case()}/appeals", json={"data": {
            **APPEAL_FORM, "gjelder": ["ip"]}}), 201 if role == "saksbehandler" else 403))
    add("/api/v1/cases/<dbid:case_id>/letters|GET", lambda client, role: _status(
        client.get(f"/api/v1/cases/{world.letter()[0]}/letters"),
        200 if role in caseworkers else 403))
    add("/api/v1/letters/<dbid:letter_id>/pdf|GET", lambda client, role: _status(
        client.get(f"/api/v1/letters/{world.letter()[1]}/pdf"),
        200 if role in caseworkers else 403))
    add("/api/v1/persons/<dbid:person_id>/read-log|GET", lambda client, role: _status(
        client.get(f"/api/v1/persons/{world.person()}/read-log"),
        200 if role in caseworkers else 403))

    def api_copy_pdf(client, role):
        letter_id = world.letter()[1]
        copy_id = world.do(lambda ctx: ctx.session.get(Letter, letter_id).recipients[0].id)
        _status(client.get(f"/api/v1/letters/{letter_id}/copies/{copy_id}/pdf"),
                200 if role in caseworkers else 403)
    add("/api/v1/letters/<dbid:letter_id>/copies/<dbid:copy_id>/pdf|GET", api_copy_pdf)
    add("/api/v1/reports/kpr|GET", lambda client, role: _status(
        client.get("/api/v1/reports/kpr?year=2025"),
        200 if role in ("leder", "koordinerende_enhet") else 403))
    add("/api/v1/cases|GET", lambda client, role: _status(
        client.get("/api/v1/cases?q=nordmann"), 403 if role == "admin" else 200))
    add("/api/v1/persons|GET", lambda client, role: _status(
        client.get("/api/v1/persons?q=nordmann"), 200 if role in caseworkers else 403))
    add("/api/v1/persons|POST", lambda client, role: _status(
        client.post("/api/v1/persons", json={"name": "Ola", "birth_date": "1990-01-01"}),
        201 if role in caseworkers else 403))
    add("/api/v1/persons/<dbid:person_id>|GET", lambda client, role: _status(
        client.get(f"/api/v1/persons/{world.person()}"), 200 if role in caseworkers else 403))
    add("/api/v1/persons/<dbid:person_id>/relations|POST", lambda client, role: _status(
        client.post(f"/api/v1/persons/{world.person()}/relations",
                    json={"related_id": world.person(), "kind": "verge"}),
        201 if role in caseworkers else 403))
    add("/api/v1/persons/<dbid:person_id>/birth|POST", lambda client, role: _status(
        client.post(f"/api/v1/persons/{world.unborn()}/birth",
                    json={"national_id": world.newborn_number()}),
        200 if role in caseworkers else 403))
    add("/api/v1/persons/<dbid:person_id>/plan|GET", lambda client, role: _status(
        client.get(f"/api/v1/persons/{world.person_of(world.plan())}/plan"),
        200 if role in caseworkers else 403))
    for rule, suffix in (("/api/v1/plans/<dbid:plan_id>|GET", ""),
                         ("/api/v1/plans/<dbid:plan_id>/versions|GET", "/versions"),
                         ("/api/v1/plans/<dbid:plan_id>/versions/<dbid:number>|GET",
                          "/versions/1"),
                         (("/api/v1/plans/<dbid:plan_id>/versions/<dbid:older>/compare/"
                           "<dbid:newer>|GET"), "/versions/1/compare/2")):
        add(rule, lambda client, role, suffix=suffix: _status(
            client.get(f"/api/v1/plans/{world.plan()}{suffix}"),
            200 if role in caseworkers else 403))
    add("/api/v1/plans/<dbid:plan_id>/participants|POST", lambda client, role: _status(
        client.post(f"/api/v1/plans/{world.plan()}/participants",
                    json={"name": "NAV", "role": "Veileder"}),
        201 if role in caseworkers else 403))

    def remove_participant(client, role):
        plan_id, participant_id, _consent_id = world.participant()
        _status(client.delete(f"/api/v1/plans/{plan_id}/participants/{participant_id}"),
                204 if role in caseworkers else 403)
    add("/api/v1/plans/<dbid:plan_id>/participants/<dbid:participant_id>|DELETE",
        remove_participant)
    add("/api/v1/plans/<dbid:plan_id>/consents|POST", lambda client, role: _status(
        client.post(f"/api/v1/plans/{world.plan()}/consents", json={
            "scope": "planen", "given_by_name": "Kari Nordmann", "given_by_role": "personen",
            "given_on": "2026-01-05"}), 201 if role in caseworkers else 403))

    def withdraw(client, role):
        plan_id, _participant_id, consent_id = world.participant()
        _status(client.post(f"/api/v1/plans/{plan_id}/consents/{consent_id}/withdraw"),
                200 if role in caseworkers else 403)
    add("/api/v1/plans/<dbid:plan_id>/consents/<dbid:consent_id>/withdraw|POST", withdraw)
    add("/api/v1/plans/<dbid:plan_id>/meetings|POST", lambda client, role: _status(
        client.post(f"/api/v1/plans/{world.plan()}/meetings", json={
            "held_on": "2026-01-05", "attendees": ["Kari Nordmann"]}),
        201 if role in caseworkers else 403))

    def list_tasks(client, role):
        task_id = world.task_for("leder")
        response = client.get("/api/v1/tasks?view=roles&per_page=200")
        _status(response, 200)
        listed = {t["id"] for t in response.json["tasks"]}
        assert (task_id in listed) == (role == "leder")
    add("/api/v1/tasks|GET", list_tasks)

    def get_task(client, role):
        for task_role in STEPS:
            task_id = world.task_for(task_role)
            response = client.get(f"/api/v1/tasks/{task_id}")
            _status(response, _expect_task_view(role, task_role))
            if response.status_code == 200:
                body = response.json
                assert body["id"] == task_id
                assert body["access"] == ("limited" if role == "admin" else "full")
                assert (body["form_schema"] is None) == (role == "admin")
    add("/api/v1/tasks/<dbid:task_id>|GET", get_task)

    def action(name, body, allowed):
        def run(client, role):
            for task_role in STEPS:
                task_id = world.task_for(task_role)
                if name == "unclaim":
                    world.do(lambda ctx, task_id=task_id, task_role=task_role: (
                        humantasks.claim(ctx, task_id, get_user(ctx, ROLE_USERS[task_role]))))
                payload = body(task_role) if callable(body) else body
                response = client.post(f"/api/v1/tasks/{task_id}/{name}", json=payload)
                ok = allowed(role, task_role)
                assert response.status_code == (200 if ok else 403), (name, role, task_role,
                                                                      response.json)
        return run
    supervisor = lambda role: role in ("leder", "koordinerende_enhet", "admin")  # noqa: E731
    add("/api/v1/tasks/<dbid:task_id>/claim|POST", action("claim", {}, lambda r, t: r == t))
    add("/api/v1/tasks/<dbid:task_id>/unclaim|POST",
        action("unclaim", {}, lambda r, t: r == t or supervisor(r)))
    add("/api/v1/tasks/<dbid:task_id>/assign|POST", action(
        "assign", lambda t: {"assignee": ROLE_USERS[t]}, lambda r, t: r == t or supervisor(r)))
    add("/api/v1/tasks/<dbid:task_id>/complete|POST",
        action("complete", {"data": {"notat": "ok"}}, lambda r, t: r == t))
    add("/api/v1/notices|GET", lambda client, role: _status(client.get("/api/v1/notices"), 200))

    def tokens(client, role):  # every role manages its own tokens, and only its own
        issued = client.post("/api/v1/tokens", json={"name": f"matrise {role}", "days": 1})
        _status(issued, 201)
        listed = client.get("/api/v1/tokens")
        _status(listed, 200)
        assert issued.json["id"] in {t["id"] for t in listed.json["tokens"]}
        _status(client.delete(f"/api/v1/tokens/{issued.json['id']}"), 204)
        other = world.do(lambda ctx: api_tokens.issue(ctx, "koordinator2", "fremmed")[0].id)
        _status(client.delete(f"/api/v1/tokens/{other}"), 404)  # another user's: not found
        assert world.do(lambda ctx: ctx.session.get(ApiToken, other).revoked_at) is None
    add("/api/v1/tokens|GET", tokens)
    add("/api/v1/tokens|POST", tokens)
    add("/api/v1/tokens/<dbid:token_id>|DELETE", tokens)

    def ack(client, role):
        notice_id = world.notice_for_saksbehandler()
        _status(client.post(f"/api/v1/notices/{notice_id}/ack"),
                200 if role == "saksbehandler" else 403)
    add("/api/v1/notices/<dbid:notice_id>/ack|POST", ack)
    library_roles = ("koordinerende_enhet", "admin")
    add("/api/v1/processes|GET", lambda client, role: _status(
        client.get("/api/v1/processes"), 200 if role in library_roles else 403))
    add("/api/v1/processes/<key>/versions|GET", lambda client, role: _status(
        client.get("/api/v1/processes/stafett/versions"), 200 if role in library_roles else 403))

    def deploy(client, role):
        """The shipped stafett file again: already deployed, so 200 and nothing new."""
        stafett = FIXTURES / "webui" / "stafett.bpmn"
        response = client.post("/api/v1/processes/stafett/versions", data={
            "files": (io.BytesIO(stafett.read_bytes()), "stafett.bpmn")},
            content_type="multipart/form-data")
        assert response.status_code == (200 if role in library_roles else 403), response.json
    add("/api/v1/processes/<key>/versions|POST", deploy)
    add("/api/v1/processes/<key>/migrations|POST", lambda client, role: _status(
        client.post("/api/v1/processes/stafett/migrations", json={}),
        200 if role in library_roles else 403))
    add("/api/v1/openapi.json|GET", lambda client, role: _status(
        client.get("/api/v1/openapi.json"), 200))
    return rows


def test_every_route_is_in_the_matrix(app, world, browser, api):
    covered = {rule for rule, _, _ in _html_cases(world, browser)} | {
        rule for rule, _, _ in _api_rows(world, api)}
    assert covered == all_routes(app)


@pytest.mark.parametrize("role", ROLES)
def test_web_routes_for_role(role, world, browser):
    client = browser(ROLE_USERS[role])
    for _rule, row_role, check in _html_cases(world, browser):
        if row_role == role:
            check(client, role)


@pytest.mark.parametrize("role", ROLES)
def test_api_routes_for_role(role, world, api):
    client = api(ROLE_USERS[role])
    for _rule, row_role, check in _api_rows(world, api):
        if row_role == role:
            check(client, role)
