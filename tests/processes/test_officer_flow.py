"""The officer's flow without re-entry or dead ends (issue 17): the coordinators to choose
from, the appointment's due date from the decision, the rule table's suggestion in words, the
decision prefilled from the assessment, the next task claimed for the officer who goes on,
and whom the case waits for after a step."""
from __future__ import annotations

from zoneinfo import ZoneInfo

from scenario_support import CaseDriver, application, assessment, decision

from engine.cases import coordinator as coordinators
from engine.cases import intake
from engine.organisation import units
from engine.worklist import humantasks, taskpage
from tests.db_support import count_statements

OSLO = ZoneInfo("Europe/Oslo")


def _decided(ctx, clock, people, **changes) -> CaseDriver:
    case = CaseDriver.start(ctx, clock, people.officer, application())
    case.complete("Kartlegging og vurdering", people.officer, assessment())
    case.complete("Utforme vedtak", people.officer, decision(**changes))
    case.complete("Signere vedtak", people.leader, {"vedtak_godkjent": True})
    case.complete("Sende vedtaksbrev", people.officer,
                  {"kanal": "digital_postkasse", "leveringsdato": "2026-01-13"})
    return case


def test_candidates_trained_first_then_lowest_caseload(ctx, clock, people, make_user):
    home = units.add_unit(ctx, "hjemmetjenesten", "Hjemmetjenesten", "hjemmetjeneste")
    units.add_member(ctx, home, "ola.koord", home=True)
    make_user("inactive.koord", "koordinator", trained=True).active = False
    busy = _decided(ctx, clock, people)
    busy.complete("Oppnevne koordinator", people.unit,
                  {"koordinator": "kari.koord", "tjenesteomrade": "Hjemmetjenesten"})
    found = coordinators.candidates(ctx, busy.refresh())
    assert [(c.username, c.trained, c.caseload) for c in found] == [
        ("ola.koord", True, 0), ("kari.koord", True, 1), ("uno.koord", False, 0)]
    assert "Hjemmetjenesten" in found[0].units
    assert [c.current for c in found] == [False, True, False]
    # the list on the task page is the same, for the appointing task only
    other = _decided(ctx, clock, people)
    task = other.task("Oppnevne koordinator")
    page = taskpage.task_page(ctx, task.id, people.unit)
    assert page.coordinator_field == "koordinator"
    assert [c.username for c in page.candidates] == ["ola.koord", "kari.koord", "uno.koord"]
    assert page.values["tjenesteomrade"] == "Hjemmetjenesten"  # from the decision


def test_the_appointment_is_due_when_the_decision_says(ctx, clock, people):
    case = _decided(ctx, clock, people, koordinator_oppnevnes_innen="2026-12-20")
    task = case.task("Oppnevne koordinator")
    assert task.due_at is not None
    assert task.due_at.astimezone(OSLO).date().isoformat() == "2026-12-20"
    # no date in the decision: no due date, and the case runs on
    other = _decided(ctx, clock, people)
    assert other.task("Oppnevne koordinator").due_at is None


