"""The access matrix (issue 16, need-based access): every route of the app (pages and API)
x every role x every relation a user can have to a case, the expectations generated from
the rules (`rules.decide`, engine/access/rules.py), never from a table of statuses.

Each route is in exactly one class:
- case-bound reads: 200 when the rules give the route's level, else 403 (and a refused
  read in the audit log when the rules give nothing);
- case-bound writes: the rules give nothing -> 403, a refused read logged, nothing changed;
  they give access -> no access refusal (a role may still refuse);
- listings: the matrix's case, task, person or plan is listed iff the rules give it;
- no case data: each with the reason.
Every request to the first three classes must ask the access module (the recorders below).
"""
from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from access_world import (
    ACCESS_FUNCTIONS,
    REGISTRAR,
    RELATIONS,
    World,
    build,
    clients,
    fingerprint,
    make_user,
    refusals,
)
from web_support import CASE_PROCESSES, all_routes

from engine.access import rules
from engine.accounts.roles import (
    CASEWORK_ROLES,
    INTAKE_ROLES,
    NON_WORK_ROLES,
    ROLES,
    SEARCH_ROLES,
    holds_any,
)
from engine.accounts.users import get_user
from engine.db.models import Case, HumanTask
from engine.plans import participants
from engine.worklist.humantasks import VIEWS

ROOT = Path(__file__).resolve().parents[2]
APPEAL_FORM = {"klage_mottatt": "2026-01-05", "klage_postet": "2026-01-04", "klager": "Kari",
               "klager_rolle": "personen", "grunnlag": "Uenig"}
READ, WRITE, LISTING = "read", "write", "listing"


@dataclasses.dataclass(frozen=True)
class Route:
    """A route of the app in its class. `needs`: what the rules must give for the route to
    answer (`case`: the case in full, or its course where `limited`; `plan`: the whole plan
    or the sections of a participant's consent; `person`: the person, i.e. a case in full).
    `request(world) -> (client, method, url, body)`."""
    cls: str
    request: Callable
    needs: str = "case"
    limited: bool = False
    #: A role group (engine/accounts/roles) the route asks for besides access, if any.
    roles: frozenset[str] | None = None
    #: The status of a refusal (a bulk action flashes it and returns to the inbox).
    refused: int = 403


def web(method, url, body=None):
    return "web", method, url, body


def api(method, url, body=None):
    return "api", method, url, body


