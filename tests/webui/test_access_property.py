"""Need-based access as a property (issue 16): over generated users and cases, the case page,
the task pages, the plan page, the letters, the inbox, search and the person page, in the web
UI and the API, give one answer, and it is the answer of the rules (engine/access/rules.py
`decide`) applied to the relations the generator knows it created, not to `relations_of`:
the SQL the pages and lists run is checked against an independent model.

Each example builds a small world with engine operations, in units, users and persons named
for that example alone (so examples do not interfere and nothing needs emptying between
them), and then asks every surface as every generated user. A refused read is a 403, never
a 404 or a 500, and writes a `read_refused` event naming the case or the person.
"""
from __future__ import annotations

import functools
import itertools
import os
import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from web_support import PASSWORD, Browser

from engine.access import overrides, rules
from engine.access.refusals import REFUSED_READ
from engine.accounts import credentials, users
from engine.accounts.roles import (
    CASEWORK_ROLES,
    COORDINATING_UNIT,
    COORDINATOR,
    LEADER,
    NON_WORK_ROLES,
    ROLES,
    SEARCH_ROLES,
)
from engine.accounts.users import get_user
from engine.cases import casework
from engine.cases.applicants import Applicant
from engine.cases.coordinator import appoint_coordinator
from engine.core.errors import ConflictError, PermissionDenied
from engine.db.models import AuditEvent, Case, HumanTask, Notice, Plan
from engine.definitions import store
from engine.letters import drafting
from engine.notices import notice_board
from engine.organisation import responsibility
from engine.organisation import units as organisation
from engine.persons import registry
from engine.plans import coordinators, lifecycle, participants, sections
from engine.plans.plan_page import WHOLE
from engine.worklist import humantasks
from engine.worklist.humantasks import VIEWS

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
#: Examples per database (the test runs on SQLite and on PostgreSQL): about 3 s of CPU each,
#: so the two run side by side (-n 2) in about two minutes on a busy machine. More:
#: ACCESS_PROPERTY_EXAMPLES=200.
MAX_EXAMPLES = int(os.environ.get("ACCESS_PROPERTY_EXAMPLES", "12"))
#: The lanes of the `stafett` fixture process, in order: a case at stage n has completed
#: the first n tasks and waits for the next (stage 4: every task is done).
STEPS = ("saksbehandler", "leder", "koordinerende_enhet", "koordinator")
#: Who does a step when the generator names no generated user for it (web_support.PEOPLE:
#: they belong to the default unit, which no generated user or case is in).
HELPERS = {"saksbehandler": "saksbehandler1", "leder": "leder1",
           "koordinerende_enhet": "koordinerende1", "koordinator": "koordinator1"}
#: Moves a new case (registered in the default unit) to its generated unit.
MOVER = "koordinerende1"
DEFAULT_UNIT = "forvaltningskontoret"
SCOPES = (None, "hele_planen", "deler", "moter")
ESCALATIONS = (None, notice_board.RAISED, notice_board.ACKNOWLEDGED, notice_board.RESOLVED)
REASON = "Legevakten trenger opplysningene nå"
_worlds = itertools.count(1)


# --- what is generated ---------------------------------------------------------------------

@dataclass(frozen=True)
class UserSpec:
    roles: frozenset[str]
    units: tuple[int, ...]  # indexes of the world's units; the first is the home unit


@dataclass(frozen=True)
class CaseSpec:
    unit: int
    person: int
    #: Who completed each finished step (a user's index; None: the step's helper).
    completers: tuple[int | None, ...]
    #: Who took the open task (None: nobody).
    holder: int | None
    coordinator: int | None
    plan: bool
    escalation: str | None
    #: Emergency access asked for: (user, whether it has expired by now).
    override: tuple[int, bool] | None
    letter: bool


@dataclass(frozen=True)
class PlanSpec:
    """What is done to a person's plan, when one of their cases opens one."""
    coordinator: int | None  # appointed to the plan after the cases' coordinators
    participant: int | None
    scope: str | None  # the participant's consent (None: none)


