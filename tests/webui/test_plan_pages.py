"""The plan as a document (issue 14, item 7): its page under the headings (a)–(i) with no
raw values, its PDF (PDF/A, tagged) read back with pypdf, what changed between versions, the
coordinator's and the coordinating unit's lists, and who reads how much: a participant only
what their consent covers, and nothing once it is withdrawn; a strengt fortrolig address in
no page or PDF a coordinator or participant gets."""
from __future__ import annotations

import io
import re
from datetime import timedelta

from pypdf import PdfReader
from sqlalchemy import select

from engine.cases import demo_persons
from engine.db.models import AuditEvent, Case, PlanParticipant
from engine.plans import lifecycle, participants

HEADINGS = ["(a) Mål, ressurser og behov", "(b) Hvem som deltar",
            "(c) Ansvar for koordinering og framdrift",
            "(d) Hva personen, tjenestene og pårørende bidrar med",
            "(e) Tiltak: hva, omfang og ansvar", "(f) Hvordan tiltakene gjennomføres",
            "(g) Planperiode, evaluering og revisjon",
            "(h) Samtykke til planen og til deltakernes innsyn",
            "(i) Samarbeid med andre etater"]
RAW = ("hele_planen", "egne_tiltak", "samtykke_til_plan", ">planlagt<", "True", "None",
       "forelder<", "'tiltak'")




def _do(env, fn):
    with env.unit_of_work() as ctx:
        return fn(ctx)


def _plan_of(env, name) -> int:
    return _do(env, lambda ctx: ctx.session.scalar(
        select(Case.plan_id).where(Case.person_name == name)))


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", re.sub(
        r"<(script|style).*?</\1>", "", html, flags=re.S)))


def test_the_plan_reads_as_a_document_with_no_raw_values(demo_env, site):
    plan_id = _plan_of(demo_env, "Sofie Lie")
    response = site("koordinator1").get(f"/plans/{plan_id}")
    assert response.status_code == 200
    text = _text(response.get_data(as_text=True))
    positions = [text.index(heading) for heading in HEADINGS]
    assert positions == sorted(positions)
    for expected in ("Mestre skolehverdagen", "Fysioterapi", "Habiliteringstjenesten",
                     "Hanne Lie", "Mor", "Hele planen", "Utvalgte deler av planen",
                     "Møter i ansvarsgruppen", "Søke om avlastning", "Forelder med foreldreansvar"):
        assert expected in text, expected
    for raw in RAW:
        assert raw not in text, raw
    assert _do(demo_env, lambda ctx: ctx.session.scalars(select(AuditEvent).where(
        AuditEvent.kind == "plan_read")).first()).person_id is not None


def test_the_plan_as_pdf_is_pdf_a_and_holds_the_plan_but_no_protected_address(demo_env, site):
    for name, username in (("Sofie Lie", "koordinator1"), ("Nora Vik", "saksbehandler1"),
                           ("Nora Vik", "koordinator1")):
        response = site(username).get(f"/plans/{_plan_of(demo_env, name)}.pdf")
        assert response.status_code == 200 and response.mimetype == "application/pdf"
        assert "attachment" in response.headers["Content-Disposition"]
        reader = PdfReader(io.BytesIO(response.data))
        text = " ".join(page.extract_text() for page in reader.pages)
        assert name in text and "(a) Mål, ressurser og behov" in text.replace("\n", " ")
        assert demo_persons.PROTECTED_ADDRESS not in text and "0001 Oslo" not in text
        xmp = reader.xmp_metadata.stream.get_data().decode()
        assert "pdfaid:part" in xmp and "/StructTreeRoot" in reader.trailer["/Root"]
    purposes = _do(demo_env, lambda ctx: ctx.session.scalars(select(AuditEvent).where(
        AuditEvent.kind == "plan_read", AuditEvent.actor == "saksbehandler1")).all())
    assert [e.details.get("purpose") for e in purposes] == ["plan pdf"]
    assert purposes[0].person_id is not None
    nora = _text(site("saksbehandler1").get(f"/plans/{_plan_of(demo_env, 'Nora Vik')}")
                 .get_data(as_text=True))
    assert demo_persons.PROTECTED_ADDRESS not in nora and "Adressen er skjermet" in nora