# --- case-bound reads -----------------------------------------------------------------
def _reads() -> dict[str, Route]:
    def r(build_request, **kwargs):
        return Route(READ, build_request, **kwargs)
    plan_reads = {
        "/plans/<dbid:plan_id>|GET": lambda w: web("GET", f"/plans/{w.plan_id}"),
        "/plans/<dbid:plan_id>.pdf|GET": lambda w: web("GET", f"/plans/{w.plan_id}.pdf"),
        "/plans/<dbid:plan_id>/versions/<dbid:number>|GET":
            lambda w: web("GET", f"/plans/{w.plan_id}/versions/2"),
        "/plans/<dbid:plan_id>/versions/<dbid:older>/compare/<dbid:newer>|GET":
            lambda w: web("GET", f"/plans/{w.plan_id}/versions/1/compare/2"),
        "/api/v1/plans/<dbid:plan_id>|GET": lambda w: api("GET", f"/api/v1/plans/{w.plan_id}"),
        "/api/v1/persons/<dbid:person_id>/plan|GET":  # the person's plan
            lambda w: api("GET", f"/api/v1/persons/{w.person_id}/plan"),
        "/api/v1/plans/<dbid:plan_id>/versions|GET":
            lambda w: api("GET", f"/api/v1/plans/{w.plan_id}/versions"),
        "/api/v1/plans/<dbid:plan_id>/versions/<dbid:number>|GET":
            lambda w: api("GET", f"/api/v1/plans/{w.plan_id}/versions/2"),
        "/api/v1/plans/<dbid:plan_id>/versions/<dbid:older>/compare/<dbid:newer>|GET":
            lambda w: api("GET", f"/api/v1/plans/{w.plan_id}/versions/1/compare/2"),
    }
    person_reads = {
        "/persons/<dbid:person_id>|GET": lambda w: web("GET", f"/persons/{w.person_id}"),
        "/persons/<dbid:person_id>/read-log|GET":
            lambda w: web("GET", f"/persons/{w.person_id}/read-log"),
        "/persons/<dbid:person_id>/read-log.pdf|GET":
            lambda w: web("GET", f"/persons/{w.person_id}/read-log.pdf"),
        "/api/v1/persons/<dbid:person_id>|GET":
            lambda w: api("GET", f"/api/v1/persons/{w.person_id}"),
        "/api/v1/persons/<dbid:person_id>/read-log|GET":
            lambda w: api("GET", f"/api/v1/persons/{w.person_id}/read-log"),
    }
    case_reads = {
        "/cases/<dbid:case_id>|GET": (lambda w: web("GET", f"/cases/{w.case_id}"), True),
        "/cases/<dbid:case_id>/appeal|GET":
            (lambda w: web("GET", f"/cases/{w.case_id}/appeal"), False, INTAKE_ROLES),
        "/api/v1/cases/<dbid:case_id>|GET":
            (lambda w: api("GET", f"/api/v1/cases/{w.case_id}"), True),
        "/api/v1/cases/<dbid:case_id>/letters|GET":
            (lambda w: api("GET", f"/api/v1/cases/{w.case_id}/letters"), False),
        "/tasks/<dbid:task_id>|GET": (lambda w: web("GET", f"/tasks/{w.task_id}"), True),
        "/api/v1/tasks/<dbid:task_id>|GET":
            (lambda w: api("GET", f"/api/v1/tasks/{w.task_id}"), True),
        "/letters/<dbid:letter_id>.pdf|GET":
            (lambda w: web("GET", f"/letters/{w.letter_id}.pdf"), False),
        "/letters/<dbid:letter_id>/copies/<dbid:copy_id>.pdf|GET":
            (lambda w: web("GET", f"/letters/{w.letter_id}/copies/{w.copy_id}.pdf"), False),
        "/api/v1/letters/<dbid:letter_id>/pdf|GET":
            (lambda w: api("GET", f"/api/v1/letters/{w.letter_id}/pdf"), False),
        "/api/v1/letters/<dbid:letter_id>/copies/<dbid:copy_id>/pdf|GET":
            (lambda w: api("GET", f"/api/v1/letters/{w.letter_id}/copies/{w.copy_id}/pdf"),
             False),
    }
    routes = {rule: r(fn, needs="plan") for rule, fn in plan_reads.items()}
    routes |= {rule: r(fn, needs="person") for rule, fn in person_reads.items()}
    routes |= {rule: r(fn, limited=limited, roles=(roles or [None])[0])
               for rule, (fn, limited, *roles) in case_reads.items()}
    return routes