def test_suggestion_in_words_and_the_decision_prefilled(ctx, clock, people):
    case = CaseDriver.start(ctx, clock, people.officer, application())
    task = case.task("Kartlegging og vurdering")
    page = taskpage.task_page(ctx, task.id, people.officer)
    assert page.suggestion is not None
    assert [str(i) for i in page.suggestion.items] == [
        "Individuell plan – forslag fra regeltabellen: innvilge",
        "Koordinator – forslag fra regeltabellen: innvilge"]  # barnekoordinator: not asked for
    assert "to eller flere tjenester" in page.suggestion.reasons
    assert page.suggestion.warning is None
    assert not any("forslag_" in str(i) for i in page.suggestion.items)
    assert "forslag_" not in (page.instructions or "")

    case.complete("Kartlegging og vurdering", people.officer,
                  assessment(konklusjon_koordinator="avsla"))
    task = case.task("Utforme vedtak")
    page = taskpage.task_page(ctx, task.id, people.officer)
    assert page.suggestion is not None  # where the decision is made too
    assert {k: page.values.get(k) for k in ("vedtak_ip", "vedtak_koordinator",
                                             "vedtak_barnekoordinator")} == {
        "vedtak_ip": "innvilget", "vedtak_koordinator": "avslag",
        "vedtak_barnekoordinator": None}
    # a task that decides nothing shows no suggestion
    case.complete("Utforme vedtak", people.officer, decision(vedtak_koordinator="avslag"))
    signing = case.task("Signere vedtak")
    assert taskpage.task_page(ctx, signing.id, people.leader).suggestion is None
    # what the officer chose wins over the prefill when the decision comes back
    case.complete("Signere vedtak", people.leader, {"vedtak_godkjent": False,
                                                    "kommentar_leder": "Se på koordinator"})
    again = case.task("Utforme vedtak")
    assert taskpage.task_page(ctx, again.id, people.officer).values["vedtak_koordinator"] \
        == "avslag"


def test_the_next_task_is_claimed_for_the_officer_who_goes_on(ctx, clock, people):
    case = CaseDriver.start(ctx, clock, people.officer, application())
    kartlegging = case.task("Kartlegging og vurdering")
    ctx.new_tasks.clear()
    humantasks.complete(ctx, kartlegging.id, people.officer, assessment(), go_on=True)
    # the step made the task theirs as it created it: going on reads and writes nothing
    found: list = []
    assert count_statements(ctx, lambda: found.append(
        humantasks.go_on(ctx, people.officer, case.case.id))) == 0
    [following] = found
    assert following is not None and following.name == "Utforme vedtak"
    assert following.assignee == people.officer.username
    assert case.tasks() == [("Utforme vedtak", "saksbehandler", "siri.saksbehandler")]
    [claimed] = case.history("task_claimed")
    assert (claimed.actor, claimed.details["name"]) == ("siri.saksbehandler", "Utforme vedtak")
    assert ctx.goes_on is None  # spent with the step

    # the decision goes to the leader: nothing for the officer; the case waits for the leader
    ctx.new_tasks.clear()
    humantasks.complete(ctx, following.id, people.officer, decision(), go_on=True)
    assert humantasks.go_on(ctx, people.officer, case.case.id) is None
    assert case.tasks() == [("Signere vedtak", "leder", None)]  # not the officer's role
    waits = humantasks.waiting_for(ctx, case.case.id)
    assert str(waits) == "Saken venter nå på: Leder («Signere vedtak»)"
    assert "leder" not in str(waits).replace("Leder", "")  # the role's name, never its key


def test_going_on_claims_when_the_step_did_not(ctx, clock, people):
    case = CaseDriver.start(ctx, clock, people.officer, application())
    ctx.new_tasks.clear()
    case.complete("Kartlegging og vurdering", people.officer, assessment())  # no go_on
    assert case.tasks() == [("Utforme vedtak", "saksbehandler", None)]
    following = humantasks.go_on(ctx, people.officer, case.case.id)
    assert following is not None and following.assignee == "siri.saksbehandler"
    assert case.tasks() == [("Utforme vedtak", "saksbehandler", "siri.saksbehandler")]
    assert following.version == case.task("Utforme vedtak").version


def test_the_registering_officer_goes_on_with_the_first_task(ctx, clock, people):
    registration = intake.register_application(
        ctx, application(), people.officer, "ip_sak", ("ip_sak",), go_on=True)
    case = CaseDriver(ctx, clock, registration.case)
    assert case.tasks() == [("Kartlegging og vurdering", "saksbehandler", "siri.saksbehandler")]
    assert humantasks.go_on(ctx, people.officer, case.case.id).name == "Kartlegging og vurdering"
    # without go_on (an application from the API) the task waits in the queue
    other = intake.register_application(ctx, application(), people.officer, "ip_sak",
                                        ("ip_sak",))
    assert CaseDriver(ctx, clock, other.case).tasks() == [
        ("Kartlegging og vurdering", "saksbehandler", None)]


