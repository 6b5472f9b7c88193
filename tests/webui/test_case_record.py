"""The case page shows the person and the written work under headings, with the forms' and
the decision table's titles, never raw keys; a protected address only to the case-working
roles; the mark on an applicant without fullmakt; the plan the case opened (issue 14,
items 6 and 8). Over the demo data, as the officers and coordinators see it."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from engine.cases import demo_persons
from engine.db.models import Case


@pytest.fixture
def visit(demo_env, site):
    def page(username: str, name: str):
        with demo_env.unit_of_work() as ctx:
            case_id = ctx.session.scalar(select(Case.id).where(Case.person_name == name))
        response = site(username).get(f"/cases/{case_id}")
        return response.status_code, response.get_data(as_text=True)
    return page


def _shown(html: str) -> str:
    """The page without its scripts (the diagram's XML is data for the viewer, not text)."""
    return re.sub(r"<script.*?</script>", "", html, flags=re.S)


def test_the_written_work_is_under_headings_with_titles(visit):
    status, html = visit("saksbehandler1", "Nils Dahl")
    assert status == 200
    html = _shown(html)
    for heading in ("Personen", "Regeltabellens forslag", "Skriftlig arbeid",
                    "Kartlegging og vurdering", "Utforme vedtak", "Signere vedtak",
                    "Individuell plan"):
        assert f">{heading}<" in html, heading
    assert "Forslag: individuell plan" in html and "Begrunnelse for forslaget" in html
    assert "Versjon 1 godkjent" in html
    assert "Utarbeide plan</h3>" not in html  # the plan is shown as the plan
    for raw in ("hele_planen", "samtykke_til_plan", "forslag_ip", "vedtak_ip", "hjemmel<"):
        assert raw not in html, html[max(0, html.find(raw) - 300):html.find(raw) + 100]


def test_a_strictly_protected_address_is_only_for_the_case_working_roles(visit):
    status, officer_view = visit("saksbehandler1", "Nora Vik")
    assert status == 200 and demo_persons.PROTECTED_ADDRESS in officer_view
    assert "Strengt fortrolig adresse (kode 6)" in officer_view
    status, coordinator_view = visit("koordinator1", "Nora Vik")
    assert status == 200
    assert demo_persons.PROTECTED_ADDRESS not in coordinator_view
    assert "0001" not in coordinator_view and "Adressen er skjermet" in coordinator_view
    assert "Strengt fortrolig adresse (kode 6)" in coordinator_view  # the marking travels


def test_an_applicant_without_fullmakt_is_marked(visit):
    _status, html = visit("saksbehandler1", "Arne Hansen")
    assert 'id="no-fullmakt"' in html and "Ingrid Hansen" in html
    _status, html = visit("saksbehandler1", "Sofie Lie")
    assert 'id="no-fullmakt"' not in html