def test_a_participant_reads_what_the_consent_covers_and_nothing_after_withdrawal(
        demo_env, site):
    plan_id = _plan_of(demo_env, "Nora Vik")  # koordinator2 takes part, consent: measures
    participant = site("koordinator2")
    html = _text(participant.get(f"/plans/{plan_id}").get_data(as_text=True))
    assert "(e) Tiltak: hva, omfang og ansvar" in html and "Hjemmesykepleie" in html
    assert "(a) Mål, ressurser og behov" not in html and "Bo trygt hjemme" not in html
    assert demo_persons.PROTECTED_ADDRESS not in html

    def withdraw(ctx):
        plan = lifecycle.get(ctx, plan_id)
        consent_id = ctx.session.scalar(select(PlanParticipant.consent_id).where(
            PlanParticipant.plan_id == plan_id, PlanParticipant.username == "koordinator2"))
        participants.withdraw(ctx, plan, consent_id, "koordinator1")
    _do(demo_env, withdraw)
    assert participant.get(f"/plans/{plan_id}").status_code == 403
    assert participant.get(f"/plans/{plan_id}.pdf").status_code == 403
    assert site("koordinator2").get(f"/plans/{_plan_of(demo_env, 'Sofie Lie')}") \
        .status_code == 403  # another coordinator's plan, no part in it


def test_two_versions_compare_section_by_section(demo_env, site):
    plan_id = _plan_of(demo_env, "Nils Dahl")

    def revise(ctx):
        plan = lifecycle.get(ctx, plan_id)
        participants.add(ctx, plan, "koordinator1", name="NAV Sentrum", role="NAV-veileder")
        plan.main_goal = "Komme i arbeid"
        lifecycle.approve(ctx, plan, "koordinator1")
    _do(demo_env, revise)
    page = site("koordinator1").get(f"/plans/{plan_id}").get_data(as_text=True)
    assert f"/plans/{plan_id}/versions/1/compare/2" in page
    text = _text(site("koordinator1").get(f"/plans/{plan_id}/versions/1/compare/2")
                 .get_data(as_text=True))
    assert "Hva endret seg fra versjon 1 til 2" in text
    assert "(a) Mål, ressurser og behov" in text and "(b) Hvem som deltar" in text
    assert "Bo trygt hjemme" in text and "Komme i arbeid" in text and "NAV Sentrum" in text
    assert "(e) Tiltak" not in text  # unchanged
    assert "hovedmal" not in text and "hele_planen" not in text

    version = site("koordinator1").get(f"/plans/{plan_id}/versions/1")
    assert f'/plans/{plan_id}/versions/1"' in page and version.status_code == 200
    text = _text(version.get_data(as_text=True))
    positions = [text.index(heading) for heading in HEADINGS]
    assert positions == sorted(positions)
    assert "Bo trygt hjemme" in text and "Komme i arbeid" not in text
    assert "Kari Koordinator" in text  # the coordinator by name, not the username
    for raw in (*RAW, "brukernavn", "koordinator1"):
        assert raw not in text, raw
    assert site("koordinator1").get(f"/plans/{plan_id}/versions/9").status_code == 404


def test_the_coordinators_plans_and_the_overview(demo_env, site):
    mine = _text(site("koordinator1").get("/plans/mine").get_data(as_text=True))
    assert "Sofie Lie" in mine and "Nora Vik" in mine and "Nils Dahl" in mine
    assert "Sofie Lie" not in _text(site("koordinator2").get("/plans/mine")
                                    .get_data(as_text=True))
    overview = site("koordinerende1").get("/plans/").get_data(as_text=True)
    assert "Kari Koordinator" in overview and "Neste evaluering" in overview
    assert site("koordinator1").get("/plans/").status_code == 403
    assert site("admin1").get("/plans/").status_code == 403


