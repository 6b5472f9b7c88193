"""Appeals registered by officers from the case page and the API (issue 15, item 4): the
received and posted dates (fvl § 30: posted in time is in time), who appeals, what it
concerns; a case with no decision yet is a clear refusal; a late appeal is never refused."""
from __future__ import annotations

from engine.cases import casework
from engine.db.models import Case


def _decided(engine_do, klagefrist="2026-02-11") -> int:
    """A case whose decision gives an appeal deadline."""
    def make(ctx):
        case = casework.start_case(ctx, {}, "saksbehandler1", process_key="stafett")
        case.facts = {"klagefrist": klagefrist, "vedtak_ip": "avslag"}
        return case.id
    return engine_do(make)


APPEAL = {"klage_mottatt": "2026-02-13", "klage_postet": "2026-02-11", "klager": "Kari",
          "klager_rolle": "personen", "gjelder": ["ip"], "grunnlag": "Uenig i avslaget"}


def test_an_appeal_through_the_api_posted_in_time_is_in_time(api, engine_do):
    case_id = _decided(engine_do)
    response = api("saksbehandler1").post(f"/api/v1/cases/{case_id}/appeals",
                                          json={"data": APPEAL})
    assert response.status_code == 201, response.json
    assert response.json["process"] == "klage" and response.json["in_time"] is True
    facts = engine_do(lambda ctx: dict(ctx.session.get(Case, case_id).facts))
    assert facts["klage_postet"] == "2026-02-11" and facts["klage_mottatt"] == "2026-02-13"


def test_appeal_refusals_are_clear(api, engine_do):
    undecided = engine_do(lambda ctx: casework.start_case(
        ctx, {}, "saksbehandler1", process_key="stafett").id)
    officer = api("saksbehandler1")
    none_yet = officer.post(f"/api/v1/cases/{undecided}/appeals", json={"data": APPEAL})
    assert none_yet.status_code == 409 and "vedtak" in none_yet.json["message"]
    case_id = _decided(engine_do)
    bad = officer.post(f"/api/v1/cases/{case_id}/appeals", json={"data": {
        **APPEAL, "klage_postet": "2026-02-20", "extra": 1}})
    assert bad.status_code == 422 and "extra" in bad.json["errors"]
    later = officer.post(f"/api/v1/cases/{case_id}/appeals", json={"data": {
        **APPEAL, "klage_postet": "2026-02-20"}})
    assert later.status_code == 422 and set(later.json["errors"]) == {"klage_postet"}
    assert api("koordinator1").post(f"/api/v1/cases/{case_id}/appeals",
                                    json={"data": APPEAL}).status_code == 403
    late = officer.post(f"/api/v1/cases/{case_id}/appeals", json={"data": {
        **APPEAL, "klage_mottatt": "2026-03-30", "klage_postet": "2026-03-29"}})
    assert late.status_code == 201 and late.json["in_time"] is False  # assessed, not refused


def test_an_appeal_from_the_case_page(browser, engine_do):
    case_id = _decided(engine_do)
    officer = browser("saksbehandler1")
    page = officer.get(f"/cases/{case_id}").get_data(as_text=True)
    assert f"/cases/{case_id}/appeal" in page
    form = officer.get(f"/cases/{case_id}/appeal").get_data(as_text=True)
    assert "Dato klagen ble postet" in form and "11.02.2026" in form
    response = officer.post(f"/cases/{case_id}/appeal", {
        "klage_mottatt": "2026-02-13", "klage_postet": "2026-02-11", "klager": "Kari",
        "klager_rolle": "personen", "gjelder": ["ip"], "grunnlag": "Uenig"})
    assert response.status_code == 302
    assert "Klagen er registrert" in officer.get(response.headers["Location"]).get_data(
        as_text=True)
    missing = officer.post(f"/cases/{case_id}/appeal", {"klager": "Kari"})
    assert missing.status_code == 422
