"""`samflyt demo`: users for every role and cases in the states the demo promises."""
from sqlalchemy import select

from engine.accounts import users
from engine.accounts.roles import ROLES
from engine.cases import demo
from engine.db.models import Case, Person
from engine.persons import registry
from engine.plans import lifecycle, meetings, participants
from engine.scheduling.sweep import sweep_once
from engine.worklist import humantasks


def _open(ctx, case):
    return sorted((t.name, t.candidate_role, t.assignee)
                  for t in humantasks.open_tasks(ctx, case.id))


def test_demo_loads_users_and_cases_in_different_states(ctx):
    lines = demo.load(ctx)
    assert {role for _, roles, _, _, _ in demo.DEMO_USERS for role in roles} == set(ROLES)
    assert users.get_user(ctx, "koordinator1").trained_coordinator
    by_name = {c.person_name: c for c in ctx.session.scalars(select(Case))}
    assert len(by_name) == 11 and sum(line.startswith("case ") for line in lines) == 11
    assert ("Kartlegging og vurdering", "saksbehandler", None) in _open(ctx,
                                                                        by_name["Kari Nordmann"])
    assert ("Signere vedtak", "leder", None) in _open(ctx, by_name["Aisha Khan"])
    assert ("Oppnevne koordinator", "koordinerende_enhet", None) in _open(ctx, by_name["Per Olsen"])
    assert ("Utarbeide plan", "koordinator", "koordinator1") in _open(ctx, by_name["Emma Berg"])
    assert by_name["Nils Dahl"].coordinator == "koordinator1"
    assert [i.process_key for i in by_name["Nils Dahl"].instances if i.status == "running"] == [
        "periodisk_evaluering"]
    assert by_name["Liv Johansen"].facts["klagefrist_regel"] == "klagefrist_helse"
    assert any(i.process_key == "klage" and i.status == "running"
               for i in by_name["Liv Johansen"].instances)
    # the persons of the issue: relations, a marked applicant, a protected address, plans
    sofie = by_name["Sofie Lie"]
    kinds = sorted((r.kind, r.parental_responsibility, p.name)
                   for r, p in registry.relations(ctx, sofie.person_id))
    assert kinds == [("forelder", True, "Hanne Lie"), ("forelder", True, "Jon Lie")]
    assert sofie.applicant_relation == "forelder" and not sofie.applicant_without_fullmakt
    plan = lifecycle.get(ctx, sofie.plan_id)
    assert plan.status == "aktiv" and len(meetings.listing(ctx, plan.id)) == 1
    assert {p.name for p in participants.current(ctx, plan.id)} >= {"Hanne Lie", "Jon Lie"}
    assert by_name["Arne Hansen"].applicant_without_fullmakt
    assert ctx.session.get(Person, by_name["Nora Vik"].person_id).protection \
        == "strengt_fortrolig"
    unborn = ctx.session.get(Person, by_name["Barn av Maria Solberg"].person_id)
    assert unborn.birth_date is None and unborn.due_date is not None
    assert len({c.person_id for c in by_name.values()}) == 11
    # registered 24 days ago (a week before its deadline): the first sweep raises the
    # interim-reply warning
    result = sweep_once(ctx)
    assert result.notices == [(f"{by_name['Ola Hansen'].case_number}: interim_reply_warning -> "
                               "saksbehandler")]
    assert demo.load(ctx)[0] == "demo data already loaded"