@dataclass(frozen=True)
class WorldSpec:
    units: int
    users: tuple[UserSpec, ...]
    persons: int
    cases: tuple[CaseSpec, ...]
    plans: tuple[PlanSpec, ...]  # one per person


@st.composite
def worlds(draw) -> WorldSpec:
    n_units = draw(st.integers(2, 3))
    # any non-empty set of roles, half the time a single role (with several, most users read
    # everything through one of them, and the rules' other bases are seldom the deciding one)
    roles = st.frozensets(st.sampled_from(ROLES), min_size=1, max_size=1) | st.frozensets(
        st.sampled_from(ROLES), min_size=1)
    people = tuple(draw(st.lists(st.builds(
        UserSpec, roles,
        st.lists(st.integers(0, n_units - 1), unique=True, max_size=n_units).map(tuple)),
        min_size=3, max_size=6)))

    def holding(role: str) -> list[int | None]:
        return [None] + [i for i, spec in enumerate(people) if role in spec.roles]
    anyone = st.integers(0, len(people) - 1)
    n_persons = draw(st.integers(1, 3))
    cases = []
    for _ in range(draw(st.integers(2, 4))):
        stage = draw(st.integers(0, len(STEPS)))
        cases.append(CaseSpec(
            unit=draw(st.integers(0, n_units - 1)),
            person=draw(st.integers(0, n_persons - 1)),
            completers=tuple(draw(st.sampled_from(holding(step))) for step in STEPS[:stage]),
            holder=draw(st.sampled_from(holding(STEPS[stage]))) if stage < len(STEPS)
            else None,
            coordinator=draw(st.sampled_from(holding(COORDINATOR))),
            plan=draw(st.booleans()),
            escalation=draw(st.sampled_from(ESCALATIONS)),
            override=draw(st.none() | st.tuples(anyone, st.booleans())),
            letter=draw(st.booleans())))
    plans = tuple(PlanSpec(coordinator=draw(st.sampled_from(holding(COORDINATOR))),
                           participant=draw(st.none() | anyone),
                           scope=draw(st.sampled_from(SCOPES))) for _ in range(n_persons))
    return WorldSpec(n_units, people, n_persons, tuple(cases), plans)


# --- the world as built, and the model the oracle reads ------------------------------------

@dataclass
class TaskModel:
    id: int
    role: str
    status: str
    assignee: str | None
    completed_by: str | None


@dataclass
class CaseModel:
    id: int
    unit: int  # unit id
    person: int  # person id
    tasks: list[TaskModel] = field(default_factory=list)
    coordinator: str | None = None
    plan: int | None = None
    escalated: bool = False
    overrides: set[str] = field(default_factory=set)  # users with unexpired emergency access
    letter: tuple[int, int] | None = None  # (letter, its first copy)


@dataclass
class World:
    users: dict[str, frozenset[str]]  # username -> roles
    units_of: dict[str, frozenset[int]]  # username -> unit ids (helpers included)
    tokens: dict[int, str]  # person id -> the word only their name holds
    cases: list[CaseModel]
    plan_coordinator: dict[int, str | None] = field(default_factory=dict)
    plan_person: dict[int, int] = field(default_factory=dict)
    #: plan -> username -> the sections their consent shows
    consented: dict[int, dict[str, frozenset[str]]] = field(default_factory=dict)

    def members(self, unit_ids: frozenset[int]) -> set[str]:
        return {name for name, units in self.units_of.items() if units & unit_ids}


@functools.cache
def _password_hash() -> str:
    return credentials.hash_password(PASSWORD)


