"""Finding a case in a browser: an officer searches the case list by a part of the name,
opens the person page from the hit and the case from there (axe-core on the list, on a list
with a bad parameter and on the person page)."""
from __future__ import annotations

import re
from datetime import date

from browser_support import assert_accessible, sign_in
from playwright.sync_api import expect

from engine.cases import casework
from engine.cases.applicants import Applicant
from engine.persons import identity, registry


def test_an_officer_finds_the_case_and_the_person(page, server):
    with server["env"].unit_of_work() as ctx:
        person = registry.register(ctx, registry.PersonDetails(
            name="Finn Søkbar", national_id=identity.synthetic(date(1961, 4, 12), 41)),
            "saksbehandler1")
        about = casework.About(person=person, received_on=date(2026, 1, 2),
                               services="ip,koordinator", applicant=Applicant(None, None, False))
        case = casework.start_case(ctx, {}, "saksbehandler1", process_key="bench_two_user_tasks",
                                   about=about)
        case_id, case_number, person_id = case.id, case.case_number, person.id
    sign_in(page, "saksbehandler1")
    page.get_by_role("link", name="Saker", exact=True).click()
    page.get_by_label("Søk", exact=True).fill("søkbar")
    page.get_by_label("Status").select_option("all")
    page.get_by_role("button", name="Søk", exact=True).click()
    row = page.locator("#case-hits tbody tr", has_text=case_number)
    expect(row).to_contain_text("Finn Søkbar")
    expect(row).to_contain_text("Individuell plan, Koordinator")
    expect(row).to_contain_text("02.01.2026")
    assert_accessible(page)
    row.get_by_role("link", name="Finn Søkbar").click()
    expect(page).to_have_url(re.compile(rf"/persons/{person_id}$"))
    cases = page.locator("#person-cases")
    expect(cases).to_contain_text(case_number)
    expect(cases).to_contain_text("Oppgave A")
    assert_accessible(page)
    cases.get_by_role("link", name=case_number).click()
    expect(page).to_have_url(re.compile(rf"/cases/{case_id}$"))
    response = page.goto(page.base + "/cases/?status=sometimes")
    assert response is not None and response.status == 400
    expect(page.locator(".error-summary")).to_contain_text("Velg åpne, avsluttede eller alle")
    assert_accessible(page)
