"""The KPR extract: who had an individual plan, a coordinator or a child coordinator in the
year, with the dates; persons without a national number left out and counted; the CSV and
JSON forms; who may take it; the export audited without personal data."""
from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from sqlalchemy import select

from engine.cases import casework
from engine.core.errors import InvalidInput, PermissionDenied
from engine.db.models import AuditEvent, Plan
from engine.persons import identity, registry
from engine.plans import coordinators, lifecycle
from engine.reports import kpr


@pytest.fixture
def unit(make_user):
    return make_user("kim", "koordinerende_enhet")


def _person(ctx, name, born, serial=None):
    number = identity.synthetic(born, serial) if serial else None
    return registry.register(ctx, registry.PersonDetails(
        name=name, national_id=number, birth_date=born), "kim")


def _plan(ctx, clock, person, approved: date, coordinator="kari", ended: date | None = None):
    clock.set(clock().replace(year=approved.year, month=approved.month, day=approved.day))
    plan = Plan(person_id=person.id, status="utkast", contributions={}, approved_version=0,
                created_at=ctx.now(), created_by="kim", main_goal="Bo hjemme",
                next_review=date(approved.year + 1, 1, 4))
    ctx.session.add(plan)
    ctx.session.flush()
    coordinators.appoint(ctx, plan, coordinator, "kim")
    lifecycle.approve(ctx, plan, "kim")
    if ended:
        clock.set(clock().replace(year=ended.year, month=ended.month, day=ended.day))
        lifecycle.end(ctx, plan, "kim", "avsluttet")
    return plan


def _decided(ctx, person, facts):
    case = casework.start_case(ctx, {}, "kim", process_key="bench_two_user_tasks")
    case.person_id, case.facts = person.id, facts
    ctx.session.flush()
    return case


def test_the_extract_of_a_year(ctx, clock, unit):
    this_year = _person(ctx, "Anne Ny", date(1980, 1, 1), 1)
    _plan(ctx, clock, this_year, date(2025, 3, 3))
    ended = _person(ctx, "Bjørn Slutt", date(1970, 1, 1), 2)
    _plan(ctx, clock, ended, date(2024, 5, 5), ended=date(2025, 6, 30))
    before = _person(ctx, "Cecilie Før", date(1960, 1, 1), 3)
    earlier = _plan(ctx, clock, before, date(2023, 9, 1))
    clock.set(clock().replace(year=2025, month=8, day=1))
    coordinators.appoint(ctx, earlier, "ola", "kim")  # a handover in the year
    long_ended = _person(ctx, "Dag Gammel", date(1950, 1, 1), 4)
    _plan(ctx, clock, long_ended, date(2020, 1, 6), ended=date(2022, 2, 2))
    child = _person(ctx, "Eva Barn", date(2015, 4, 4), 5)
    _decided(ctx, child, {"vedtak_barnekoordinator": "innvilget",
                          "leveringsdato": "2025-10-10"})
    unborn = registry.register(ctx, registry.PersonDetails(name="Barn", due_date=date(2026, 1, 2)),
                               "kim")
    _decided(ctx, unborn, {"vedtak_barnekoordinator": "innvilget", "leveringsdato": "2025-11-11"})
    nobody = _person(ctx, "Frode Uten", date(1990, 1, 1), 6)
    _decided(ctx, nobody, {"vedtak_ip": "avslag", "leveringsdato": "2025-05-05"})

    clock.set(clock().replace(year=2026, month=1, day=5))
    found = kpr.extract(ctx, unit, 2025)
    rows = {row.fodselsnummer: row for row in found.rows}
    assert set(rows) == {p.national_id for p in (this_year, ended, before, child)}
    assert found.without_number == 1
    assert (rows[this_year.national_id].ip_fra, rows[this_year.national_id].ip_til) == (
        date(2025, 3, 3), None)
    assert rows[this_year.national_id].koordinator_fra == date(2025, 3, 3)
    assert rows[ended.national_id].ip_til == date(2025, 6, 30)
    assert (rows[before.national_id].ip_fra, rows[before.national_id].koordinator_fra,
            rows[before.national_id].koordinator_til) == (date(2023, 9, 1), date(2023, 9, 1),
                                                          None)
    assert rows[child.national_id].barnekoordinator_vedtak_dato == date(2025, 10, 10)
    assert all(row.aar == 2025 and row.kommunenummer == ctx.settings.municipality_number
               for row in found.rows)

    table = list(csv.reader(io.StringIO(kpr.to_csv(found)), delimiter=";"))
    assert table[0] == list(kpr.COLUMNS) and len(table) == 5
    data = kpr.to_json(found, ctx.now())
    assert data["due"] == "2026-01-15" and data["count"] == 4
    assert data["left_out_without_number"] == 1
    [event] = ctx.session.scalars(select(AuditEvent).where(AuditEvent.kind == "kpr_exported"))
    assert event.details == {"year": 2025, "rows": 4, "without_number": 1}
    assert this_year.national_id not in str(event.details)


def test_who_may_take_it_and_which_years(ctx, make_user, unit):
    with pytest.raises(PermissionDenied):
        kpr.extract(ctx, make_user("siri", "saksbehandler"), 2025)
    with pytest.raises(InvalidInput):
        kpr.extract(ctx, unit, 1999)
    with pytest.raises(InvalidInput):
        kpr.extract(ctx, unit, ctx.today().year + 1)
    assert kpr.extract(ctx, make_user("lars", "leder"), 2025).rows == []
