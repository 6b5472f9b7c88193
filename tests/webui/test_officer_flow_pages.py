"""The officer's flow in the web UI (issue 17): the rule table's suggestion in words, the
decision prefilled from the assessment, the next task claimed for the officer, whom the case
waits for after a step, and the coordinator picker on the appointment task."""
from __future__ import annotations

import re
from datetime import date

from engine.accounts import users
from engine.cases import intake
from engine.persons import identity, registry
from engine.worklist import humantasks
from tests.letter_cases import APPLICATION, DECISION
from tests.webui.conftest import password_hash, user

ROLE_KEYS = ("saksbehandler", "koordinerende_enhet", ">leder", " leder")


def _open(engine_do, case_id, name):
    return engine_do(lambda ctx: next(t for t in humantasks.open_tasks(ctx, case_id)
                                      if t.name == name))


def _registered(engine_do, serial=710):
    def make(ctx):
        born = date(1970, 3, 1)
        number = identity.synthetic(born, serial)
        registry.register(ctx, registry.PersonDetails(
            name="Kari Nordmann", national_id=number, birth_date=born), "saksbehandler1")
        return intake.register_application(ctx, dict(APPLICATION),
                                           users.get_user(ctx, "saksbehandler1"), "ip_sak",
                                           ("ip_sak",),
                                           person=intake.PersonChoice(national_id=number)).case.id
    return engine_do(make)


def _flashes(html: str) -> list[str]:
    return [re.sub(r"\s+", " ", m) for m in re.findall(
        r'<div class="flash flash-\w+"[^>]*>(.*?)</div>', html, re.S)]


def test_suggestion_prefill_claim_and_waiting_for(web_env, browser, engine_do):
    case_id = _registered(engine_do)
    officer = browser("saksbehandler1")
    task = _open(engine_do, case_id, "Kartlegging og vurdering")
    html = officer.get(f"/tasks/{task.id}").get_data(as_text=True)
    suggestion = re.search(r'<section class="suggestion".*?</section>', html, re.S).group(0)
    assert "Individuell plan – forslag fra regeltabellen: innvilge" in suggestion
    assert "Koordinator – forslag fra regeltabellen: innvilge" in suggestion
    assert "Barnekoordinator – forslag" not in suggestion  # not asked for
    assert "to eller flere tjenester" in suggestion
    assert "forslag_" not in html

    response = officer.post(f"/tasks/{task.id}", {
        "kartlegging_dato": "2026-01-08", "funn": "Behov for samordnede tjenester",
        "konklusjon_ip": "innvilge", "konklusjon_koordinator": "avsla",
        "konklusjon_barnekoordinator": "__null__", "vurdering": "Vilkårene er oppfylt",
        "_action": "complete", "version": str(task.version)})
    decision = _open(engine_do, case_id, "Utforme vedtak")
    assert response.headers["Location"] == f"/tasks/{decision.id}"
    assert decision.assignee == "saksbehandler1"  # claimed for the officer who goes on
    html = officer.get(response.headers["Location"]).get_data(as_text=True)
    assert re.search(r'id="task-assignee">saksbehandler1<', html)
    assert "Ta oppgaven" not in html
    for field, value in (("vedtak_ip", "innvilget"), ("vedtak_koordinator", "avslag"),
                         ("vedtak_barnekoordinator", "__null__")):
        assert re.search(rf'name="{field}" value="{value}" checked', html), field
    assert 'class="suggestion"' in html  # shown where the decision is made too

    data = {k: ("__null__" if v is None else v) for k, v in DECISION.items()}
    response = officer.post(f"/tasks/{decision.id}", {**data, "_action": "complete",
                                                       "version": str(decision.version)})
    assert response.headers["Location"] == "/inbox/"
    flashes = _flashes(officer.get("/inbox/").get_data(as_text=True))
    assert flashes[-1] == "Saken venter nå på: Leder («Signere vedtak»)"
    assert not any(key in flashes[-1] for key in ROLE_KEYS)


