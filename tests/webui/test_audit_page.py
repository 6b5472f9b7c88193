"""The coordinating unit's audit page: reads filtered by user, with why each reader had
access, and the section on unusual reading; nobody else sees it."""
from __future__ import annotations

from engine.cases import casework
from tests.webui.conftest import user


def test_the_coordinating_unit_sees_who_read(web_env, browser, engine_do):
    def read(ctx):
        officer = user(ctx, "saksbehandler1")
        case = casework.start_case(ctx, {}, officer, process_key="stafett")
        casework.get_case(ctx, case.id, officer, purpose="case page")
        return case.case_number
    number = engine_do(read)
    ke = browser("koordinerende1")
    page = ke.get("/audit/?user=saksbehandler1")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'id="audit-reads"' in html and number in html
    assert "Saksbehandler i enheten som har ansvar for saken" in html
    assert 'id="unusual-title"' in html
    assert 'id="audit-reads"' not in ke.get("/audit/?user=nobody").get_data(as_text=True)
    assert ke.get("/audit/?from=2026-99-01").status_code == 400
    assert browser("saksbehandler1").get("/audit/").status_code == 403
    assert browser("admin1").get("/audit/").status_code == 403