def test_the_letter_goes_back_to_the_officer_who_drafted_the_decision(ctx, clock, people,
                                                                      make_user):
    colleague = make_user("per.saksbehandler", "saksbehandler")
    case = CaseDriver.start(ctx, clock, people.officer, application())
    case.complete("Kartlegging og vurdering", colleague, assessment())
    case.complete("Utforme vedtak", people.officer, decision())
    # sent back: the decision returns to the officer who drafted it, not to the queue
    case.complete("Signere vedtak", people.leader, {"vedtak_godkjent": False,
                                                    "kommentar_leder": "Begrunn mer"})
    assert case.tasks() == [("Utforme vedtak", "saksbehandler", "siri.saksbehandler")]
    case.complete("Utforme vedtak", people.officer, decision())
    case.complete("Signere vedtak", people.leader, {"vedtak_godkjent": True})
    assert case.tasks() == [("Sende vedtaksbrev", "saksbehandler", "siri.saksbehandler")]
    assert "task_claimed" not in [e.kind for e in case.history()][-3:]  # made theirs, not taken


def test_the_letter_waits_in_the_queue_when_its_drafter_left(ctx, clock, people, make_user):
    leaving = make_user("ola.slutter", "saksbehandler")
    case = CaseDriver.start(ctx, clock, people.officer, application())
    case.complete("Kartlegging og vurdering", people.officer, assessment())
    case.complete("Utforme vedtak", leaving, decision())
    leaving.active = False
    ctx.session.flush()
    case.complete("Signere vedtak", people.leader, {"vedtak_godkjent": True})
    assert case.tasks() == [("Sende vedtaksbrev", "saksbehandler", None)]


def test_waiting_for_names_who_holds_the_task(ctx, clock, people):
    case = _decided(ctx, clock, people)
    case.complete("Oppnevne koordinator", people.unit,
                  {"koordinator": "kari.koord", "tjenesteomrade": "Hjemmetjenesten"})
    assert str(humantasks.waiting_for(ctx, case.case.id)) == \
        "Saken venter nå på: Kari.koord, Koordinator («Bekrefte oppdraget»)"


def test_the_plan_and_its_approval_start_from_what_is_known(ctx, clock, people):
    """The plan's first participant is the person, its period and first review the
    decision's; the approval's next review is the draft's, else the decision's."""
    from scenario_support import appoint, plan
    case = _decided(ctx, clock, people, oppstartsdato="2026-02-02",
                    forste_evaluering="2026-08-04")
    appoint(case, people, people.coordinator)
    drafting = case.task("Utarbeide plan")
    values = taskpage.task_page(ctx, drafting.id, people.coordinator).values
    assert values["deltakere"] == [{"navn": "Kari Nordmann", "rolle": "Personen selv",
                                    "tilgang": "hele_planen"}]
    assert (values["planperiode_fra"], values["neste_evaluering"]) == ("2026-02-02",
                                                                       "2026-08-04")
    assert values["koordineringsansvar"] == people.coordinator.display_name  # by name
    case.complete("Utarbeide plan", people.coordinator, plan(neste_evaluering="2026-09-01"))
    approval = case.task("Godkjenne plan")
    assert taskpage.task_page(ctx, approval.id, people.coordinator).values[
        "neste_evaluering"] == "2026-09-01"  # the draft's wins over the decision's


def test_a_row_is_prefilled_only_from_values_the_data_has():
    schema = {"properties": {"deltakere": {"type": "array", "x-prefill": {"rows": [
        {"navn": {"from": "navn"}, "rolle": "Personen selv"},
        {"navn": {"from": "verge_navn"}, "rolle": "Verge"}]}}}}
    assert taskpage.prefill(schema, {"navn": "Kari", "verge_navn": ""}) == {
        "deltakere": [{"navn": "Kari", "rolle": "Personen selv"}]}
    assert taskpage.prefill(schema, {}) == {}
