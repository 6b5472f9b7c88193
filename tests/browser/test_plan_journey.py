"""Issue 14 in the browser: an officer registers an application for a person who has a plan
and sees the plan before registering; the coordinator adds the new participant and revises
the plan (version 2), holds a meeting with minutes and an action item that lands in the
officer's inbox, compares the two versions and downloads the plan as PDF. Every page passes
axe-core. Then a person with a strengt fortrolig address: no response of a journey through
every page the coordinator and a participant can open holds the address."""
from __future__ import annotations

import contextlib
import io
import re
from datetime import date
from pathlib import Path

from browser_support import PASSWORD, assert_accessible, sign_in
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect
from pypdf import PdfReader
from test_journey import choose, open_task

from engine.accounts import credentials, users
from engine.cases import casework
from engine.db.models import Plan
from engine.persons import identity, registry
from engine.plans import coordinators, lifecycle, participants

NUMBER = identity.synthetic(date(1984, 9, 14), 41)
HIDDEN_NUMBER = identity.synthetic(date(1979, 2, 3), 42)
HIDDEN_ADDRESS = "Løynegata 77"


def _person_with_plan(env, name, number, coordinator="koordinator1", **details):
    """A person with an approved plan on a case of theirs, coordinated by `coordinator`."""
    with env.unit_of_work() as ctx:
        person = registry.register(ctx, registry.PersonDetails(
            name=name, national_id=number, **details), "test")
        case = casework.start_case(ctx, {}, "saksbehandler1", process_key="stafett")
        plan = Plan(person_id=person.id, status="utkast", contributions={},
                    approved_version=0, created_at=ctx.now(), created_by="test",
                    main_goal="Bo trygt hjemme med hjelp morgen og kveld",
                    resources="Sterk egenmotivasjon", next_review=date(2026, 6, 1),
                    opened_by_case_id=case.id)
        ctx.session.add(plan)
        ctx.session.flush()
        case.person_id, case.plan_id, case.person_name = person.id, plan.id, name
        coordinators.appoint(ctx, plan, coordinator, "test")
        participants.give_consent(ctx, plan, "test", participant_id=None, scope="planen",
                                  given_by_name=name, given_by_role="personen",
                                  given_on=date(2026, 1, 2))
        lifecycle.approve(ctx, plan, "test")
        return person.id, plan.id


def test_a_second_request_joins_the_plan_meeting_versions_and_pdf(page, server):
    _person_id, plan_id = _person_with_plan(server["env"], "Berit Solheim", NUMBER)

    # the officer finds the person first, and sees the plan before registering
    sign_in(page, "saksbehandler1")
    page.get_by_role("navigation", name="Hovedmeny").get_by_role("link", name="Ny sak").click()
    page.get_by_label("Søk etter personen").fill(NUMBER)
    page.get_by_role("button", name="Søk", exact=True).click()
    page.get_by_role("link", name="Berit Solheim").click()
    expect(page.locator(".notice")).to_contain_text("Personen har en individuell plan")
    expect(page.locator(".notice")).to_contain_text("ingen ny plan")
    assert_accessible(page)
    choose(page, "Hvem søker", "Personen selv")
    choose(page, "Søker om individuell plan", "Ja")
    choose(page, "Søker om koordinator", "Nei")
    choose(page, "Søker om barnekoordinator", "Nei")
    page.get_by_label("Dato søknaden ble mottatt").fill("2026-01-05")
    page.get_by_label("Spesialisthelsetjeneste (sykehus, BUP, DPS)", exact=True).check()
    page.get_by_label("Psykisk helse- og rustjeneste", exact=True).check()
    page.get_by_label("Forventet varighet av behovet (måneder)").fill("24")
    choose(page, "NAV-basert individuell plan", "Nei")
    page.get_by_role("button", name="Registrer søknaden").click()
    expect(page.locator(".flash-success")).to_contain_text("knyttet til personens plan")
    case_number = re.search(r"IP-\d{4}-\d{5}", page.locator(".flash-success").inner_text())[0]
    expect(page.locator("#case-plan")).to_contain_text("én person, én plan")
    assert_accessible(page)

    # the coordinator adds the participant and revises the plan: version 2
    sign_in(page, "koordinator1")
    open_task(page, case_number, "Legge til deltaker og revidere planen", view="mine")
    page.get_by_label("Ny deltaker (person eller tjeneste)").fill("DPS Nord")
    page.get_by_label("Rolle eller instans").fill("Spesialisthelsetjenesten")
    choose(page, "Hva personen samtykker til at deltakeren ser", "Hele planen")
    page.get_by_label("Neste evaluering").fill("2026-07-01")
    page.get_by_role("button", name="Fullfør oppgaven").click()
    expect(page.locator(".flash-success")).to_contain_text("er fullført")

    # a meeting with minutes and an action item for the officer
    page.goto(page.base + f"/plans/{plan_id}")
    expect(page.locator("#section-deltakere").locator("xpath=..")).to_contain_text("DPS Nord")
    assert_accessible(page)
    form = page.locator("#meeting-form")
    form.get_by_label("Dato for møtet").fill("2026-01-05")
    form.get_by_label("Til stede (én per linje)").fill("Berit Solheim\nKari Koordinator\nDPS Nord")
    form.get_by_label("Referat").fill("Planen er gjennomgått; DPS deltar fra nå.")
    form.get_by_label("Hva (punkt 1)").fill("Søke om støttekontakt")
    form.get_by_label("Hvem (punkt 1)").fill("Saksbehandler1")
    form.get_by_label("Brukernavn i Samflyt (punkt 1)").fill("saksbehandler1")
    form.get_by_label("Frist (punkt 1)").fill("2026-01-30")
    form.get_by_role("button", name="Registrer møtet").click()
    expect(page.locator(".flash-success")).to_contain_text("Møtet er registrert")
    expect(page.locator("#section-moter").locator("xpath=..")).to_contain_text(
        "Søke om støttekontakt")

    # the two versions compared
    page.get_by_role("link", name="Hva endret seg fra versjon 1").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Hva endret seg fra versjon 1 til 2")
    expect(page.locator("main")).to_contain_text("DPS Nord")
    assert_accessible(page)

    # version 2 as it was approved, under the headings (a)-(i)
    page.goto(page.base + f"/plans/{plan_id}")
    page.locator("#plan-versions").get_by_role("link", name="Versjon 2 godkjent").click()
    expect(page.get_by_role("heading", name="(a) Mål, ressurser og behov")).to_be_visible()
    expect(page.locator("#plan-version")).to_contain_text("DPS Nord")
    assert_accessible(page)

    # the plan as PDF
    page.goto(page.base + f"/plans/{plan_id}")
    with page.expect_download() as download:
        page.get_by_role("link", name="Last ned som PDF").click()
    pdf = PdfReader(io.BytesIO(Path(download.value.path()).read_bytes()))
    text = " ".join(p.extract_text() for p in pdf.pages)
    assert "Berit Solheim" in text and "DPS Nord" in text and "Søke om støttekontakt" in text

    # the action item is in the officer's inbox, with its due date
    sign_in(page, "saksbehandler1")
    page.goto(page.base + "/inbox/?view=mine")
    row = page.locator("table.tasks tbody tr").filter(
        has_text="Følge opp punkt fra ansvarsgruppemøte")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("30.01.2026")
    assert_accessible(page)