def test_the_api_claims_the_next_task_and_says_whom_the_case_waits_for(web_env, api,
                                                                          engine_do):
    case_id = _registered(engine_do, 711)
    task = _open(engine_do, case_id, "Kartlegging og vurdering")
    officer = api("saksbehandler1")
    done = officer.post(f"/api/v1/tasks/{task.id}/complete", json={"data": {
        "kartlegging_dato": "2026-01-08", "funn": "Behov", "konklusjon_ip": "innvilge",
        "konklusjon_koordinator": "innvilge", "konklusjon_barnekoordinator": None,
        "vurdering": "Oppfylt"}}).json
    assert done["next_task"]["name"] == "Utforme vedtak"
    assert done["next_task"]["assignee"] == "saksbehandler1" and done["waiting_for"] is None
    done = officer.post(f"/api/v1/tasks/{done['next_task']['id']}/complete",
                        json={"data": DECISION}).json
    assert done["next_task"] is None
    assert done["waiting_for"] == "Saken venter nå på: Leder («Signere vedtak»)"


def test_the_coordinator_is_picked_from_a_list(web_env, browser, engine_do):
    engine_do(lambda ctx: users.add_user(ctx, "utrent1", ["koordinator"],
                                         display_name="Uno Utrent",
                                         password_hash=password_hash()))
    case_id = _registered(engine_do, 712)
    steps = (("Kartlegging og vurdering", "saksbehandler1", dict(
                 kartlegging_dato="2026-01-05", funn="Behov", konklusjon_ip="innvilge",
                 konklusjon_koordinator="innvilge", konklusjon_barnekoordinator=None,
                 vurdering="Oppfylt")),
             ("Utforme vedtak", "saksbehandler1",
              {**DECISION, "koordinator_oppnevnes_innen": "2026-12-20"}),
             ("Signere vedtak", "leder1", {"vedtak_godkjent": True}),
             ("Sende vedtaksbrev", "saksbehandler1",
              {"kanal": "papir", "sendt_dato": "2026-01-05", "leveringsdato": "2026-01-06"}))
    for name, who, data in steps:
        task = _open(engine_do, case_id, name)
        engine_do(lambda ctx, t=task.id, w=who, d=data: humantasks.complete(
            ctx, t, user(ctx, w), d))
    task = _open(engine_do, case_id, "Oppnevne koordinator")
    unit = browser("koordinerende1")
    html = unit.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert re.search(r"<dt>Frist</dt><dd>20\.12\.2026", html)  # the decision's date
    picker = re.search(r'<div class="field[^"]*" data-field="koordinator" data-picker>.*?'
                       r'</fieldset>', html, re.S).group(0)
    assert '<input id="f-koordinator"' not in html  # no typing a name
    values = re.findall(r'name="koordinator" value="([^"]+)"', picker)
    assert values == ["koordinator1", "koordinator2", "utrent1"]  # trained first
    assert picker.count("Har koordinatoropplæring") == 2
    assert "koordinerer 0 saker nå" in picker
    untrained = re.search(r'<div class="choice candidate candidate-unavailable">.*?</div>',
                          picker, re.S).group(0)
    assert "Uno Utrent" in untrained and " disabled" in untrained
    assert "Mangler koordinatoropplæring" in untrained
    assert 'value="Hjemmetjenesten"' in html  # the service area from the decision

    response = unit.post(f"/tasks/{task.id}", {
        "koordinator": "koordinator2", "tjenesteomrade": "Hjemmetjenesten",
        "_action": "complete", "version": str(task.version)})
    assert response.headers["Location"] == "/inbox/"
    flashes = _flashes(unit.get("/inbox/").get_data(as_text=True))
    assert flashes[-1] == "Saken venter nå på: Koordinator2, Koordinator («Bekrefte oppdraget»)"
    # the next case lists koordinator2 with one case, after koordinator1
    case2 = _registered(engine_do, 713)
    for name, who, data in steps:
        task = _open(engine_do, case2, name)
        engine_do(lambda ctx, t=task.id, w=who, d=data: humantasks.complete(
            ctx, t, user(ctx, w), d))
    task = _open(engine_do, case2, "Oppnevne koordinator")
    html = unit.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert re.findall(r'name="koordinator" value="([^"]+)"', html) == [
        "koordinator1", "koordinator2", "utrent1"]
    assert "koordinerer 1 sak nå" in html