def build(env, spec: WorldSpec) -> World:
    """The generated world made with engine operations, and its model."""
    tag = f"p{os.getpid()}w{next(_worlds)}"

    def do(fn):
        with env.unit_of_work() as ctx:
            return fn(ctx)

    unit_ids = do(lambda ctx: [organisation.add_unit(ctx, f"{tag}-u{i}", f"Enhet {tag} {i}",
                                                     "annen").id for i in range(spec.units)])
    names = [f"{tag}-user{i}" for i in range(len(spec.users))]

    def add_users(ctx):
        for name, user in zip(names, spec.users, strict=True):
            users.add_user(ctx, name, sorted(user.roles), trained_coordinator=True,
                           password_hash=_password_hash(),
                           units=[f"{tag}-u{i}" for i in user.units])
        return organisation.get_unit(ctx, DEFAULT_UNIT).id
    default_unit = do(add_users)
    world = World(
        users={name: user.roles for name, user in zip(names, spec.users, strict=True)},
        units_of={**{name: frozenset(unit_ids[i] for i in user.units)
                     for name, user in zip(names, spec.users, strict=True)},
                  **{helper: frozenset({default_unit}) for helper in HELPERS.values()}},
        tokens={}, cases=[])

    def add_persons(ctx):
        found = {}
        for i in range(spec.persons):
            token = f"zq{tag}x{i}y"
            person = registry.register(ctx, registry.PersonDetails(
                name=f"Kari {token} Nordmann", birth_date=date(1970, 3, 1)), "test")
            found[person.id] = token
        return found
    world.tokens = do(add_persons)
    person_ids = list(world.tokens)

    def who(index: int | None, step: str) -> str:
        return HELPERS[step] if index is None else names[index]

    # the cases, moved to their units and advanced through their completed steps
    for case_spec in spec.cases:
        def start(ctx, case_spec=case_spec):
            person = registry.get(ctx, person_ids[case_spec.person])
            case = casework.start_case(ctx, {}, "intake", process_key="stafett",
                                       about=casework.About(
                                           person=person, received_on=ctx.today(),
                                           services="ip", applicant=Applicant(None, None, False)))
            responsibility.change(ctx, case.id, unit_ids[case_spec.unit], "Tjenestene gis der",
                                  get_user(ctx, MOVER))
            model = CaseModel(case.id, unit_ids[case_spec.unit], person.id)
            for step, completer in zip(STEPS, case_spec.completers, strict=False):
                [task] = humantasks.open_tasks(ctx, case.id)
                actor = get_user(ctx, who(completer, step))
                # handed to them by a supervisor: a task is claimed only by someone who reads
                # its case, and holding it is what lets them read it (the `task` rule)
                humantasks.assign(ctx, task.id, get_user(ctx, MOVER), actor.username)
                humantasks.complete(ctx, task.id, actor, {"notat": "ok"})
                model.tasks.append(TaskModel(task.id, step, "completed", actor.username,
                                             actor.username))
            return model
        world.cases.append(do(start))

    # plans (one per person, opened by the first case that asks) and coordinators
    for case_spec, model in zip(spec.cases, world.cases, strict=True):
        def plan_and_coordinator(ctx, case_spec=case_spec, model=model):
            case = ctx.session.get(Case, model.id)
            if case_spec.plan:
                opened = lifecycle.open_for_case(ctx, case, "test")
                model.plan = opened.plan.id
                world.plan_person[opened.plan.id] = model.person
                if opened.joined:  # the case takes the plan's coordinator (lifecycle)
                    model.coordinator = world.plan_coordinator.get(opened.plan.id)
                world.plan_coordinator.setdefault(opened.plan.id, None)
            if case_spec.coordinator is not None:
                appoint_coordinator(ctx, case, names[case_spec.coordinator], "test",
                                    "koordinator")
                model.coordinator = names[case_spec.coordinator]
                if model.plan is not None:  # the case's coordinator is the plan's
                    world.plan_coordinator[model.plan] = model.coordinator
        do(plan_and_coordinator)

    for plan_id, person_id in world.plan_person.items():
        plan_spec = spec.plans[person_ids.index(person_id)]

        def plan_people(ctx, plan_id=plan_id, plan_spec=plan_spec):
            plan = ctx.session.get(Plan, plan_id)
            if plan_spec.coordinator is not None:
                coordinators.appoint(ctx, plan, names[plan_spec.coordinator], "test")
                world.plan_coordinator[plan_id] = names[plan_spec.coordinator]
            if plan_spec.participant is not None:
                username = names[plan_spec.participant]
                who_ = participants.add(ctx, plan, "test", name="Deltaker", role="Veileder",
                                        username=username)
                if plan_spec.scope is not None:
                    participants.give_consent(
                        ctx, plan, "test", participant_id=who_.id, scope=plan_spec.scope,
                        given_by_name="Kari Nordmann", given_by_role="personen",
                        given_on=ctx.today(),
                        sections_=["tiltak"] if plan_spec.scope == "deler" else None)
                    shown = {"hele_planen": WHOLE, "deler": frozenset({"tiltak"}),
                             "moter": frozenset({sections.MEETINGS})}[plan_spec.scope]
                    world.consented.setdefault(plan_id, {})[username] = shown
        do(plan_people)

    # the open tasks taken, escalations, letters
    for case_spec, model in zip(spec.cases, world.cases, strict=True):
        def rest(ctx, case_spec=case_spec, model=model):
            case = ctx.session.get(Case, model.id)
            stage = len(case_spec.completers)
            if stage < len(STEPS):
                [task] = humantasks.open_tasks(ctx, case.id)
                holder = None
                if case_spec.holder is not None:
                    holder = names[case_spec.holder]
                    humantasks.assign(ctx, task.id, get_user(ctx, MOVER), holder)
                model.tasks.append(TaskModel(task.id, STEPS[stage], "open", holder, None))
            if case_spec.escalation is not None:
                # no operation raises an escalation on demand (the deadline sweep does):
                # the notice row as the sweep writes it
                now = ctx.now()
                ctx.session.add(Notice(
                    case_id=case.id, source_key=f"property:{case.id}", kind="task_overdue",
                    severity=rules.ESCALATION, role=LEADER, case_number=case.case_number,
                    status=case_spec.escalation, created_at=now, raised_at=now,
                    resolved_at=now if case_spec.escalation == notice_board.RESOLVED
                    else None))
                model.escalated = case_spec.escalation in rules.OPEN_NOTICE
            if case_spec.letter:
                letter = drafting.draft(ctx, case, store.latest_version(ctx, "ip_sak"),
                                        "vedtak", "vedtak", {"punkter": []}, {}, None, "test")
                model.letter = (letter.id, letter.recipients[0].id)
        do(rest)

    # emergency access last: it is refused to whoever reads the case already
    for case_spec, model in zip(spec.cases, world.cases, strict=True):
        if case_spec.override is None:
            continue
        index, expired = case_spec.override
        username = names[index]
        roles = world.users[username]
        before = expected_level(world, username, model)
        clock = env.clock
        now = clock()
        if expired:  # asked for long enough ago that it has run out
            clock.set(now - timedelta(hours=env.settings.override_hours, minutes=1))
        try:
            def grant(ctx, model=model, username=username):
                overrides.grant(ctx, model.id, get_user(ctx, username), REASON)
            if roles <= NON_WORK_ROLES:
                _raises(PermissionDenied, do, grant)
            elif before == rules.FULL:
                _raises(ConflictError, do, grant)
            else:
                do(grant)
                if not expired:
                    model.overrides.add(username)
        finally:
            clock.set(now)

    # the model's tasks are the database's
    def tasks(ctx):
        return sorted((t.id, t.case_id, t.candidate_role, t.status, t.assignee, t.completed_by)
                      for t in ctx.session.scalars(select(HumanTask).where(
                          HumanTask.case_id.in_([c.id for c in world.cases]))))
    assert do(tasks) == sorted((t.id, c.id, t.role, t.status, t.assignee, t.completed_by)
                               for c in world.cases for t in c.tasks)
    return world


