"""Registering an application finds the person first: by number, name or birth date; the
page shows the person's cases and plan and says that an IP request joins the plan; the same
national number is never a second person (issue 14)."""
from __future__ import annotations

import re
from datetime import date

from sqlalchemy import func, select

from engine.cases import demo
from engine.db.models import Case, Person, Plan
from engine.persons import identity, registry

NUMBER = identity.synthetic(date(1980, 4, 2), 11)


def _form(officer, query: str = "") -> dict:
    html = officer.get(f"/cases/new?process=ip_sak{query}").get_data(as_text=True)
    token = re.search(r'name="start_token" value="([^"]+)"', html).group(1)
    return {"process": "ip_sak", "start_token": token}


def _application(**changes) -> dict:
    data = demo._application("Astrid Berg", "1980-04-02", "2026-12-01")
    data.update(changes)
    return {key: ("true" if value else "false") if isinstance(value, bool)
            else value if isinstance(value, list) else str(value)
            for key, value in data.items()}


def _person(engine_do, **details):
    def make(ctx):
        person = registry.register(ctx, registry.PersonDetails(**details), "test")
        return person.id
    return engine_do(make)


def test_the_officer_finds_the_person_by_number_and_sees_their_plan(browser, engine_do):
    person_id = _person(engine_do, name="Astrid Berg", national_id=NUMBER)
    engine_do(lambda ctx: ctx.session.add(Plan(
        person_id=person_id, status="aktiv", contributions={}, approved_version=1,
        created_at=ctx.now(), created_by="test", next_review=date(2027, 1, 4))))
    officer = browser("saksbehandler1")
    found = officer.get(f"/cases/new?process=ip_sak&finn={NUMBER}").get_data(as_text=True)
    assert f"person={person_id}" in found and "Astrid Berg" in found and "har plan" in found
    chosen = officer.get(f"/cases/new?process=ip_sak&person={person_id}").get_data(as_text=True)
    assert "Personen har en individuell plan" in chosen and "04.01.2027" in chosen
    assert 'value="Astrid Berg"' in chosen  # the form starts with what the person gives
    assert "ingen ny plan" in chosen


def test_a_number_registered_once_is_one_person(browser, engine_do):
    officer = browser("saksbehandler1")
    for received in ("2026-11-30", "2026-12-01"):
        response = officer.post("/cases/new", {**_form(officer), "fodselsnummer": NUMBER,
                                               **_application(mottatt_dato=received)})
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    assert engine_do(lambda ctx: ctx.session.scalar(
        select(func.count(Person.id)).where(Person.national_id == NUMBER))) == 1
    assert engine_do(lambda ctx: ctx.session.scalar(
        select(func.count(func.distinct(Case.person_id))))) == 1


def test_a_bad_number_is_a_clear_error_and_nothing_is_made(browser, engine_do):
    officer = browser("saksbehandler1")
    bad = NUMBER[:-1] + str((int(NUMBER[-1]) + 1) % 10)
    response = officer.post("/cases/new", {**_form(officer), "fodselsnummer": bad,
                                           **_application()})
    assert response.status_code == 422
    assert "Kontrollsifrene i fødselsnummeret stemmer ikke" in response.get_data(as_text=True)
    assert engine_do(lambda ctx: ctx.session.scalar(select(func.count(Case.id)))) == 0
    assert engine_do(lambda ctx: ctx.session.scalar(select(func.count(Person.id)))) == 0


def test_an_ip_request_for_a_person_with_a_plan_joins_it(browser, engine_do):
    person_id = _person(engine_do, name="Astrid Berg", national_id=NUMBER)
    plan_id = engine_do(lambda ctx: _plan(ctx, person_id))
    officer = browser("saksbehandler1")
    response = officer.post("/cases/new", {**_form(officer, f"&person={person_id}"),
                                           "person": str(person_id), **_application()})
    assert response.status_code == 302
    page = officer.get(response.headers["Location"]).get_data(as_text=True)
    assert "knyttet til personens plan" in page
    case = engine_do(lambda ctx: ctx.session.scalars(select(Case)).one())
    assert (case.process_key, case.plan_id, case.person_id) == ("plan_tilslutning", plan_id,
                                                                person_id)


def _plan(ctx, person_id):
    plan = Plan(person_id=person_id, status="aktiv", contributions={}, approved_version=1,
                created_at=ctx.now(), created_by="test")
    ctx.session.add(plan)
    ctx.session.flush()
    return plan.id