# --- case-bound writes (in the order they run: those that change who reads come last) ---
def _writes() -> dict[str, Route]:
    def w_(build_request, needs="case", refused=403):
        return Route(WRITE, build_request, needs=needs, refused=refused)
    return {
        "/tasks/<dbid:task_id>|POST": w_(lambda w: web(
            "POST", f"/tasks/{w.task_id}", {"notat": "Utkast", "_action": "draft"})),
        "/inbox/bulk|POST": w_(lambda w: web(
            "POST", "/inbox/bulk", {"task": str(w.task_id), "bulk": "claim"}), refused=302),
        "/letters/<dbid:letter_id>/copies/<dbid:copy_id>/language|POST": w_(lambda w: web(
            "POST", f"/letters/{w.letter_id}/copies/{w.copy_id}/language", {"malform": "nn"})),
        "/letters/<dbid:letter_id>/copies/<dbid:copy_id>/delivered|POST": w_(lambda w: web(
            "POST", f"/letters/{w.letter_id}/copies/{w.copy_id}/delivered",
            {"leveringsdato": "2026-01-05"})),
        "/letters/<dbid:letter_id>/approve|POST": w_(lambda w: web(
            "POST", f"/letters/{w.letter_id}/approve")),
        "/letters/<dbid:letter_id>/send|POST": w_(lambda w: web(
            "POST", f"/letters/{w.letter_id}/send", {"kanal": "papir"})),
        "/letters/<dbid:letter_id>/correct|POST": w_(lambda w: web(
            "POST", f"/letters/{w.letter_id}/correct")),
        "/persons/<dbid:person_id>|POST": w_(lambda w: web(
            "POST", f"/persons/{w.person_id}", {"name": "Endret Nordmann", "version": "1",
                                                 "preferred_channel": "paper"}), "person"),
        "/persons/<dbid:person_id>/relations|POST": w_(lambda w: web(
            "POST", f"/persons/{w.person_id}/relations", {
                "kind": "verge", "related_name": "Ola Verge",
                "related_birth_date": "1960-01-01"}), "person"),
        "/api/v1/persons/<dbid:person_id>/relations|POST": w_(lambda w: api(
            "POST", f"/api/v1/persons/{w.person_id}/relations",
            {"related_id": w.person_id, "kind": "verge"}), "person"),
        "/api/v1/persons/<dbid:person_id>/birth|POST": w_(lambda w: api(
            "POST", f"/api/v1/persons/{w.person_id}/birth",
            {"national_id": "24122550101"}), "person"),
        "/plans/<dbid:plan_id>/meetings|POST": w_(lambda w: web(
            "POST", f"/plans/{w.plan_id}/meetings", {
                "held_on": "2026-01-05", "attendees": "Kari Nordmann", "minutes": "Møte"}),
            "plan"),
        "/plans/<dbid:plan_id>/participants|POST": w_(lambda w: web(
            "POST", f"/plans/{w.plan_id}/participants", {"name": "NAV", "role": "Veileder"}),
            "plan"),
        "/api/v1/plans/<dbid:plan_id>/meetings|POST": w_(lambda w: api(
            "POST", f"/api/v1/plans/{w.plan_id}/meetings",
            {"held_on": "2026-01-05", "attendees": ["Kari Nordmann"]}), "plan"),
        "/api/v1/plans/<dbid:plan_id>/participants|POST": w_(lambda w: api(
            "POST", f"/api/v1/plans/{w.plan_id}/participants",
            {"name": "NAV", "role": "Veileder"}), "plan"),
        "/api/v1/plans/<dbid:plan_id>/consents|POST": w_(lambda w: api(
            "POST", f"/api/v1/plans/{w.plan_id}/consents", {
                "scope": "planen", "given_by_name": "Kari Nordmann",
                "given_by_role": "personen", "given_on": "2026-01-05"}), "plan"),
        "/plans/<dbid:plan_id>/consents/<dbid:consent_id>/withdraw|POST": w_(lambda w: web(
            "POST", f"/plans/{w.plan_id}/consents/{w.nav_consent_id}/withdraw"), "plan"),
        "/api/v1/plans/<dbid:plan_id>/consents/<dbid:consent_id>/withdraw|POST": w_(
            lambda w: api("POST",
                          f"/api/v1/plans/{w.plan_id}/consents/{w.nav_consent_id}/withdraw"),
            "plan"),
        "/api/v1/plans/<dbid:plan_id>/participants/<dbid:participant_id>|DELETE": w_(
            lambda w: api("DELETE",
                          f"/api/v1/plans/{w.plan_id}/participants/{w.nav_participant_id}"),
            "plan"),
        "/cases/<dbid:case_id>/appeal|POST": w_(lambda w: web(
            "POST", f"/cases/{w.case_id}/appeal", APPEAL_FORM)),
        "/api/v1/cases/<dbid:case_id>/appeals|POST": w_(lambda w: api(
            "POST", f"/api/v1/cases/{w.case_id}/appeals",
            {"data": {**APPEAL_FORM, "gjelder": ["ip"]}})),
        "/tasks/<dbid:task_id>/claim|POST": w_(lambda w: web(
            "POST", f"/tasks/{w.task_id}/claim")),
        "/api/v1/tasks/<dbid:task_id>/claim|POST": w_(lambda w: api(
            "POST", f"/api/v1/tasks/{w.task_id}/claim", {})),
        "/tasks/<dbid:task_id>/unclaim|POST": w_(lambda w: web(
            "POST", f"/tasks/{w.task_id}/unclaim")),
        "/api/v1/tasks/<dbid:task_id>/unclaim|POST": w_(lambda w: api(
            "POST", f"/api/v1/tasks/{w.task_id}/unclaim", {})),
        "/tasks/<dbid:task_id>/assign|POST": w_(lambda w: web(
            "POST", f"/tasks/{w.task_id}/assign", {"assignee": REGISTRAR})),
        "/api/v1/tasks/<dbid:task_id>/assign|POST": w_(lambda w: api(
            "POST", f"/api/v1/tasks/{w.task_id}/assign", {"assignee": REGISTRAR})),
        "/api/v1/tasks/<dbid:task_id>/complete|POST": w_(lambda w: api(
            "POST", f"/api/v1/tasks/{w.task_id}/complete", {"data": {"notat": "ok"}})),
        "/cases/<dbid:case_id>/unit|POST": w_(lambda w: web(
            "POST", f"/cases/{w.case_id}/unit",
            {"unit": str(w.other_unit_id), "reason": "Tjenestene gis der"})),
    }