def _raises(error, do, fn):
    try:
        do(fn)
    except error:
        return
    raise AssertionError(f"expected {error.__name__}")


# --- the oracle ----------------------------------------------------------------------------

def relations(world: World, username: str, case: CaseModel) -> set[str]:
    """The user's relations to the case, from what the generator made."""
    roles, mine = world.users[username], world.units_of[username]
    takeable = roles - CASEWORK_ROLES
    found = set()
    if case.unit in mine:
        found.add(rules.SAME_UNIT)
    if any(username in (t.assignee, t.completed_by)
           or (t.status == "open" and t.assignee is None and t.role in takeable)
           for t in case.tasks):
        found.add(rules.HOLDS_TASK)
    if username in (case.coordinator, world.plan_coordinator.get(case.plan)):
        found.add(rules.COORDINATES)
    if case.escalated or any(t.status == "open" and t.role == COORDINATING_UNIT
                             for t in case.tasks):
        found.add(rules.WAITS_FOR_UNIT)
    if leads_because(world, username, case):
        found.add(rules.LEADS)
    if username in case.overrides:
        found.add(rules.OVERRIDDEN)
    return found


def leads_because(world: World, username: str, case: CaseModel) -> set[str]:
    """Why the user leads the case: they lead its unit, or a unit whose member holds or held
    a task in it, or coordinates it (empty: they do not)."""
    roles, mine = world.users[username], world.units_of[username]
    if LEADER not in roles or not mine:
        return set()
    led = world.members(mine)
    involved = {t.assignee for t in case.tasks} | {t.completed_by for t in case.tasks}
    return {why for why, holds in (("unit", case.unit in mine),
                                   ("task", bool(led & (involved - {None}))),
                                   ("coordinator", case.coordinator in led)) if holds}


