"""Finding cases and persons, and the person page, in the engine (engine/persons/search.py,
engine/persons/person_page.py): a part of a name, a national number, a birth date and every
common form of a case number find the case; a case with no open task is found like any
other; the filters, the sorting and the paging; a coordinator finds and opens only what
engine/access lets them read; the search text never reaches the audit log; the person page
is one logged read whose number of queries does not grow with the person's cases."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import event, func, select

from engine.cases import casework
from engine.cases.applicants import Applicant
from engine.core.errors import PermissionDenied
from engine.db.models import AuditEvent, HumanTask, PersonRelation, Plan
from engine.persons import identity, person_page, registry, search
from engine.persons.search import CaseQuery
from engine.worklist import humantasks

BENCH = "bench_two_user_tasks"
ADDRESS = "Skjultveien 66"


@pytest.fixture
def people(make_user):
    class People:
        officer = make_user("siri.saks", "saksbehandler")
        leader = make_user("lars.leder", "leder")
        unit = make_user("kim.enhet", "koordinerende_enhet")
        coordinator = make_user("kari.koord", "koordinator", trained=True)
        other = make_user("ola.koord", "koordinator", trained=True)
        admin = make_user("adam.admin", "admin")
    return People


def person(ctx, name, born, serial, **details):
    return registry.register(ctx, registry.PersonDetails(
        name=name, national_id=identity.synthetic(born, serial), **details), "siri.saks")


def open_case(ctx, people, who, *, services="ip", received_on=date(2026, 1, 2),
              coordinator=None):
    """A case of the benchmark process (its first task waits for a saksbehandler) about
    `who`, as the intake leaves it."""
    about = casework.About(person=who, received_on=received_on, services=services,
                           applicant=Applicant(None, None, False))
    case = casework.start_case(ctx, {}, people.officer, process_key=BENCH, about=about)
    case.coordinator = coordinator
    ctx.session.flush()
    return case


def finish(ctx, people, case):
    """Complete both tasks: the case closes and has no open task."""
    for _ in range(2):
        [task] = humantasks.open_tasks(ctx, case.id)
        humantasks.complete(ctx, task.id, people.officer, {"x": 1},
                            expected_version=task.version)


def numbers(ctx, user, **query):
    return [hit.case_number for hit in search.search_cases(ctx, user, CaseQuery(**query)).hits]


@pytest.fixture
def world(ctx, people):
    class World:
        kari = person(ctx, "Kari Nordmann", date(1970, 3, 1), 1)
        ola = person(ctx, "Ola Åsheim Berg", date(1985, 6, 15), 2)
        siv = person(ctx, "Siv Berge", date(2012, 9, 30), 3, address=ADDRESS,
                     postal_code="0001", postal_place="Oslo", protection="strengt_fortrolig")
    w = World
    w.kari_case = open_case(ctx, people, w.kari, services="ip,koordinator",
                            received_on=date(2026, 1, 2), coordinator="kari.koord")
    w.ola_case = open_case(ctx, people, w.ola, services="koordinator",
                           received_on=date(2026, 1, 4))
    w.siv_case = open_case(ctx, people, w.siv, services="barnekoordinator",
                           received_on=date(2025, 12, 20))
    return w


def test_a_part_of_a_name_the_national_number_and_the_birth_date_find_the_case(
        ctx, people, world):
    officer = people.officer
    for text in ("nordmann", "KARI", "kari nord", "  Kari   Nordmann "):
        assert numbers(ctx, officer, text=text) == [world.kari_case.case_number], text
    assert sorted(numbers(ctx, officer, text="berg")) == sorted(
        [world.ola_case.case_number, world.siv_case.case_number])
    assert numbers(ctx, officer, text="åsheim") == [world.ola_case.case_number]
    number = world.kari.national_id
    for text in (number, f"{number[:6]} {number[6:]}"):
        page = search.search_cases(ctx, officer, CaseQuery(text=text))
        assert [h.case_number for h in page.hits] == [world.kari_case.case_number]
        assert page.matched_as == "national_id"
    page = search.search_cases(ctx, officer, CaseQuery(text="15.06.1985"))
    assert [h.case_number for h in page.hits] == [world.ola_case.case_number]
    assert page.matched_as == "birth_date"
    assert numbers(ctx, officer, text="finnes ikke") == []
    assert numbers(ctx, officer, text="100%_") == []  # LIKE's wildcards are text


def test_every_common_form_of_a_case_number_finds_the_case(ctx, people, world):
    number = world.ola_case.case_number  # IP-2026-000nn
    prefix, year, serial = number.split("-")
    for text in (number, number.lower(), f"{prefix.lower()}-{year}-{int(serial)}", serial,
                 str(int(serial)), f"{year}/{int(serial)}", f" {number} "):
        page = search.search_cases(ctx, people.officer, CaseQuery(text=text))
        assert [h.case_number for h in page.hits] == [number], text
        assert page.matched_as == "case_number"
    assert search.case_numbers(ctx, "IP-2026-00042") == ["IP-2026-00042"]
    assert search.case_numbers(ctx, "ip-2026-42") == ["IP-2026-00042"]
    assert "IP-2026-00042" in search.case_numbers(ctx, "00042")
    assert search.case_numbers(ctx, "XY-2026-42") is None  # another system's number
    assert search.case_numbers(ctx, "Kari") is None


def test_a_case_with_no_open_task_is_found_like_any_other(ctx, people, world):
    finish(ctx, people, world.ola_case)
    assert ctx.session.scalars(select(HumanTask).where(
        HumanTask.case_id == world.ola_case.id, HumanTask.status == "open")).all() == []
    assert world.ola_case.status == "closed"
    assert numbers(ctx, people.officer, text="Ola", status="closed") == [
        world.ola_case.case_number]
    assert numbers(ctx, people.officer, text="Ola", status="all") == [
        world.ola_case.case_number]
    assert numbers(ctx, people.officer, text="Ola") == []  # the default: open cases
    [hit] = search.search_cases(ctx, people.officer, CaseQuery(text="Ola", status="all")).hits
    assert hit.next_due is None and not hit.overdue and hit.person_name == "Ola Åsheim Berg"


def test_filters_by_service_responsible_and_overdue(ctx, people, world):
    officer = people.officer
    assert numbers(ctx, officer, service="koordinator") == [
        world.ola_case.case_number, world.kari_case.case_number]  # "ip,koordinator" too
    assert numbers(ctx, officer, service="barnekoordinator") == [world.siv_case.case_number]
    assert numbers(ctx, officer, service="ip") == [world.kari_case.case_number]
    assert numbers(ctx, officer, responsible="kari.koord") == [world.kari_case.case_number]
    [task] = humantasks.open_tasks(ctx, world.siv_case.id)
    task.assignee = "siri.saks"
    task.due_at = ctx.now() - timedelta(days=1)
    ctx.session.flush()
    assert numbers(ctx, officer, responsible="siri.saks") == [world.siv_case.case_number]
    assert numbers(ctx, officer, overdue=True) == [world.siv_case.case_number]
    [hit] = search.search_cases(ctx, officer, CaseQuery(overdue=True)).hits
    assert hit.overdue and hit.next_due == task.due_at
    assert hit.protection == "strengt_fortrolig" and hit.services == ("barnekoordinator",)
    assert numbers(ctx, officer, overdue=True, service="ip") == []


def test_sorting_and_paging(ctx, people, world):
    officer = people.officer
    all_three = {world.kari_case.case_number, world.ola_case.case_number,
                 world.siv_case.case_number}
    by_received = numbers(ctx, officer, sort="received")
    assert by_received == [world.ola_case.case_number, world.kari_case.case_number,
                           world.siv_case.case_number]  # newest first
    assert numbers(ctx, officer, sort="case_number") == sorted(all_three, reverse=True)
    names = [h.person_name for h in search.search_cases(
        ctx, officer, CaseQuery(sort="name")).hits]
    assert names == ["Kari Nordmann", "Ola Åsheim Berg", "Siv Berge"]
    [task] = humantasks.open_tasks(ctx, world.ola_case.id)
    task.due_at = ctx.now() + timedelta(days=3)
    [task] = humantasks.open_tasks(ctx, world.kari_case.id)
    task.due_at = ctx.now() + timedelta(days=9)
    ctx.session.flush()
    assert numbers(ctx, officer, sort="due") == [world.ola_case.case_number,
                                                 world.kari_case.case_number,
                                                 world.siv_case.case_number]  # none last
    first = search.search_cases(ctx, officer, CaseQuery(limit=2))
    assert first.has_more and len(first.hits) == 2
    rest = search.search_cases(ctx, officer, CaseQuery(limit=2, offset=2))
    assert not rest.has_more
    assert [h.case_number for h in first.hits + rest.hits] == by_received


def test_a_coordinator_finds_only_the_cases_they_may_read(ctx, people, world):
    assert numbers(ctx, people.coordinator) == [world.kari_case.case_number]
    assert numbers(ctx, people.coordinator, text="berg", status="all") == []
    assert numbers(ctx, people.coordinator, text=world.ola.national_id) == []
    assert numbers(ctx, people.other) == []
    for reader in (people.leader, people.unit):  # the case-working roles read every case
        assert len(numbers(ctx, reader)) == 3
    with pytest.raises(PermissionDenied):
        search.find_cases(ctx, people.admin, CaseQuery())
    with pytest.raises(PermissionDenied):
        search.search_persons(ctx, people.coordinator, "Kari")


def test_the_search_is_logged_without_what_was_searched_for(ctx, people, world):
    texts = ("Nordmann", world.kari.national_id, "01.03.1970", world.kari_case.case_number)
    before = ctx.session.scalar(select(func.max(AuditEvent.id)))
    for text in texts:
        search.find_cases(ctx, people.officer, CaseQuery(text=text))
    events = list(ctx.session.scalars(select(AuditEvent).where(
        AuditEvent.kind == "case_search").order_by(AuditEvent.id)))
    assert [(e.actor, e.person_id, e.case_id) for e in events] == [("siri.saks", None, None)] * 4
    assert [e.details for e in events] == [
        {"matched_as": kind, "hits": 1}
        for kind in ("name", "national_id", "birth_date", "case_number")]
    logged = " ".join(str(e.details) for e in ctx.session.scalars(select(AuditEvent).where(
        AuditEvent.id > before)))  # whatever the searches wrote
    for text in (*texts, "nordmann", world.kari.national_id[:6]):
        assert text not in logged


def test_person_search(ctx, people, world):
    hits = search.search_persons(ctx, people.officer, "berg")
    assert [h.person.name for h in hits] == ["Ola Åsheim Berg", "Siv Berge"]
    assert [h.open_cases for h in hits] == [1, 1] and not any(h.has_active_plan for h in hits)
    [hit] = search.search_persons(ctx, people.unit, world.kari.national_id)
    assert hit.person.id == world.kari.id
    [hit] = search.search_persons(ctx, people.officer, "30.09.2012")
    assert hit.person.id == world.siv.id
    assert search.search_persons(ctx, people.officer, "   ") == []


def reads(ctx, person_id):
    return list(ctx.session.scalars(select(AuditEvent).where(
        AuditEvent.kind == "person_read", AuditEvent.person_id == person_id)))


def test_the_person_page_shows_relations_plan_cases_and_open_tasks(ctx, people, world):
    mother = person(ctx, "Mona Berge", date(1980, 1, 1), 4)
    ctx.session.add(PersonRelation(
        person_id=world.siv.id, related_id=mother.id, kind="forelder",
        parental_responsibility=True, created_at=ctx.now()))
    plan = Plan(person_id=world.siv.id, status="aktiv", contributions={}, approved_version=1,
                next_review=date(2026, 6, 1), created_at=ctx.now(), created_by="siri.saks")
    ctx.session.add(plan)
    ctx.session.flush()
    second = open_case(ctx, people, world.siv, services="ip", received_on=date(2026, 1, 5))
    finish(ctx, people, second)
    page = person_page.person_page(ctx, world.siv.id, people.officer)
    assert page.person.name == "Siv Berge" and page.marking == "Strengt fortrolig adresse (kode 6)"
    assert [(r.kind, r.parental_responsibility, p.name) for r, p in page.relations] == [
        ("forelder", True, "Mona Berge")]
    assert page.plan is not None and page.plan.id == plan.id
    assert [row.case.case_number for row in page.cases] == [
        second.case_number, world.siv_case.case_number]
    assert page.cases[0].open_tasks == [] and page.cases[0].next_due is None
    [task] = page.cases[1].open_tasks
    assert (task.name, task.candidate_role) == ("Oppgave A", "saksbehandler")
    assert len(reads(ctx, world.siv.id)) == 1
    mother_page = person_page.person_page(ctx, mother.id, people.officer)
    assert [p.name for _r, p in mother_page.related_to] == ["Siv Berge"]


def test_the_person_page_refuses_a_coordinator_without_a_case_of_the_person(
        ctx, people, world):
    with pytest.raises(PermissionDenied) as refused:
        person_page.person_page(ctx, world.ola.id, people.coordinator)
    assert refused.value.refused_person == world.ola.id
    assert reads(ctx, world.ola.id) == []
    with pytest.raises(PermissionDenied):
        person_page.person_page(ctx, world.kari.id, people.admin)
    page = person_page.person_page(ctx, world.kari.id, people.coordinator)
    assert [row.case.id for row in page.cases] == [world.kari_case.id]
    assert [e.actor for e in reads(ctx, world.kari.id)] == ["kari.koord"]


def test_a_strictly_protected_address_is_for_the_case_working_roles_only(ctx, people, world):
    page = person_page.person_page(ctx, world.siv.id, people.officer)
    assert page.address.lines == (ADDRESS, "0001 Oslo") and page.address.hidden_because is None
    world.siv_case.coordinator = "kari.koord"
    ctx.session.flush()
    page = person_page.person_page(ctx, world.siv.id, people.coordinator)
    assert page.address.lines == () and page.address.hidden_because == "Adressen er skjermet"
    assert page.marking == "Strengt fortrolig adresse (kode 6)"


def test_the_person_page_reads_a_bounded_number_of_times(ctx, people, world):
    def statements(person_id):
        seen = []

        def count(*_args):
            seen.append(1)
        engine = ctx.session.get_bind()
        event.listen(engine, "before_cursor_execute", count)
        try:
            ctx.session.expire_all()
            person_page.person_page(ctx, person_id, people.officer)
        finally:
            event.remove(engine, "before_cursor_execute", count)
        return len(seen)

    one_case = statements(world.ola.id)
    for _ in range(4):
        open_case(ctx, people, world.ola)
    assert statements(world.ola.id) == one_case