# --- listings -------------------------------------------------------------------------
def _listings() -> dict[str, Route]:
    return {
        "/inbox/|GET": Route(LISTING, lambda w: [
            web("GET", f"/inbox/?view={view}") for view in VIEWS], needs="inbox"),
        "/api/v1/tasks|GET": Route(LISTING, lambda w: [
            api("GET", f"/api/v1/tasks?view={view}&per_page=200") for view in VIEWS],
            needs="inbox"),
        "/cases/|GET": Route(LISTING, lambda w: [web("GET", f"/cases/?q={w.case_number}")],
                             roles=SEARCH_ROLES),
        "/api/v1/cases|GET": Route(LISTING, lambda w: [
            api("GET", f"/api/v1/cases?q={w.case_number}")], roles=SEARCH_ROLES),
        "/persons/|GET": Route(LISTING, lambda w: [
            web("GET", f"/persons/?q={w.person_name}")], needs="person", roles=CASEWORK_ROLES),
        "/api/v1/persons|GET": Route(LISTING, lambda w: [
            api("GET", f"/api/v1/persons?q={w.person_name}")], needs="person",
            roles=CASEWORK_ROLES),
        "/plans/|GET": Route(LISTING, lambda w: [web("GET", "/plans/")], needs="person",
                             roles=CASEWORK_ROLES),
        "/plans/mine|GET": Route(LISTING, lambda w: [web("GET", "/plans/mine")],
                                 needs="coordinator"),
        "/notices/|GET": Route(LISTING, lambda w: [web("GET", "/notices/")], needs="notice"),
        "/api/v1/notices|GET": Route(LISTING, lambda w: [api("GET", "/api/v1/notices")],
                                     needs="notice"),
    }


