"""Emergency access in a browser: an officer of another unit is refused a case, states why
they must read it, reads it, and the person's read report (the page and its PDF, read back)
shows it with the reason (axe-core on the refusal, the case and the report)."""
from __future__ import annotations

import io
import re
from datetime import date
from pathlib import Path

from browser_support import PASSWORD, assert_accessible, sign_in
from playwright.sync_api import expect
from pypdf import PdfReader

from engine.accounts import credentials, users
from engine.cases import intake
from engine.organisation import units
from engine.persons import identity, registry
from tests.letter_cases import APPLICATION

REASON = "Legevakten ber om planen i natt"


def test_another_units_officer_uses_emergency_access_and_the_read_report_shows_it(
        page, server):
    with server["env"].unit_of_work() as ctx:
        if units.find_unit(ctx, "nav-test") is None:
            units.add_unit(ctx, "nav-test", "NAV Test", "nav")
        users.add_user(ctx, "nora", ["saksbehandler"], display_name="Nora NAV",
                       password_hash=credentials.hash_password(PASSWORD), units=["nav-test"])
        born = date(1958, 6, 7)
        number = identity.synthetic(born, 61)
        registry.register(ctx, registry.PersonDetails(
            name="Nils Nødtilgang", national_id=number, birth_date=born), "saksbehandler1")
        case = intake.register_application(
            ctx, dict(APPLICATION, navn="Nils Nødtilgang", fodselsdato=born.isoformat()),
            users.get_user(ctx, "saksbehandler1"), "ip_sak", ("ip_sak",),
            person=intake.PersonChoice(national_id=number)).case
        case_id, person_id = case.id, case.person_id

    sign_in(page, "nora")
    response = page.goto(page.base + f"/cases/{case_id}")
    assert response is not None and response.status == 403
    expect(page.get_by_role("heading", name="Nødtilgang")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Hvorfor trenger du tilgang?").fill(REASON)
    page.get_by_role("button", name="Bruk nødtilgang").click()
    expect(page).to_have_url(re.compile(rf"/cases/{case_id}$"))
    expect(page.locator("#override-banner")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Nils Nødtilgang")
    assert_accessible(page)

    sign_in(page, "saksbehandler1")
    page.goto(page.base + f"/persons/{person_id}")
    page.get_by_role("link", name="Hvem har lest opplysningene").click()
    expect(page).to_have_url(re.compile(rf"/persons/{person_id}/read-log"))
    table = page.locator("#read-log")
    expect(table).to_contain_text("Nora NAV")
    expect(table).to_contain_text(REASON)
    expect(table).to_contain_text("Ikke tilgang: ble avvist")
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Last ned som PDF").click()
    pdf = PdfReader(io.BytesIO(Path(download.value.path()).read_bytes()))
    text = " ".join(" ".join(p.extract_text() for p in pdf.pages).split())
    assert "Nora NAV" in text and REASON in text and "Nils Nødtilgang" in text