def bases(world: World) -> set[str]:
    """What the example covers: each basis of full access found (a leader's with its
    reason), the limited level and refusals (shown by --hypothesis-show-statistics)."""
    found = set()
    for username in world.users:
        for case in world.cases:
            access = rules.decide(world.users[username], relations(world, username, case))
            if access.why == rules.LEADER:
                found |= {f"leader:{why}" for why in leads_because(world, username, case)}
            found.add(access.why or str(access.level))
    return found


def expected_level(world: World, username: str, case: CaseModel) -> str | None:
    return rules.decide(world.users[username], relations(world, username, case)).level


def expected_plan(world: World, username: str, plan_id: int,
                  levels: dict[int, str | None]) -> frozenset[str] | None:
    """The sections of the plan the user sees (None: refused)."""
    linked = [c for c in world.cases if c.plan == plan_id]
    if world.plan_coordinator.get(plan_id) == username or any(
            levels[c.id] == rules.FULL for c in linked):
        return WHOLE
    return world.consented.get(plan_id, {}).get(username)


def expected_person(world: World, username: str, person_id: int,
                    levels: dict[int, str | None]) -> bool:
    cases = [c for c in world.cases if c.person == person_id]
    return (any(levels[c.id] == rules.FULL for c in cases)
            or any(world.plan_coordinator.get(plan) == username
                   for plan, person in world.plan_person.items() if person == person_id)
            or (bool(world.users[username] & CASEWORK_ROLES) and not cases))


# --- asking every surface ------------------------------------------------------------------