def test_the_overview_puts_overdue_reviews_first(demo_env, site):
    late = _plan_of(demo_env, "Nora Vik")

    def overdue(ctx):
        lifecycle.get(ctx, late).next_review = ctx.today() - timedelta(days=3)
    _do(demo_env, overdue)
    html = site("leder1").get("/plans/").get_data(as_text=True)
    rows = re.findall(r'<tr class="([^"]*)">\s*<td[^>]*><a href="/plans/(\d+)"', html)
    assert rows[0] == ("urgency-overdue", str(late))
    only = site("leder1").get("/plans/?overdue=1").get_data(as_text=True)
    assert re.findall(r'href="/plans/(\d+)"', only) == [str(late)]


def test_a_meeting_recorded_on_the_plan_page_puts_the_action_item_in_the_inbox(
        demo_env, site):
    plan_id = _plan_of(demo_env, "Nils Dahl")
    coordinator = site("koordinator1")
    page = coordinator.get(f"/plans/{plan_id}").get_data(as_text=True)
    assert 'id="meeting-form"' in page
    bad = coordinator.post(f"/plans/{plan_id}/meetings", {"held_on": "i går",
                                                          "attendees": "Nils Dahl"})
    assert bad.status_code == 422 and "Skriv datoen som åååå-mm-dd." in bad.get_data(
        as_text=True)
    response = coordinator.post(f"/plans/{plan_id}/meetings", {
        "held_on": "2026-01-05", "attendees": "Nils Dahl\nKari Koordinator",
        "minutes": "Tiltakene fungerer.", "item_what_0": "Søke om trygghetsalarm",
        "item_name_0": "Siri Saksbehandler", "item_user_0": "saksbehandler1",
        "item_due_0": "2026-02-01", "item_what_1": "Ringe fastlegen", "item_name_1": "Nils"})
    assert response.status_code == 302
    text = _text(coordinator.get(f"/plans/{plan_id}").get_data(as_text=True))
    assert "Søke om trygghetsalarm" in text and "Ringe fastlegen" in text
    inbox = site("saksbehandler1").get("/inbox/").get_data(as_text=True)
    assert "Følge opp punkt fra ansvarsgruppemøte" in inbox and "01.02.2026" in inbox
    assert 'id="meeting-form"' not in site("koordinator2").get(
        f"/plans/{_plan_of(demo_env, 'Nora Vik')}").get_data(as_text=True)
    assert site("koordinator2").post(f"/plans/{plan_id}/meetings", {
        "held_on": "2026-01-05", "attendees": "x"}).status_code == 403


def test_participants_are_added_and_consent_withdrawn_on_the_plan_page(demo_env, site):
    plan_id = _plan_of(demo_env, "Nils Dahl")
    coordinator = site("koordinator1")
    refused = coordinator.post(f"/plans/{plan_id}/participants", {"name": "", "role": "x"})
    assert refused.status_code == 422
    added = coordinator.post(f"/plans/{plan_id}/participants", {
        "name": "Kåre Koordinator", "role": "Hjemmetjenesten", "username": "koordinator2",
        "scope": "hele_planen", "given_by_name": "Nils Dahl", "given_by_role": "personen"})
    assert added.status_code == 302
    assert "Bo trygt hjemme" in _text(site("koordinator2").get(f"/plans/{plan_id}")
                                      .get_data(as_text=True))
    page = coordinator.get(f"/plans/{plan_id}").get_data(as_text=True)
    row = page[page.index("<td>Kåre Koordinator</td>"):]
    consent_id = re.search(rf"/plans/{plan_id}/consents/(\d+)/withdraw", row).group(1)
    assert coordinator.post(f"/plans/{plan_id}/consents/{consent_id}/withdraw") \
        .status_code == 302
    assert site("koordinator2").get(f"/plans/{plan_id}").status_code == 403


def test_a_refused_read_of_a_plan_is_in_the_audit_log_for_the_person(demo_env, site):
    plan_id = _plan_of(demo_env, "Sofie Lie")
    assert site("koordinator2").get(f"/plans/{plan_id}").status_code == 403
    person_id = _do(demo_env, lambda ctx: lifecycle.get(ctx, plan_id).person_id)
    refused = _do(demo_env, lambda ctx: ctx.session.scalars(select(AuditEvent).where(
        AuditEvent.kind == "read_refused", AuditEvent.person_id == person_id)).all())
    assert [e.actor for e in refused] == ["koordinator2"]