def test_a_strictly_protected_address_is_in_no_response_a_coordinator_or_participant_gets(
        page, server):
    env = server["env"]
    person_id, plan_id = _person_with_plan(
        env, "Hedda Skjult", HIDDEN_NUMBER, address=HIDDEN_ADDRESS, postal_code="9990",
        postal_place="Hemmelig", protection="strengt_fortrolig")
    with env.unit_of_work() as ctx:
        users.add_user(ctx, "deltaker1", ["koordinator"], display_name="Lærer Lund",
                       password_hash=credentials.hash_password(PASSWORD))
        plan = lifecycle.get(ctx, plan_id)
        teacher = participants.add(ctx, plan, "test", name="Lærer Lund",
                                   role="Skolen", username="deltaker1")
        participants.give_consent(ctx, plan, "test", participant_id=teacher.id,
                                  scope="hele_planen", given_by_name="Hedda Skjult",
                                  given_by_role="personen", given_on=date(2026, 1, 2))
    bodies: list[str] = []

    def keep(response):
        if response.url.startswith(page.base) and 200 <= response.status < 300 \
                and response.request.resource_type in ("document", "fetch", "xhr"):
            with contextlib.suppress(PlaywrightError):  # a download's body is read apart
                bodies.append(response.body().decode("utf-8", "replace"))
    page.on("response", keep)
    sign_in(page, "koordinator1")  # the plan's coordinator
    page.goto(page.base + "/cases/?q=hedda&status=all")
    cases = [a.get_attribute("href") for a in page.locator("#case-hits a[href^='/cases/']").all()]
    assert cases, "the coordinator finds the case of the plan they coordinate"
    for path in ("/inbox/?view=mine", "/inbox/?view=roles", "/cases/?status=all", *cases,
                 f"/persons/{person_id}", f"/plans/{plan_id}", "/plans/mine", "/notices/"):
        page.goto(page.base + path)
        assert "Hedda Skjult" in page.content() or path.startswith(("/inbox", "/notices"))
    with page.expect_download() as download:
        page.goto(page.base + f"/plans/{plan_id}")
        page.get_by_role("link", name="Last ned som PDF").click()
    pdf = PdfReader(io.BytesIO(Path(download.value.path()).read_bytes()))
    bodies.append(" ".join(p.extract_text() for p in pdf.pages))
    sign_in(page, "deltaker1")  # a participant: a Samflyt user with consent to the plan
    for path in ("/inbox/", "/plans/mine", "/notices/", f"/plans/{plan_id}"):
        page.goto(page.base + path)
    expect(page.locator("#plan-document")).to_contain_text("Bo trygt hjemme")
    assert page.goto(page.base + f"/persons/{person_id}").status == 403
    plan_views = [b for b in bodies if "Bo trygt hjemme" in b]
    assert len(plan_views) >= 3  # the coordinator's page and PDF, the participant's page
    for body in bodies:
        assert HIDDEN_ADDRESS not in body and "9990 Hemmelig" not in body