class Reader:
    """One generated user in the web UI and in the API; each refused read is checked to be
    in the audit log."""

    def __init__(self, app, env, username: str):
        self.env, self.username = env, username
        self.web = Browser(app).login(username)
        self.api = app.test_client()
        with env.unit_of_work() as ctx:
            self.headers = {"Authorization": f"Bearer {credentials.issue_token(ctx, username)}"}
        self.last_refusal = self._refusals()[-1:] or [None]

    def get(self, url: str):
        return self.web.get(url)

    def api_get(self, url: str):
        return self.api.get(url, headers=self.headers)

    def _refusals(self) -> list[int]:
        with self.env.unit_of_work() as ctx:
            return list(ctx.session.scalars(select(AuditEvent.id).where(
                AuditEvent.actor == self.username, AuditEvent.kind == REFUSED_READ)
                .order_by(AuditEvent.id)))

    def read(self, response, allowed: bool, what: str, case_id: int | None = None,
             person_id: int | None = None):
        """A read answers 200 when `allowed`, else 403 with a `read_refused` event naming the
        case (or at least the person)."""
        assert response.status_code == (200 if allowed else 403), (
            self.username, what, response.status_code, "expected", 200 if allowed else 403)
        if allowed:
            return response
        with self.env.unit_of_work() as ctx:
            events = list(ctx.session.scalars(select(AuditEvent).where(
                AuditEvent.actor == self.username, AuditEvent.kind == REFUSED_READ,
                AuditEvent.id > (self.last_refusal[0] or 0)).order_by(AuditEvent.id)))
            seen = [(e.case_id, e.person_id) for e in events]
        assert len(seen) == 1, (self.username, what, "refusals logged:", seen)
        self.last_refusal = [events[-1].id]
        got_case, got_person = seen[0]
        if case_id is not None:
            assert got_case == case_id, (self.username, what, seen)
        if person_id is not None:
            assert got_person == person_id, (self.username, what, seen)
        return response


_TASK_LINK = re.compile(r'href="/tasks/(\d+)"')
_CASE_LINK = re.compile(r'href="/cases/(\d+)"')
_PERSON_LINK = re.compile(r'href="/persons/(\d+)"')


def api_inbox(reader: Reader, view: str) -> set[int]:
    listed, page = set(), 1
    while True:
        body = reader.api_get(f"/api/v1/tasks?view={view}&per_page=200&page={page}").json
        listed |= {t["id"] for t in body["tasks"]}
        if page * body["per_page"] >= body["total"]:
            return listed
        page += 1


def web_inbox(reader: Reader, view: str) -> set[int]:
    listed, page = set(), 1
    while True:
        response = reader.get(f"/inbox/?view={view}&page={page}")
        assert response.status_code == 200, (reader.username, view, page)
        found = {int(i) for i in _TASK_LINK.findall(response.get_data(as_text=True))}
        if not found - listed:
            return listed
        listed |= found
        page += 1


def in_view(world: World, username: str, task: TaskModel, view: str) -> bool:
    """Whether the task belongs in the view, access aside (engine/worklist/humantasks.py;
    no generated task is overdue: the clock stands still)."""
    roles = world.users[username]
    if view == "mine":
        return task.status == "open" and task.assignee == username
    if view in ("roles", "unassigned"):
        return task.status == "open" and task.role in roles and (
            view == "roles" or task.assignee is None)
    if view == "completed":
        return task.completed_by == username
    return False


