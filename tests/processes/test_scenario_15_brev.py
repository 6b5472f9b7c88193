"""Scenario 15: the decision letter. It is drafted from the decision, approved by the leader
with it, sent, and its delivery date starts the appeal clock: per decided item, from that
item's own legal basis. Its recipients follow the person's relations; a strengt fortrolig
person gets nothing by ordinary digital mail and their address is printed on nothing."""
from __future__ import annotations

import dataclasses
import io
from datetime import date

import pytest
from pypdf import PdfReader
from scenario_support import CaseDriver, application, assessment, decision
from sqlalchemy import select

from engine.cases import intake
from engine.core.errors import PermissionDenied
from engine.db.models import Letter
from engine.deadlines.calendar import deadline
from engine.letters import drafting, sending
from engine.persons import identity, registry

ALLOWED = ("ip_sak",)


def _register(ctx, people, number, **changes):
    data = application(**changes)
    return intake.register_application(ctx, data, people.officer, "ip_sak", ALLOWED,
                                       person=intake.PersonChoice(national_id=number)).case


def _letter(ctx, case) -> Letter:
    return ctx.session.scalars(select(Letter).where(Letter.case_id == case.case.id)
                               .order_by(Letter.id.desc())).first()


def _text(pdf: bytes) -> str:
    """The PDF's text with its line breaks (table cells wrap) as spaces."""
    pages = PdfReader(io.BytesIO(pdf)).pages
    return " ".join(" ".join(page.extract_text() for page in pages).split())


def _to_leader(case, people, vedtak):
    case.complete("Kartlegging og vurdering", people.officer, assessment())
    case.complete("Utforme vedtak", people.officer, vedtak)
    case.complete("Signere vedtak", people.leader, {"vedtak_godkjent": True})


def test_the_appeal_clock_starts_at_the_letters_delivery_five_days_after(ctx, clock, people):
    ctx.settings = dataclasses.replace(ctx.settings, digital_channel="svarut")
    born = date(1970, 3, 1)
    case = CaseDriver(ctx, clock, _register(ctx, people, identity.synthetic(born, 100),
                                            fodselsdato=born.isoformat()))
    _to_leader(case, people, decision())
    letter = _letter(ctx, case)
    assert letter.status == "approved" and letter.approved_by == people.leader.username
    assert len(letter.content_hash) == 64 and letter.pdf.startswith(b"%PDF")

    decided = clock().date()
    case.complete("Sende vedtaksbrev", people.officer, {"kanal": "digital_postkasse"})
    [copy] = letter.recipients
    assert (copy.channel, copy.status, copy.delivered_on) == ("svarut", "queued", None)
    assert "klagefrist" not in case.refresh().facts  # nothing counts before delivery
    assert case.names() == []  # the case waits for the letter

    case.advance(days=5)
    delivered = date.fromordinal(decided.toordinal() + 5)
    sending.record_delivery(ctx, copy.id, delivered, "channel", "system")
    facts = case.refresh().facts
    assert facts["leveringsdato"] == delivered.isoformat()
    assert facts["klagefrister"] == {"ip": deadline(delivered, "P4W"),
                                     "koordinator": deadline(delivered, "P4W")}
    assert letter.delivered_on == delivered and letter.status == "delivered"
    assert case.names() == ["Oppnevne koordinator"]


def test_ip_under_health_law_and_a_nav_based_coordinator_have_four_and_three_weeks(
        ctx, clock, people):
    born = date(1980, 6, 2)
    case = CaseDriver(ctx, clock, _register(ctx, people, identity.synthetic(born, 200),
                                            fodselsdato=born.isoformat()))
    _to_leader(case, people, decision(hjemmel="pbrl_2_5",
                                      hjemmel_koordinator="sosialtjenesteloven"))
    case.complete("Sende vedtaksbrev", people.officer,
                  {"kanal": "papir", "sendt_dato": "2026-01-05", "leveringsdato": "2026-01-08"})
    facts = case.refresh().facts
    assert {item: rule["klagefrist_uker"] for item, rule in facts["klageregler"].items()} == {
        "ip": 4, "koordinator": 3}
    assert facts["klagefrister"] == {"ip": "2026-02-05", "koordinator": "2026-01-29"}
    text = _text(_letter(ctx, case).pdf)
    assert "4 uker" in text and "3 uker" in text and "fristen 29. januar 2026" in text
    assert "sosialtjenesteloven § 48" in text and "pasient- og brukerrettighetsloven § 7-2" in text


def test_a_daughter_without_fullmakt_gets_no_letter_with_health_information(
        ctx, clock, people):
    born = date(1940, 2, 10)
    case = CaseDriver(ctx, clock, _register(ctx, people, identity.synthetic(born, 300),
                                            fodselsdato=born.isoformat()))
    person_id = case.case.person_id
    daughter = registry.register(ctx, registry.PersonDetails(
        name="Dina Datter", national_id=identity.synthetic(date(1968, 5, 5), 301)), "siri")
    son = registry.register(ctx, registry.PersonDetails(
        name="Sander Sønn", national_id=identity.synthetic(date(1970, 5, 5), 302)), "siri")
    registry.add_relation(ctx, person_id, daughter.id, "parorende", "siri")
    registry.add_relation(ctx, person_id, son.id, "parorende", "siri",
                          fullmakt_scope=["helseopplysninger"], fullmakt_signed_on=date(2025, 1, 1))
    case.complete("Kartlegging og vurdering", people.officer, assessment())
    case.complete("Utforme vedtak", people.officer, decision())
    letter = _letter(ctx, case)
    assert sorted((c.name, c.relation) for c in letter.recipients) == [
        ("Kari Nordmann", "selv"), ("Sander Sønn", "parorende")]
    with pytest.raises(PermissionDenied) as refused:
        drafting.add_recipient(ctx, letter.id, people.officer, daughter.id)
    assert "helseopplysninger" in str(refused.value.message)
    assert "Dina Datter" not in [c.name for c in letter.recipients]
    html = drafting.preview_html(ctx, letter)
    assert "Kopi: Sander Sønn" in html and "Dina Datter" not in html


def test_a_strengt_fortrolig_person_gets_no_digital_mail_and_no_address_on_paper(
        ctx, clock, people):
    ctx.settings = dataclasses.replace(ctx.settings, digital_channel="svarut")
    born = date(1975, 9, 9)
    number = identity.synthetic(born, 400)
    person = registry.register(ctx, registry.PersonDetails(
        name="Nora Vik", national_id=number, birth_date=born, address="Hemmeligveien 7",
        postal_code="9999", postal_place="Skjultby", protection="strengt_fortrolig"), "siri")
    case = CaseDriver(ctx, clock, _register(ctx, people, number, navn="Nora Vik",
                                            fodselsdato=born.isoformat()))
    assert case.case.person_id == person.id
    _to_leader(case, people, decision())
    case.complete("Sende vedtaksbrev", people.officer, {"kanal": "digital_postkasse"})
    letter = _letter(ctx, case)
    assert [c.channel for c in letter.recipients] == ["protected"]
    assert letter.delivered_on is not None  # paper: counted by the ordinary-post rule
    text = _text(letter.pdf)
    assert "Nora Vik" in text
    for secret in ("Hemmeligveien", "9999", "Skjultby"):
        assert secret not in text