#: Routes that show no case data, with the reason.
NO_CASE_DATA = {
    "/|GET": "redirects to the inbox",
    "/login|GET": "the sign-in page",
    "/login|POST": "signs in",
    "/logout|POST": "signs out",
    "/lang|POST": "the user's language",
    "/healthz|GET": "liveness of the process",
    "/status|GET": "the service's status, no case",
    "/status/live|GET": "the service's status, no case",
    "/inbox/filters|POST": "the user's own saved filter",
    "/inbox/filters/delete|POST": "the user's own saved filter",
    "/cases/new|GET": "the application form, before a case exists",
    "/cases/new|POST": "registers a new case (the registrar reads it by the unit rule)",
    "/api/v1/cases|POST": "registers a new case (the registrar reads it by the unit rule)",
    "/api/v1/persons|POST": "registers a new person (no case yet)",
    "/notices/<dbid:notice_id>/ack|POST": "acknowledges a notice the user is shown "
                                          "(rules.visible_notices); no case data",
    "/api/v1/notices/<dbid:notice_id>/ack|POST": "acknowledges a notice addressed to the user",
    "/admin/|GET": "the administration pages' index (ADMINISTRATION_ROLES): no case",
    "/admin/users|GET": "users, roles, units and training (USER_LIST_ROLES): no case",
    "/admin/users/new|GET": "the form for a new user (USER_ADMIN_ROLES): no case",
    "/admin/users/new|POST": "adds a user (USER_ADMIN_ROLES): no case",
    "/admin/users/<username>/roles|POST": "a user's roles (USER_ADMIN_ROLES): no case",
    "/admin/users/<username>/active|POST": "deactivates a user (USER_ADMIN_ROLES): no case",
    "/admin/users/<username>/trained|POST": "the training register (TRAINING_ROLES): no case",
    "/admin/tokens|GET": "everyone's API tokens, never the secret (USER_ADMIN_ROLES)",
    "/admin/tokens/<dbid:token_id>/revoke|POST": "revokes an API token (USER_ADMIN_ROLES)",
    "/admin/units|GET": "the units and their members (UNIT_ADMIN_ROLES): no case",
    "/admin/units|POST": "adds a unit (UNIT_ADMIN_ROLES): no case",
    "/admin/units/<key>/members|POST": "adds a unit member (UNIT_ADMIN_ROLES): no case",
    "/admin/units/<key>/members/remove|POST": "removes a unit member (UNIT_ADMIN_ROLES)",
    "/admin/absences|GET": "absences and stand-ins (ABSENCE_ROLES): no case",
    "/admin/absences|POST": "registers an absence (ABSENCE_ROLES): no case",
    "/admin/absences/<dbid:absence_id>/end|POST": "ends an absence (ABSENCE_ROLES): no case",
    "/api/v1/tokens|GET": "the user's own API tokens",
    "/api/v1/tokens|POST": "the user's own API tokens",
    "/api/v1/tokens/<dbid:token_id>|DELETE": "the user's own API tokens",
    "/api/v1/openapi.json|GET": "the API's description",
    "/api/v1/reports/kpr|GET": "the KPR extract: counts, no case read (role-gated report)",
    "/audit/|GET": "the coordinating unit's audit view (AUDIT_ROLES): who read, not what",
    "/api/v1/processes|GET": "the process library (LIBRARY_ROLES)",
    "/api/v1/processes/<key>/versions|GET": "the process library (LIBRARY_ROLES)",
    "/api/v1/processes/<key>/versions|POST": "deploys a process (LIBRARY_ROLES)",
    "/api/v1/processes/<key>/migrations|POST": "migrates running cases between versions of "
                                               "a process, no case data (LIBRARY_ROLES)",
    "/processes/<key>/migrations|GET": "migration counts per version (LIBRARY_ROLES)",
    "/processes/<key>/migrations|POST": "migrates running cases (LIBRARY_ROLES)",
    "/processes/<key>/heatmap.json|GET": "counts per step of the process (LIBRARY_ROLES)",
}
for _rule in ("/processes/|GET", "/processes/<key>|GET", "/processes/<key>/diff|GET",
              "/processes/<key>/edit|GET", "/processes/<key>/files/<name>|GET",
              "/processes/<key>/forms|GET", "/processes/<key>/forms/<name>/edit|GET",
              "/processes/<key>/decisions|GET", "/processes/<key>/decisions/<name>/edit|GET",
              "/processes/<key>/letters|GET", "/processes/<key>/letters/<name>/edit|GET",
              "/processes/upload|POST", "/processes/<key>/forms/<name>/preview|POST",
              "/processes/<key>/letters/<name>/preview|POST",
              "/processes/<key>/forms/<name>/draft|POST",
              "/processes/<key>/decisions/<name>/draft|POST",
              "/processes/<key>/letters/<name>/draft|POST",
              "/processes/<key>/definitions/discard|POST",
              "/processes/<key>/definitions/deploy|POST", "/processes/<key>/deploy|POST",
              "/processes/<key>/drafts/<name>|POST", "/processes/<key>/drafts/discard|POST"):
    NO_CASE_DATA[_rule] = "the process library and its editors: definitions, no case"
