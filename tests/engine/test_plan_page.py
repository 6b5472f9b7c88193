"""The plan as a document (engine/plans/plan_page.py): who reads how much of it (the
case-working roles and the coordinator all of it, a participant what their consent covers
today, nobody else anything), a protected address never in it, every read in the audit log
for the person, versions shown and compared under the same rule, the coordinator's and the
coordinating unit's lists, and a read whose number of queries does not grow with the plan."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from engine.core.errors import NotFound, PermissionDenied
from engine.db.models import AuditEvent, Plan
from engine.persons import identity, registry
from engine.plans import content, coordinators, lifecycle, meetings, participants, plan_page
from tests.db_support import count_statements

ADDRESS = "Hemmeligveien 6"


@pytest.fixture
def people(make_user):
    class People:
        officer = make_user("siri.saks", "saksbehandler")
        unit = make_user("kim.enhet", "koordinerende_enhet")
        coordinator = make_user("kari.koord", "koordinator", trained=True)
        other = make_user("ola.koord", "koordinator", trained=True)
        nav = make_user("nina.nav", "koordinator")
        admin = make_user("adam.admin", "admin")
    return People


def make_plan(ctx, people, *, serial=1, protection="none", goals=2, measures=3,
              extra_participants=0, meeting_count=1, coordinator="kari.koord") -> Plan:
    """A plan built through the engine's operations: a person, a coordinator, the content,
    a participant with the person's consent to the measures only, meetings, version 1."""
    person = registry.register(ctx, registry.PersonDetails(
        name=f"Per Plansen {serial}", national_id=identity.synthetic(date(1970, 3, 1), serial),
        address=ADDRESS, postal_code="0001", postal_place="Oslo", protection=protection),
        "siri.saks")
    plan = Plan(person_id=person.id, status="utkast", contributions={}, approved_version=0,
                created_at=ctx.now(), created_by="siri.saks")
    ctx.session.add(plan)
    ctx.session.flush()
    coordinators.appoint(ctx, plan, coordinator, "siri.saks")
    content.apply_form(ctx, plan, {
        "hovedmal": "Bo trygt hjemme", "ressurser_og_behov": "Sterk vilje",
        "samarbeid_andre_etater": "NAV og fastlegen", "neste_evaluering": "2026-06-01",
        "planperiode_fra": "2026-01-05", "planperiode_til": "2027-01-05",
        "bidrag": {"personen": "Trener hver dag"},
        "delmal": [{"beskrivelse": f"Delmål {i}", "frist": "2026-05-01"} for i in range(goals)],
        "tiltak": [{"hva": f"Tiltak {i}", "omfang": "2 t/uke", "ansvarlig": "Hjemmetjenesten",
                    "gjennomforing": f"Slik {i}"} for i in range(measures)],
        "samtykke": {"samtykke_til_plan": True, "gitt_av": "personen",
                     "gitt_av_navn": "Per Plansen", "samtykke_dato": "2026-01-05"},
    }, coordinator)
    nav = participants.add(ctx, plan, coordinator, name="NAV Sentrum", role="NAV-veileder",
                           username="nina.nav")
    participants.give_consent(ctx, plan, coordinator, participant_id=nav.id, scope="deler",
                              sections_=["tiltak"], given_by_name="Per Plansen",
                              given_by_role="personen", given_on=ctx.today())
    for i in range(extra_participants):
        participants.add(ctx, plan, coordinator, name=f"Deltaker {i}", role="Fysioterapeut")
    for i in range(meeting_count):
        meetings.record(ctx, plan, coordinator, ctx.today() - timedelta(days=i),
                        ["Per Plansen", "Kari Koordinator"], f"Referat {i}",
                        [meetings.ActionItem(f"Punkt {i}", "Kari Koordinator",
                                             due_on=date(2026, 2, 1))])
    lifecycle.approve(ctx, plan, coordinator)
    return plan


def reads(ctx, person_id):
    return list(ctx.session.scalars(select(AuditEvent).where(
        AuditEvent.kind == "plan_read", AuditEvent.person_id == person_id)))


def test_the_coordinator_and_the_case_working_roles_read_the_whole_plan(ctx, people):
    plan = make_plan(ctx, people)
    for reader in (people.coordinator, people.officer, people.unit):
        doc = plan_page.plan_page(ctx, plan.id, reader)
        assert doc.visible == plan_page.WHOLE
        assert doc.plan.main_goal == "Bo trygt hjemme"
        assert [g.text for g in doc.goals] == ["Delmål 0", "Delmål 1"]
        assert [m.how for m in doc.measures] == ["Slik 0", "Slik 1", "Slik 2"]
        assert [(r.participant.name, r.consent.scope, r.holds) for r in doc.participants] \
            == [("NAV Sentrum", "deler", True)]
        assert [c.given_by_name for c in doc.plan_consents] == ["Per Plansen"]
        assert [(m.minutes, [i.what for i in items]) for m, items in doc.meetings] \
            == [("Referat 0", ["Punkt 0"])]
        assert [v.number for v in doc.versions] == [1]
        assert doc.name("kari.koord") == "Kari.koord"  # the display name
        assert [c.username for c in doc.coordinators] == ["kari.koord"]
    assert plan_page.plan_page(ctx, plan.id, people.coordinator).may_change
    assert [e.actor for e in reads(ctx, plan.person_id)] == [
        "kari.koord", "siri.saks", "kim.enhet", "kari.koord"]


def test_a_protected_address_is_never_in_the_plan(ctx, people):
    plan = make_plan(ctx, people, protection="strengt_fortrolig")
    for reader in (people.officer, people.coordinator, people.nav):
        doc = plan_page.plan_page(ctx, plan.id, reader)
        assert doc.address.lines == () and doc.address.hidden_because
        assert doc.marking is not None
    open_plan = make_plan(ctx, people, serial=2)
    assert plan_page.plan_page(ctx, open_plan.id, people.coordinator).address.lines \
        == (ADDRESS, "0001 Oslo")


