"""Letters in the web UI and the API: the drafting task previews its letter from the form as
filled in (nothing saved), the leader's task shows the draft, the case page lists each
letter with its channel, status and dates, and the API lists and returns them."""
from __future__ import annotations

import io
import re

from pypdf import PdfReader
from sqlalchemy import func, select

from engine.db.models import Case, Letter
from engine.deadlines.calendar import OSLO
from engine.letters import letter_list
from engine.worklist import humantasks
from tests.letter_cases import ASSESSMENT, DECISION, sent_digitally
from tests.webui.conftest import user


def _text(pdf: bytes) -> str:
    return " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())


def _task(engine_do, case_id, name):
    return engine_do(lambda ctx: next(t.id for t in humantasks.open_tasks(ctx, case_id)
                                      if t.name == name))


def _case_at_decision(web_env, engine_do):
    """A case of a registered person whose assessment is done: "Utforme vedtak" is open."""
    from datetime import date

    from engine.accounts import users
    from engine.cases import intake
    from engine.persons import identity, registry
    from tests.letter_cases import APPLICATION

    def make(ctx):
        born = date(1970, 3, 1)
        number = identity.synthetic(born, 700)
        registry.register(ctx, registry.PersonDetails(
            name="Kari Nordmann", national_id=number, birth_date=born), "saksbehandler1")
        case = intake.register_application(ctx, dict(APPLICATION),
                                           users.get_user(ctx, "saksbehandler1"), "ip_sak",
                                           ("ip_sak",),
                                           person=intake.PersonChoice(national_id=number)).case
        [task] = humantasks.open_tasks(ctx, case.id)
        humantasks.complete(ctx, task.id, user(ctx, "saksbehandler1"), ASSESSMENT)
        return case.id
    return engine_do(make)


def _decide_on_paper(engine_do, case_id, decision):
    """The decision drafted, signed by the leader and its letter posted on 5 January."""
    for name, who, data in (("Utforme vedtak", "saksbehandler1", decision),
                            ("Signere vedtak", "leder1", {"vedtak_godkjent": True}),
                            ("Sende vedtaksbrev", "saksbehandler1",
                             {"kanal": "papir", "sendt_dato": "2026-01-05"})):
        task_id = _task(engine_do, case_id, name)
        engine_do(lambda ctx, t=task_id, w=who, d=data: humantasks.complete(
            ctx, t, user(ctx, w), d))


FORM = {"vedtak_ip": "innvilget", "vedtak_koordinator": "innvilget",
        "vedtak_barnekoordinator": "", "hjemmel": "pbrl_2_5",
        "begrunnelse": "Langvarige og koordinerte tjenester",
        "ansvarlig_tjenesteomrade": "Hjemmetjenesten", "oppstartsdato": "2026-02-01",
        "forste_evaluering": "2026-08-03", "brev_innledning": "Vi viser til søknaden din."}


def test_the_drafting_task_previews_the_letter_and_saves_nothing(web_env, browser,
                                                                   engine_do):
    case_id = _case_at_decision(web_env, engine_do)
    task_id = _task(engine_do, case_id, "Utforme vedtak")
    officer = browser("saksbehandler1")
    page = officer.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert 'value="preview"' in page and "Forhåndsvis brevet" in page
    preview = officer.post(f"/tasks/{task_id}", {**FORM, "_action": "preview"})
    assert preview.status_code == 200 and preview.mimetype == "application/pdf"
    assert preview.headers["Content-Disposition"].startswith("inline")
    text = _text(preview.get_data())
    assert "UTKAST" in text and "Vi viser til søknaden din." in text
    assert "Kari Nordmann" in text and "4 uker" in text
    assert engine_do(lambda ctx: ctx.session.scalar(select(func.count(Letter.id)))) == 0
    bad = officer.post(f"/tasks/{task_id}", {**FORM, "brev_malform": "xx",
                                             "_action": "preview"})
    assert bad.status_code == 422 and "text/html" in bad.content_type
    # a coordinator who may not read the case gets no preview
    assert browser("koordinator1").post(f"/tasks/{task_id}", {
        **FORM, "_action": "preview"}).status_code == 403