#: Emergency access is asked for by whoever the rules refuse: its own row.
OVERRIDE_ROUTE = "/cases/<dbid:case_id>/override|POST"

READS, WRITES, LISTINGS = _reads(), _writes(), _listings()


def test_every_route_is_classified(app):
    classes = [set(READS), set(WRITES), set(LISTINGS), set(NO_CASE_DATA), {OVERRIDE_ROUTE}]
    routes = all_routes(app)
    twice = {r for r in routes if sum(r in c for c in classes) > 1}
    nowhere = {r for r in routes if not any(r in c for c in classes)}
    stale = set().union(*classes) - routes
    assert (nowhere, twice, stale) == (set(), set(), set())


def test_no_caller_imports_the_access_functions_by_name():
    """The recorders patch the module's attributes: a caller that imported a function by
    name would escape them (and any future patching of the rules)."""
    offenders = [str(path.relative_to(ROOT)) for folder in ("engine", "webui")
                 for path in (ROOT / folder).rglob("*.py")
                 if re.search(r"from engine\.access\.rules import|"
                              r"from engine\.plans\.participants import",
                              path.read_text(encoding="utf-8"))]
    assert offenders == []


def test_the_recorders_cover_every_access_function():
    """Every public function of the rules that asks about a user and a case (it takes the
    context) is recorded; the rest are the rules as data and pure helpers."""
    import inspect
    asking = {name for name, fn in vars(rules).items()
              if inspect.isfunction(fn) and fn.__module__ == rules.__name__
              and not name.startswith("_")
              and next(iter(inspect.signature(fn).parameters), None) == "ctx"}
    assert asking - {"relations_of"} == set(ACCESS_FUNCTIONS)


# --- the database ----------------------------------------------------------------------
@pytest.fixture
def db_env(request):
    """PostgreSQL, the municipalities' database, for the pages and writes (the matrix is
    long); the listings, the rules in SQL, run on both (indirect parameter)."""
    name = getattr(request, "param", "postgres")
    return request.getfixturevalue(f"{name}_env")


