"""Nynorsk as the third interface language (issue 17): the journey's pages in nynorsk when the
reader chooses it (no bokmål text of the same msgid left), engine messages too, and the
municipality's målform (SAMFLYT_MALFORM) as the language of a reader who has chosen none."""
from __future__ import annotations

import dataclasses

from sqlalchemy import select
from web_support import Browser

from engine.db.models import Case, HumanTask
from webui.app import create_app


def _do(env, fn):
    with env.unit_of_work() as ctx:
        return fn(ctx)


def _nynorsk(client, next_url="/inbox/"):
    response = client.post("/lang", {"lang": "nn", "next": next_url})
    assert response.status_code == 302
    assert "samflyt_lang=nn" in response.headers["Set-Cookie"]
    return client


def _page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def _assert_nynorsk(html: str, shown: list[str], not_shown: list[str]) -> None:
    """`shown` (nynorsk) is on the page and `not_shown` (the bokmål msgids) is not; the page
    says it is nynorsk and offers the other two languages."""
    assert '<html lang="nn">' in html
    for text in shown:
        assert text in html, text
    for text in not_shown:
        assert text not in html, text
    assert 'value="nb" lang="nb"' in html and 'value="en" lang="en"' in html
    assert 'value="nn" lang="nn"' not in html  # the current language is not offered


def test_the_login_page_in_nynorsk(demo_app):
    client = _nynorsk(Browser(demo_app), "/login")
    html = _page(client, "/login")
    _assert_nynorsk(html, ["Brukarnamn", "Passord", "Logg inn"], ["Brukernavn"])
    response = client.post("/login", {"username": "saksbehandler1", "password": "feil"})
    assert response.status_code == 401
    html = response.get_data(as_text=True)
    assert "Innlogginga mislukkast" in html and "Feil brukarnamn eller passord." in html
    assert "Innloggingen mislyktes" not in html and "Feil brukernavn" not in html


def test_the_journey_in_nynorsk(demo_env, site):
    """Inbox, a case, one of its tasks, the person and the plan: nynorsk headings, role
    names and engine texts, and none of the bokmål they translate."""
    case = _do(demo_env, lambda ctx: ctx.session.scalars(
        select(Case).where(Case.person_name == "Sofie Lie")).first())
    officer = _nynorsk(site("saksbehandler1"))

    html = _page(officer, "/inbox/")
    _assert_nynorsk(html, ["Innboks", "Oppgåver", "Rollene mine", "Ikkje tildelt",
                           "(Sakshandsamar)", "Logg ut"],
                    ["Oppgaver", "Mine roller", "Ikke tildelt", "(Saksbehandler)"])

    html = _page(officer, f"/cases/{case.id}")
    _assert_nynorsk(html, ["Aktive oppgåver", "Ansvarleg eining", "Skriftleg arbeid",
                           "Personopplysningar og søknad", "Tidslinje"],
                    ["Aktive oppgaver", "Ansvarlig enhet", "Skriftlig arbeid",
                     "Personopplysninger og søknad"])

    task_id = _do(demo_env, lambda ctx: ctx.session.scalar(
        select(HumanTask.id).where(HumanTask.status == "open",
                                   HumanTask.candidate_role == "saksbehandler")
        .order_by(HumanTask.id)))
    html = _page(officer, f"/tasks/{task_id}")
    _assert_nynorsk(html, ["Prioritet", "Tildelt", "Fullfør oppgåva", "(Sakshandsamar)"],
                    ["Fullfør oppgaven", "(Saksbehandler)"])

    html = _page(officer, f"/persons/{case.person_id}")
    _assert_nynorsk(html, ["Personopplysningar", "Relasjonar", "har foreldreansvar",
                           "Individuell plan"],
                    ["Personopplysninger", "Relasjoner"])

    html = _page(_nynorsk(site("koordinator1")), f"/plans/{case.plan_id}")
    _assert_nynorsk(html, ["(a) Mål, ressursar og behov", "(b) Kven som deltek",
                           "(d) Kva personen, tenestene og pårørande bidreg med",
                           "Heile planen", "Forelder med foreldreansvar"],
                    ["(a) Mål, ressurser og behov", "(b) Hvem som deltar", "Hele planen"])

    response = officer.get("/cases/987654")  # an engine message with a parameter
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert '<p id="error-message">Fann ikkje sak 987654</p>' in html
    assert "Fant ikke" not in html


def test_the_municipalitys_malform_is_the_default_language(web_env, app, api):
    """SAMFLYT_MALFORM=nn: nynorsk for a reader who has chosen nothing (pages; the API without
    Accept-Language, or asking for Norwegian, "no"); a choice in the header still wins. Unset,
    bokmål."""
    assert _page(Browser(app), "/login").count('<html lang="nb">') == 1  # the default: bokmål
    settings = dataclasses.replace(app.extensions["samflyt_settings"], malform="nn")
    nynorsk_app = create_app(settings, env=web_env)
    nynorsk_app.config["TESTING"] = True
    client = Browser(nynorsk_app)
    html = _page(client, "/login")
    assert '<html lang="nn">' in html and "Brukarnamn" in html and "Brukernavn" not in html
    assert client.post("/lang", {"lang": "nb", "next": "/login"}).status_code == 302
    html = _page(client, "/login")
    assert '<html lang="nb">' in html and "Brukernavn" in html

    bearer = api("saksbehandler1").headers
    api_client = nynorsk_app.test_client()
    for accept, expected in ((None, "Fann ikkje sak 987654"), ("no", "Fann ikkje sak 987654"),
                             ("nb-NO,nb;q=0.9", "Fant ikke sak 987654"),
                             ("en", "Case 987654 was not found")):
        headers = {**bearer, **({"Accept-Language": accept} if accept else {})}
        response = api_client.get("/api/v1/cases/987654", headers=headers)
        assert (response.status_code, response.json["message"]) == (404, expected), accept


def test_the_api_answers_in_nynorsk_when_asked(api):
    officer = api("saksbehandler1")
    response = officer.client.get("/api/v1/cases/987654",
                                  headers={**officer.headers, "Accept-Language": "nn-NO,nn"})
    assert (response.status_code, response.json["message"]) == (404, "Fann ikkje sak 987654")
    body = officer.client.post("/api/v1/cases", json={"process": "ip_sak", "data": {"navn": ""}},
                               headers={**officer.headers, "Accept-Language": "nn"}).json
    assert body["errors"]["mottatt_dato"] == "Feltet må fyllast ut"
