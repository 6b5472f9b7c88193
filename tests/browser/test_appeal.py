"""Issue 15 in the browser, first part: an officer registers an appeal from the case page;
the appeal page passes axe-core, and the appeal posted by the deadline is in time."""
from __future__ import annotations

import re

from browser_support import assert_accessible, sign_in
from playwright.sync_api import expect
from test_journey import choose

from engine.cases import casework


def test_an_officer_registers_an_appeal_from_the_case_page(page, server):
    with server["env"].unit_of_work() as ctx:
        case = casework.start_case(ctx, {}, "saksbehandler1", process_key="stafett")
        case.facts = {"klagefrist": "2026-02-11", "vedtak_ip": "avslag"}
        case_id = case.id
    sign_in(page, "saksbehandler1")
    page.goto(page.base + f"/cases/{case_id}")
    page.get_by_role("link", name="Registrer klage").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Registrer klage")
    expect(page.locator("main")).to_contain_text("11.02.2026")
    assert_accessible(page)
    page.get_by_label("Dato klagen ble mottatt").fill("2026-02-13")
    page.get_by_label("Dato klagen ble postet").fill("2026-02-11")
    page.get_by_role("textbox", name=re.compile(r"^Klager\b")).fill("Kari Nordmann")
    choose(page, "Hvem klager", "Personen selv")
    page.get_by_label("Vedtaket om individuell plan", exact=True).check()
    page.get_by_label("Klagens grunnlag").fill("Jeg trenger hjelp fra flere tjenester")
    page.get_by_role("button", name="Registrer klagen").click()
    expect(page.locator(".flash-success")).to_contain_text("Klagen er registrert")
    expect(page).to_have_url(re.compile(rf"/cases/{case_id}$"))
    with server["env"].unit_of_work() as ctx:
        facts = ctx.session.get(type(case), case_id).facts
    assert facts["klage_i_tide"] is True and facts["klage_postet"] == "2026-02-11"