BOTH_DATABASES = pytest.mark.parametrize("db_env", [
    "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True)


# --- the recorders ----------------------------------------------------------------------
@pytest.fixture
def asked(monkeypatch) -> list[str]:
    """The access functions called (reset before each request)."""
    calls: list[str] = []

    def recorder(name, original):
        def record(*args, **kwargs):
            calls.append(name)
            return original(*args, **kwargs)
        return record
    for name in ACCESS_FUNCTIONS:
        monkeypatch.setattr(rules, name, recorder(name, getattr(rules, name)))
    monkeypatch.setattr(participants, "visible_sections", recorder(
        "visible_sections", participants.visible_sections))
    return calls


# --- the matrix -------------------------------------------------------------------------
class Matrix:
    def __init__(self, app, env, asked, role, relation):
        self.app, self.env, self.asked = app, env, asked
        self.role, self.relation = role, relation
        self.serial = 0
        self.checks = 0
        self.username = make_user(env, role, relation)
        self.web = self.api = None
        self.fresh()

    def fresh(self):
        """A new world (a write allowed may have changed the old one)."""
        self.serial += 1
        w = build(self.env, self.username, self.role, self.relation, self.serial)
        with self.env.unit_of_work() as ctx:
            case = ctx.session.get(Case, w.case_id)
            actual = rules.case_access(ctx, case, get_user(ctx, w.username))
        # the rules in Python (relations_of) agree with `decide` over the relations built
        assert actual == w.level, (self.role, self.relation, actual, w.level)
        self.world = w
        if self.web is None:  # signed in once: the user stays, the case is new
            self.web, self.api = clients(self.app, self.env, w)
        self.asked.clear()

    def send(self, rule, request):
        client, method, url, body = request
        self.asked.clear()
        if client == "web":
            response = (self.web.get(url) if method == "GET" else self.web.post(url, body))
        else:
            call = getattr(self.api, method.lower())
            response = call(url, json=body) if body is not None else call(url)
        assert response.status_code < 500, (rule, response.status_code)
        return response

    def where(self, rule, response=None):
        return (rule, self.role, self.relation, self.world.level,
                response.status_code if response is not None else None)

    def allowed(self, route: Route) -> bool:
        w = self.world
        if route.needs == "plan":
            return w.reads_plan or w.plan_sections
        if route.needs == "person":
            return w.level == rules.FULL
        return w.level == rules.FULL or (w.level == rules.LIMITED and route.limited)

    def read(self, rule, route: Route):
        before = refusals(self.env, self.world)
        response = self.send(rule, route.request(self.world))
        assert self.asked, ("did not ask the access module", *self.where(rule, response))
        role_refuses = route.roles is not None and not self.world.roles & route.roles
        expected = 200 if self.allowed(route) and not role_refuses else 403
        assert response.status_code == expected, self.where(rule, response)
        if self.world.level is None and not self.allowed(route):
            assert refusals(self.env, self.world) == before + 1, self.where(rule, response)
        self.checks += 1

    def write(self, rule, route: Route):
        w = self.world
        before, state = refusals(self.env, w), fingerprint(self.env, w)
        response = self.send(rule, route.request(w))
        # a write refused for the user's role before anything was read need not ask
        assert self.asked or (response.status_code == 403 and w.level is not None), (
            "did not ask the access module", *self.where(rule, response))
        if w.level is None and not self.allowed(route):
            assert response.status_code == route.refused, self.where(rule, response)
            assert refusals(self.env, w) == before + 1, self.where(rule, response)
            assert fingerprint(self.env, w) == state, self.where(rule, response)
        elif w.level == rules.FULL:
            assert refusals(self.env, w) == before, self.where(rule, response)
        self.checks += 1
        if fingerprint(self.env, w) != state:
            self.fresh()

    def emergency_access(self):
        """Asked for by whoever the rules do not give the case in full; the administrator
        never gets it (engine/access/overrides.py)."""
        w = self.world
        before = refusals(self.env, w)
        response = self.send(OVERRIDE_ROUTE, web(
            "POST", f"/cases/{w.case_id}/override",
            {"reason": "Legevakten trenger opplysningene nå"}))
        if w.roles <= NON_WORK_ROLES:
            assert response.status_code == 403, self.where(OVERRIDE_ROUTE, response)
        else:
            assert self.asked, ("did not ask the access module",
                                *self.where(OVERRIDE_ROUTE, response))
            expected = 409 if w.level == rules.FULL else 302
            assert response.status_code == expected, self.where(OVERRIDE_ROUTE, response)
            if expected == 302:  # granted: the case reads, by the override rule
                assert self.send(OVERRIDE_ROUTE, web("GET", f"/cases/{w.case_id}")
                                 ).status_code == 200
                assert rules.decide(w.roles, {rules.OVERRIDDEN}).level == rules.FULL
        assert refusals(self.env, w) == before, self.where(OVERRIDE_ROUTE, response)
        self.checks += 1


def _matrix_cells():
    return [pytest.param(relation, id=relation) for relation in RELATIONS]


@pytest.fixture
def matrix_app(app):
    assert "stafett" in CASE_PROCESSES
    return app


@pytest.mark.postgres
@pytest.mark.parametrize("relation", _matrix_cells())
def test_case_bound_reads_and_writes(relation, matrix_app, web_env, asked):
    for role in ROLES:
        m = Matrix(matrix_app, web_env, asked, role, relation)
        for rule, route in READS.items():
            m.read(rule, route)
        for rule, route in WRITES.items():
            m.write(rule, route)
        m.emergency_access()
        # every route was checked, none skipped (the emergency access is one more)
        assert m.checks == len(READS) + len(WRITES) + 1, m.checks


# --- listings ---------------------------------------------------------------------------
def _in_view(task: HumanTask, user: str, roles: frozenset[str], view: str, now) -> bool:
    """Whether the inbox's `view` would show `task` to the user if access allowed it (the
    views' own filters, engine/worklist/humantasks.py `_view_query`, without the rules)."""
    is_open, ours = task.status == "open", task.candidate_role in roles
    return {"mine": is_open and task.assignee == user,
            "roles": is_open and ours,
            "unassigned": is_open and ours and task.assignee is None,
            "overdue": is_open and task.due_at is not None and task.due_at < now and (
                task.assignee == user or (ours and task.assignee is None)),
            "completed": task.completed_by == user}[view]


def _listed(route_needs: str, w: World, response) -> bool:
    """Whether the listing shows the world's task, case, person or plan."""
    if response.mimetype == "application/json":
        body = response.json
        if route_needs == "inbox":
            return w.task_id in {t["id"] for t in body["tasks"]}
        if route_needs == "notice":
            return w.notice_id in {n["id"] for n in body["notices"]}
        if "persons" in body:
            return w.person_id in {p["id"] for p in body["persons"]}
        return w.case_id in {c["id"] for c in body["cases"]}
    html = response.get_data(as_text=True)
    link = {"inbox": f'href="/tasks/{w.task_id}"', "case": f'href="/cases/{w.case_id}"',
            "notice": f'action="/notices/{w.notice_id}/ack"',
            "person": f'href="/persons/{w.person_id}"',
            "coordinator": f'href="/plans/{w.plan_id}"'}[route_needs]
    if route_needs == "person" and "/plans/" in response.request.path:
        link = f'href="/plans/{w.plan_id}"'
    return link in html


@BOTH_DATABASES
@pytest.mark.parametrize("relation", _matrix_cells())
def test_listings(relation, matrix_app, web_env, asked):
    for role in ROLES:
        m = Matrix(matrix_app, web_env, asked, role, relation)
        w = m.world
        with web_env.unit_of_work() as ctx:
            task = ctx.session.get(HumanTask, w.task_id)
            now = ctx.now()
            in_views = [_in_view(task, w.username, w.roles, view, now) for view in VIEWS]
        for rule, route in LISTINGS.items():
            if route.needs == "inbox":
                expected = [shown and (w.level == rules.FULL
                                       or holds_any(w.roles, rules.LIMITED_ROLES))
                            for shown in in_views]
            elif route.needs == "coordinator":
                expected = [rules.COORDINATES in w.rule_relations]
            elif route.needs == "notice":  # addressed to the user's role: shown as the case
                expected = [w.level == rules.FULL or holds_any(w.roles, rules.LIMITED_ROLES)]
            else:
                expected = [w.level == rules.FULL]
            for request, wanted in zip(route.request(w), expected, strict=True):
                response = m.send(rule, request)
                if route.roles is not None and not w.roles & route.roles:
                    assert response.status_code == 403, m.where(rule, response)
                    continue
                assert response.status_code == 200, m.where(rule, response)
                assert asked, ("did not ask the access module", *m.where(rule, response))
                assert _listed(route.needs, w, response) == wanted, (
                    request[2], wanted, *m.where(rule, response))
                m.checks += 1
        assert m.checks >= len(LISTINGS), m.checks
