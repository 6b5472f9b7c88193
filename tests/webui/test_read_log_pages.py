"""«Hvem har lest opplysningene mine» in the web UI and the API: the page, the PDF (read back)
and the JSON list the reads of one person, the emergency access with its reason, and the
refused read."""
from __future__ import annotations

import io
from datetime import date

from pypdf import PdfReader

from engine.accounts import users
from engine.cases import intake
from engine.organisation import units
from engine.persons import identity, registry
from tests.letter_cases import APPLICATION
from tests.webui.conftest import password_hash, user


def _text(pdf: bytes) -> str:
    return " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())


def _world(engine_do) -> tuple[int, int]:
    def make(ctx):
        units.add_unit(ctx, "hjemmetjenesten", "Hjemmetjenesten", "hjemmetjeneste")
        users.add_user(ctx, "bjorn", ["saksbehandler"], display_name="Bjørn Bø",
                       password_hash=password_hash(), units=["hjemmetjenesten"])
        born = date(1970, 3, 1)
        number = identity.synthetic(born, 800)
        registry.register(ctx, registry.PersonDetails(
            name="Kari Nordmann", national_id=number, birth_date=born), "saksbehandler1")
        case = intake.register_application(ctx, dict(APPLICATION),
                                           user(ctx, "saksbehandler1"), "ip_sak", ("ip_sak",),
                                           person=intake.PersonChoice(national_id=number)).case
        return case.id, case.person_id
    return engine_do(make)


def test_the_read_log_page_pdf_and_api_show_an_emergency_access_with_its_reason(
        web_env, browser, api, engine_do):
    case_id, person_id = _world(engine_do)
    bjorn = browser("bjorn")
    assert bjorn.get(f"/cases/{case_id}").status_code == 403
    assert bjorn.post(f"/cases/{case_id}/override",
                      {"reason": "Legevakten ber om planen i natt"}).status_code == 302
    assert bjorn.get(f"/cases/{case_id}").status_code == 200

    officer = browser("saksbehandler1")
    page = officer.get(f"/persons/{person_id}/read-log")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Hvem har lest opplysningene mine" in html
    assert "Bjørn Bø" in html and "Legevakten ber om planen i natt" in html
    assert "Ikke tilgang: ble avvist" in html and "Nødtilgang" in html
    pdf = officer.get(f"/persons/{person_id}/read-log.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = _text(pdf.get_data())
    assert "Bjørn Bø" in text and "Legevakten ber om planen i natt" in text
    assert "Kari Nordmann" in text

    listed = api("saksbehandler1").get(f"/api/v1/persons/{person_id}/read-log")
    assert listed.status_code == 200
    reads = listed.json["reads"]
    assert any(r["username"] == "bjorn" and r["reason"] == "Legevakten ber om planen i natt"
               for r in reads)
    assert any(r["username"] == "bjorn" and r["refused"] for r in reads)
    bad = api("saksbehandler1").get(f"/api/v1/persons/{person_id}/read-log?from=2026-13-01")
    assert bad.status_code == 422
    # an officer of another unit reads no one's read log without access to the person
    assert browser("koordinator1").get(f"/persons/{person_id}/read-log").status_code == 403
    assert api("admin1").get(f"/api/v1/persons/{person_id}/read-log").status_code == 403