def test_a_participant_reads_what_the_consent_covers_until_it_is_withdrawn(ctx, people):
    plan = make_plan(ctx, people)
    doc = plan_page.plan_page(ctx, plan.id, people.nav)
    assert doc.visible == {"tiltak"} and doc.shows("tiltak") and not doc.shows("mal")
    assert doc.meetings == [] and not doc.may_change
    view = plan_page.plan_version_view(ctx, plan.id, 1, people.nav)
    assert list(view.sections) == ["tiltak"]

    consent_id = doc.participants[0].consent.id
    participants.withdraw(ctx, plan, consent_id, "kari.koord")
    with pytest.raises(PermissionDenied) as refused:
        plan_page.plan_page(ctx, plan.id, people.nav)
    assert refused.value.refused_person == plan.person_id
    with pytest.raises(PermissionDenied):
        plan_page.plan_version_view(ctx, plan.id, 1, people.nav)


def test_nobody_else_reads_the_plan(ctx, people):
    plan = make_plan(ctx, people)
    make_plan(ctx, people, serial=2, coordinator="ola.koord")
    before = len(reads(ctx, plan.person_id))
    for reader in (people.other, people.admin):
        with pytest.raises(PermissionDenied):
            plan_page.plan_page(ctx, plan.id, reader)
        with pytest.raises(PermissionDenied):
            plan_page.compare_versions(ctx, plan.id, 1, 1, reader)
    assert len(reads(ctx, plan.person_id)) == before


def test_versions_are_shown_and_compared_under_the_same_rule(ctx, people):
    plan = make_plan(ctx, people)
    content.apply_form(ctx, plan, {"hovedmal": "Komme i arbeid", "tiltak": [
        {"hva": "Arbeidstrening", "ansvarlig": "NAV"}]}, "kari.koord")
    coordinators.appoint(ctx, plan, "ola.koord", "siri.saks")
    lifecycle.approve(ctx, plan, "ola.koord")

    whole = plan_page.compare_versions(ctx, plan.id, 1, 2, people.officer)
    assert {"mal", "tiltak", "gjennomforing", "koordinering"} <= set(whole.changes)
    assert whole.changes["mal"]["for"]["hovedmal"] == "Bo trygt hjemme"
    assert whole.changes["mal"]["etter"]["hovedmal"] == "Komme i arbeid"
    assert whole.names["ola.koord"] == "Ola.koord"
    part = plan_page.compare_versions(ctx, plan.id, 1, 2, people.nav)
    assert set(part.changes) == {"tiltak"}

    view = plan_page.plan_version_view(ctx, plan.id, 2, people.officer)
    assert list(view.sections) == ["mal", "deltakere", "koordinering", "bidrag", "tiltak",
                                   "gjennomforing", "periode", "samtykke", "samarbeid"]
    assert view.sections["mal"]["hovedmal"] == "Komme i arbeid"
    assert {"kari.koord", "ola.koord"} <= set(view.names)
    with pytest.raises(NotFound):
        plan_page.plan_version_view(ctx, plan.id, 3, people.officer)
    purposes = [e.details.get("purpose") for e in reads(ctx, plan.person_id)]
    assert purposes == ["compare 1-2", "compare 1-2", "version 2"]


def test_the_coordinators_plans_and_the_overview_with_overdue_reviews_first(ctx, people):
    soon = make_plan(ctx, people, serial=1)
    late = make_plan(ctx, people, serial=2, coordinator="ola.koord")
    late.next_review = ctx.today() - timedelta(days=1)
    ended = make_plan(ctx, people, serial=3)
    lifecycle.end(ctx, ended, "kari.koord", "ferdig")
    ctx.session.flush()

    mine = plan_page.coordinated_by(ctx, people.coordinator)
    assert [r.plan.id for r in mine] == [soon.id] and not mine[0].overdue
    rows = plan_page.overview(ctx, people.unit)
    assert [(r.plan.id, r.overdue, r.coordinator_name) for r in rows] == [
        (late.id, True, "Ola.koord"), (soon.id, False, "Kari.koord")]
    assert [r.plan.id for r in plan_page.overview(ctx, people.unit, only_overdue=True)] \
        == [late.id]
    assert [r.plan.id for r in plan_page.overview(ctx, people.unit, offset=1, limit=1)] \
        == [soon.id]
    for reader in (people.coordinator, people.admin):
        with pytest.raises(PermissionDenied):
            plan_page.overview(ctx, reader)


def test_the_read_is_bounded_whatever_the_size_of_the_plan(ctx, people):
    small = make_plan(ctx, people, serial=1, goals=1, measures=1, meeting_count=1)
    big = make_plan(ctx, people, serial=2, goals=50, measures=200, extra_participants=30,
                    meeting_count=40)
    for reader in (people.coordinator, people.nav):
        ctx.session.expire_all()
        few = count_statements(ctx, lambda r=reader: plan_page.plan_page(ctx, small.id, r))
        ctx.session.expire_all()
        many = count_statements(ctx, lambda r=reader: plan_page.plan_page(ctx, big.id, r))
        # a fixed budget, whatever the size: with SAMFLYT_FAST_PATH=off the read's audit row
        # is a statement of its own, and a participant's read asks the access rules and then
        # their consent
        assert many == few <= 16, (few, many)
    doc = plan_page.plan_page(ctx, big.id, people.coordinator)
    assert (len(doc.goals), len(doc.measures), len(doc.participants), len(doc.meetings)) \
        == (50, 200, 31, 40)