def test_the_case_page_and_the_api_list_the_letters(web_env, browser, api, engine_do):
    case_id = _case_at_decision(web_env, engine_do)
    _decide_on_paper(engine_do, case_id, DECISION)
    listed = api("saksbehandler1").get(f"/api/v1/cases/{case_id}/letters")
    assert listed.status_code == 200
    [letter] = listed.json["letters"]
    assert (letter["kind"], letter["status"], letter["language"]) == ("vedtak", "delivered", "nb")
    assert letter["approved_by"] == "leder1" and re.fullmatch(r"[0-9a-f]{64}", letter["sha256"])
    [copy] = letter["recipients"]
    assert (copy["channel"], copy["posted_on"], copy["delivery_source"]) == (
        "print", "2026-01-05", "estimated")
    assert letter["delivered_on"] == copy["delivered_on"] == "2026-01-08"
    pdf = api("saksbehandler1").get(f"/api/v1/letters/{letter['id']}/pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    import hashlib
    assert hashlib.sha256(pdf.get_data()).hexdigest() == letter["sha256"]
    assert api("koordinator1").get(f"/api/v1/cases/{case_id}/letters").status_code == 403
    assert api("admin1").get(f"/api/v1/letters/{letter['id']}/pdf").status_code == 403
    page = browser("saksbehandler1").get(f"/cases/{case_id}").get_data(as_text=True)
    assert 'id="letters-title"' in page and f"/letters/{letter['id']}.pdf" in page
    assert "Papir" in page and "beregnet etter regelen for vanlig post" in page


def test_a_digital_copy_shows_as_queued(web_env, browser, engine_do):
    import dataclasses
    web_env.settings = dataclasses.replace(web_env.settings, digital_channel="svarut")
    case_id, _copy = sent_digitally(web_env, serial=710)
    page = browser("saksbehandler1").get(f"/cases/{case_id}").get_data(as_text=True)
    assert "Digital post (SvarUt)" in page and "I kø for digital post" in page


def test_an_approved_letter_is_corrected_from_the_case_page(web_env, browser, engine_do):
    case_id = _case_at_decision(web_env, engine_do)
    _decide_on_paper(engine_do, case_id, DECISION)
    first = engine_do(lambda ctx: ctx.session.scalar(select(Letter.id)))
    stored = engine_do(lambda ctx: ctx.session.get(Letter, first).pdf)
    officer, leader = browser("saksbehandler1"), browser("leder1")
    page = officer.get(f"/cases/{case_id}").get_data(as_text=True)
    assert f"/letters/{first}/correct" in page
    made = officer.post(f"/letters/{first}/correct")
    assert made.status_code == 302 and made.headers["Location"].endswith("#letters-title")
    second = engine_do(lambda ctx: ctx.session.scalar(select(func.max(Letter.id))))
    assert second != first
    # the officer may not approve a correction of a decision; the leader may
    assert f"/letters/{second}/approve" not in officer.get(f"/cases/{case_id}").get_data(
        as_text=True)
    assert officer.post(f"/letters/{second}/approve").status_code == 403
    assert f"/letters/{second}/approve" in leader.get(f"/cases/{case_id}").get_data(
        as_text=True)
    assert leader.post(f"/letters/{second}/approve").status_code == 302
    # the process's own letter is sent from its task, not from the case page
    assert officer.post(f"/letters/{first}/send", {"kanal": "papir"}).status_code == 302
    assert "Dette brevet sendes fra oppgaven i saken" in officer.get(
        f"/cases/{case_id}").get_data(as_text=True)
    bad = officer.post(f"/letters/{second}/send", {"kanal": "papir", "sendt_dato": "05.01"})
    assert bad.status_code == 302 and engine_do(
        lambda ctx: ctx.session.get(Letter, second).status) == "approved"
    assert officer.post(f"/letters/{second}/send", {
        "kanal": "papir", "sendt_dato": "2026-01-06"}).status_code == 302
    letters = {row.id: row for row in engine_do(
        lambda ctx: letter_list.case_letters(ctx, case_id))}
    assert letters[second].corrects_id == first and letters[second].status == "delivered"
    assert [c.posted_on.isoformat() for c in letters[second].copies] == ["2026-01-06"]
    assert engine_do(lambda ctx: ctx.session.get(Letter, first).pdf) == stored
    text = _text(engine_do(lambda ctx: ctx.session.get(Letter, second).pdf))
    assert "Dette brevet retter vedtaksbrevet datert" in text
    # an approved letter is not approved again
    again = leader.post(f"/letters/{second}/approve")
    assert again.status_code == 302
    assert "kan ikke endres" in leader.get(f"/cases/{case_id}").get_data(as_text=True)


def test_a_known_delivery_date_moves_the_appeal_deadlines(web_env, browser, engine_do, clock):
    case_id = _case_at_decision(web_env, engine_do)
    _decide_on_paper(engine_do, case_id,
                     dict(DECISION, hjemmel_koordinator="sosialtjenesteloven"))
    facts = engine_do(lambda ctx: dict(ctx.session.get(Case, case_id).facts))
    assert facts["leveringsdato"] == "2026-01-08"  # estimated: 3 working days
    # the day the leader approved it: a later task's due date may count from it
    approved = engine_do(lambda ctx: ctx.session.scalar(select(Letter.approved_at)))
    assert facts["vedtaksdato"] == approved.astimezone(OSLO).date().isoformat()
    [row] = engine_do(lambda ctx: letter_list.case_letters(ctx, case_id))
    [copy] = row.copies
    clock.set(clock().replace(day=20))  # (before signing in: a session idles out)
    officer = browser("saksbehandler1")
    assert f"/letters/{row.id}/copies/{copy.id}/delivered" in officer.get(
        f"/cases/{case_id}").get_data(as_text=True)
    future = officer.post(f"/letters/{row.id}/copies/{copy.id}/delivered",
                          {"leveringsdato": "2026-01-30"})
    assert future.status_code == 302 and future.headers["Location"].endswith("#letters-title")
    assert "mellom postdatoen og i dag" in officer.get(f"/cases/{case_id}").get_data(
        as_text=True)
    assert engine_do(lambda ctx: ctx.session.get(Case, case_id).facts["leveringsdato"]) == (
        "2026-01-08")
    assert officer.post(f"/letters/{row.id}/copies/{copy.id}/delivered",
                        {"leveringsdato": "2026-01-12"}).status_code == 302
    facts = engine_do(lambda ctx: dict(ctx.session.get(Case, case_id).facts))
    assert facts["leveringsdato"] == "2026-01-12"
    assert facts["klagefrister"] == {"ip": "2026-02-09", "koordinator": "2026-02-02"}
    assert facts["klagefrist"] == "2026-02-09"
    [row] = engine_do(lambda ctx: letter_list.case_letters(ctx, case_id))
    assert (row.delivered_on.isoformat(), row.copies[0].delivery_source) == (
        "2026-01-12", "entered")
    assert browser("koordinator1").post(f"/letters/{row.id}/copies/{copy.id}/delivered",
                                        {"leveringsdato": "2026-01-12"}).status_code == 403


def test_a_copys_language_is_chosen_on_the_case_page_and_each_copy_downloads(
        web_env, browser, api, engine_do):
    case_id = _case_at_decision(web_env, engine_do)
    _decide_on_paper(engine_do, case_id, DECISION)
    first = engine_do(lambda ctx: ctx.session.scalar(select(Letter.id)))
    officer, leader = browser("saksbehandler1"), browser("leder1")
    officer.post(f"/letters/{first}/correct")
    second = engine_do(lambda ctx: ctx.session.scalar(select(func.max(Letter.id))))
    copy_id = engine_do(lambda ctx: ctx.session.get(Letter, second).recipients[0].id)
    page = officer.get(f"/cases/{case_id}").get_data(as_text=True)
    assert f'id="malform-{copy_id}"' in page  # a draft's copies: their language chosen here
    refused = officer.post(f"/letters/{second}/copies/{copy_id}/language", {"malform": "se"})
    assert refused.status_code == 302
    assert "finnes ikke på målformen" in officer.get(f"/cases/{case_id}").get_data(as_text=True)
    assert officer.post(f"/letters/{second}/copies/{copy_id}/language",
                        {"malform": "nn"}).status_code == 302
    leader.post(f"/letters/{second}/approve")
    page = officer.get(f"/cases/{case_id}").get_data(as_text=True)
    assert f'id="malform-{copy_id}"' not in page  # approved: no more choosing
    assert "kopien på nynorsk (PDF)" in page
    download = officer.get(f"/letters/{second}/copies/{copy_id}.pdf")
    assert download.status_code == 200 and "Grunngiving" in _text(download.get_data())
    [listed] = [row for row in api("saksbehandler1").get(
        f"/api/v1/cases/{case_id}/letters").json["letters"] if row["id"] == second]
    [copy] = listed["recipients"]
    assert (copy["id"], copy["language"]) == (copy_id, "nn")
    import hashlib
    from_api = api("saksbehandler1").get(f"/api/v1/letters/{second}/copies/{copy_id}/pdf")
    assert hashlib.sha256(from_api.get_data()).hexdigest() == copy["sha256"]
    assert officer.get(f"/letters/{second}/copies/999999.pdf").status_code == 404