def check(app, env, world: World) -> None:
    plans = {c.plan for c in world.cases if c.plan is not None}
    tasks = {t.id: (t, c) for c in world.cases for t in c.tasks}
    for number, (username, roles) in enumerate(world.users.items()):
        reader = Reader(app, env, username)
        levels = {c.id: expected_level(world, username, c) for c in world.cases}
        with env.unit_of_work() as ctx:  # relation by relation, also where the rules' order
            user = get_user(ctx, username)  # hides one behind another
            for case in world.cases:
                assert rules.relations_of(ctx, ctx.session.get(Case, case.id), user) == \
                    relations(world, username, case), (username, case.id)
        for case in world.cases:
            level, seen = levels[case.id], levels[case.id] is not None
            full = level == rules.FULL
            reader.read(reader.get(f"/cases/{case.id}"), seen, "case page", case.id)
            answer = reader.read(reader.api_get(f"/api/v1/cases/{case.id}"), seen, "case api",
                                 case.id)
            if seen:
                assert answer.json["access"] == level, (username, case.id, answer.json["access"])
                assert (answer.json["data"] is not None) == full
            for task in case.tasks:
                reader.read(reader.get(f"/tasks/{task.id}"), seen, f"task page {task.id}",
                            case.id)
                answer = reader.read(reader.api_get(f"/api/v1/tasks/{task.id}"), seen,
                                     f"task api {task.id}", case.id)
                if seen:
                    assert answer.json["access"] == level, (username, task.id)
            reader.read(reader.api_get(f"/api/v1/cases/{case.id}/letters"), full,
                        "letter list", case.id)
            if case.letter is not None:  # a draft is rendered on each read: the web UI's
                letter, copy = case.letter   # two routes for every other user, the API's for
                if number % 2:               # the rest
                    for url in (f"/letters/{letter}.pdf", f"/letters/{letter}/copies/{copy}.pdf"):
                        reader.read(reader.get(url), full, url, case.id)
                else:
                    for url in (f"/api/v1/letters/{letter}/pdf",
                                f"/api/v1/letters/{letter}/copies/{copy}/pdf"):
                        reader.read(reader.api_get(url), full, url, case.id)
        # the inbox: exactly the example's tasks of each view whose case the user may see
        for view in VIEWS:
            expected = {task_id for task_id, (task, case) in tasks.items()
                        if levels[case.id] is not None and in_view(world, username, task, view)}
            for name, listed in (("api", api_inbox(reader, view)),
                                 ("web", web_inbox(reader, view))):
                assert listed & set(tasks) == expected, (username, name, view,
                                                         sorted(listed & set(tasks)),
                                                         sorted(expected))
        # the plans
        for plan_id in plans:
            shown = expected_plan(world, username, plan_id, levels)
            person = world.plan_person[plan_id]
            reader.read(reader.get(f"/plans/{plan_id}"), shown is not None, "plan page",
                        person_id=person)
            answer = reader.read(reader.api_get(f"/api/v1/plans/{plan_id}"), shown is not None,
                                 "plan api", person_id=person)
            if shown is not None:
                body = answer.json
                assert set(body["sections"]) == shown & set(sections.SECTIONS), (
                    username, plan_id, sorted(body["sections"]), sorted(shown))
                assert (body["meetings"] is not None) == (sections.MEETINGS in shown)
                assert (body["participants"] is not None) == ("deltakere" in shown)
        # the persons: their page, and search by a word of their name
        for person_id, token in world.tokens.items():
            visible = expected_person(world, username, person_id, levels)
            reader.read(reader.get(f"/persons/{person_id}"), visible, "person page",
                        person_id=person_id)
            reader.read(reader.api_get(f"/api/v1/persons/{person_id}"), visible, "person api",
                        person_id=person_id)
            may_search = bool(roles & CASEWORK_ROLES)
            web = reader.get(f"/persons/?q={token}")
            api = reader.api_get(f"/api/v1/persons?q={token}")
            assert (web.status_code, api.status_code) == ((200, 200) if may_search
                                                          else (403, 403)), (username, token)
            if may_search:
                found_web = {int(i) for i in _PERSON_LINK.findall(web.get_data(as_text=True))}
                found_api = {p["id"] for p in api.json["persons"]}
                assert found_web == found_api == ({person_id} if visible else set()), (
                    username, person_id, found_web, found_api, visible)
            readable = {c.id for c in world.cases
                        if c.person == person_id and levels[c.id] == rules.FULL}
            web = reader.get(f"/cases/?q={token}&status=all")
            api = reader.api_get(f"/api/v1/cases?q={token}&status=all")
            may_search = bool(roles & SEARCH_ROLES)
            assert (web.status_code, api.status_code) == ((200, 200) if may_search
                                                          else (403, 403)), (username, token)
            if may_search:
                found_web = {int(i) for i in _CASE_LINK.findall(web.get_data(as_text=True))}
                found_api = {c["id"] for c in api.json["cases"]}
                assert found_web == found_api == readable, (username, person_id, found_web,
                                                           found_api, readable)


@settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=IN_CI,
          database=None if IN_CI else settings.default.database,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large])
@given(spec=worlds())
def test_every_surface_gives_the_answer_of_the_rules(app, web_env, spec):
    world = build(web_env, spec)
    for basis in bases(world):
        event(f"basis {basis}")
    check(app, web_env, world)
