"""New case, the task page and the case page, through the Flask test client."""
import re

from engine.accounts.users import get_user
from engine.cases import audit, casework
from engine.db.models import HumanTask
from engine.worklist import humantasks

APPLICATION = {"soker_rolle": "personen", "onsker_ip": "true", "onsker_koordinator": "true",
               "onsker_barnekoordinator": "false", "navn": "Kari Nordmann",
               "fodselsdato": "1970-03-01", "mottatt_dato": "2026-01-05",
               "forventet_varighet_maneder": "36", "nav_basert": "false"}


def _new_ip_case(officer, engine_do):
    """Register an application; the officer goes on with its first task, made theirs."""
    from werkzeug.datastructures import MultiDict
    form = MultiDict([*APPLICATION.items(), ("tjenester", "hjemmesykepleie"),
                      ("tjenester", "fysioterapi"), ("process", "ip_sak")])
    response = officer.post("/cases/new", form)
    assert response.status_code == 302, response.get_data(as_text=True)
    task_id = int(re.fullmatch(r"/tasks/(\d+)", response.headers["Location"]).group(1))
    task = engine_do(lambda ctx: ctx.session.get(HumanTask, task_id))
    assert (task.name, task.assignee) == ("Kartlegging og vurdering", "saksbehandler1")
    return task.case_id


def test_new_case_form_errors_then_registered(browser, engine_do):
    officer = browser("saksbehandler1")
    html = officer.get("/cases/new").get_data(as_text=True)
    assert "Søknad om individuell plan" in html and 'name="tjenester"' in html
    response = officer.post("/cases/new",
                            {"process": "ip_sak", "navn": "Kari", "fodselsdato": "1.3.70"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert '<a href="#f-mottatt_dato">Dato søknaden ble mottatt: Feltet må fylles ut</a>' in html
    assert 'value="1.3.70"' in html and 'value="Kari"' in html
    case_id = _new_ip_case(officer, engine_do)
    from engine.db.models import Case
    case = engine_do(lambda ctx: ctx.session.get(Case, case_id))
    assert case.data["tjenester"] == ["hjemmesykepleie", "fysioterapi"]
    assert case.data["onsker_ip"] is True
    html = officer.get(f"/cases/{case_id}").get_data(as_text=True)
    assert (f"Søknaden er registrert som sak {case.case_number}. Neste oppgave i saken: "
            "«Kartlegging og vurdering»." in html)


def test_task_page_instructions_draft_and_complete(browser, engine_do):
    task_id = engine_do(lambda ctx: humantasks.open_tasks(ctx, casework.start_case(
        ctx, {}, get_user(ctx, "saksbehandler1"), process_key="stafett").id)[0].id)
    officer = browser("saksbehandler1")
    html = officer.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert "Les saken og skriv et notat." in html            # instructions from the diagram
    assert "Steg for saksbehandler" in html and "2 dager igjen" in html
    version = int(re.search(r'name="version" value="(\d+)"', html).group(1))
    response = officer.post(f"/tasks/{task_id}", {"notat": "Halvveis", "_action": "draft",
                                                  "version": str(version)})
    assert response.status_code == 302 and response.headers["Location"] == f"/tasks/{task_id}"
    html = officer.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert ">Halvveis</textarea>" in html or 'value="Halvveis"' in html
    response = officer.post(f"/tasks/{task_id}", {"notat": "Ferdig", "_action": "complete",
                                                  "version": str(version)})
    assert response.status_code == 409                       # the draft changed the version
    assert "endret siden du åpnet den" in response.get_data(as_text=True)
    new_version = re.search(r'name="version" value="(\d+)"',
                            response.get_data(as_text=True)).group(1)
    response = officer.post(f"/tasks/{task_id}", {"notat": "Ferdig", "_action": "complete",
                                                  "version": new_version})
    # the stafett's next task is the leader's: back to the inbox
    assert response.status_code == 302 and response.headers["Location"] == "/inbox/"
    row = engine_do(lambda ctx: ctx.session.get(HumanTask, task_id))
    assert (row.status, row.completed_by) == ("completed", "saksbehandler1")
    html = officer.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert "Fullført av saksbehandler1" in html and "Fullfør oppgaven" not in html


def test_case_page_shows_tasks_deadlines_notices_timeline_and_diagram(browser, engine_do, web_env):
    officer = browser("saksbehandler1")
    case_id = _new_ip_case(officer, engine_do)
    html = officer.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "Kari Nordmann" in html and 'id="person-data"' in html
    assert "Kartlegging og vurdering" in html and "Rollen Saksbehandler (ikke tatt)" not in html
    assert "Saken ble registrert" in html and "Ny oppgave «Kartlegging og vurdering»" in html
    assert "Tok oppgaven «Kartlegging og vurdering»" in html  # as the registering officer
    data = re.search(r'<script type="application/json" id="diagram-data-1">(.*?)</script>', html,
                     re.S)
    import json
    diagram = json.loads(data.group(1))
    assert diagram["states"]["start_soknad_mottatt"] == "completed"
    assert diagram["states"]["task_kartlegging"] == "active"
    assert "<bpmn:process id=\"ip_sak\"" in diagram["xml"]
    # a leader sees why the task is not theirs; the read is logged
    html = browser("leder1").get(f"/cases/{case_id}").get_data(as_text=True)
    assert "Nei: Oppgaven venter på rollen «Saksbehandler»" in html
    reads = engine_do(lambda ctx: [e.actor
                                   for e in audit.case_history(ctx, case_id, {"case_read"})])
    assert reads == ["saksbehandler1", "leder1"]


def test_case_page_marks_overdue_and_called_process(browser, engine_do, web_env):
    officer = browser("saksbehandler1")
    case_id = engine_do(lambda ctx: casework.start_case(ctx, {}, get_user(ctx, "saksbehandler1"),
                                                     process_key="frist_test").id)
    web_env.clock.advance(days=2, hours=1)
    officer = browser("saksbehandler1")
    html = officer.get(f"/cases/{case_id}").get_data(as_text=True)
    assert '"behandle": "overdue"' in html and "urgency-overdue" in html
    assert "Tre dager" in html                                   # the waiting timer, a deadline


def test_case_page_marks_the_called_process(browser, engine_do):
    import json
    officer = browser("saksbehandler1")
    case_id = _new_ip_case(officer, engine_do)

    def assess(ctx):
        [task] = humantasks.open_tasks(ctx, case_id)
        humantasks.complete(ctx, task.id, get_user(ctx, "saksbehandler1"), {
            "kartlegging_dato": "2026-01-08", "funn": "Behov", "konklusjon_ip": "innvilge",
            "konklusjon_koordinator": "innvilge", "konklusjon_barnekoordinator": None,
            "vurdering": "Oppfylt"})
    engine_do(assess)
    html = officer.get(f"/cases/{case_id}").get_data(as_text=True)
    found = {}
    for match in re.finditer(r'data-process="(\w+)".*?<script type="application/json" '
                             r'id="diagram-data-\d+">(.*?)</script>', html, re.S):
        found[match.group(1)] = json.loads(match.group(2))["states"]
    assert found["ip_sak"]["task_kartlegging"] == "completed"
    assert found["ip_sak"]["call_vedtak"] == "active"
    assert found["vedtak"]["task_utforme_vedtak"] == "active"
    assert "task_signere_vedtak" not in found["vedtak"]


def test_notices_page_and_acknowledge(browser, engine_do, web_env):
    from engine.scheduling.sweep import sweep_once
    case_id = engine_do(lambda ctx: casework.start_case(ctx, {}, get_user(ctx, "saksbehandler1"),
                                                     process_key="frist_test").id)
    web_env.clock.advance(days=4)
    engine_do(sweep_once)
    officer = browser("saksbehandler1")
    html = officer.get("/notices/").get_data(as_text=True)
    assert "En sak trenger oppfølging" in html  # a kind the UI has no words for
    assert re.search(r'Varsler <span class="count">1<', html)  # the count in the header
    notice_id = int(re.search(r"/notices/(\d+)/ack", html).group(1))
    acknowledged = officer.post(f"/notices/{notice_id}/ack")
    assert acknowledged.status_code == 302 and acknowledged.headers["Location"] == "/notices/"
    html = officer.get("/notices/").get_data(as_text=True)
    assert "Ingen åpne varsler." in html and 'class="count"' not in html.split("</nav>")[0]
    assert "kvittert av saksbehandler1" in officer.get(f"/cases/{case_id}").get_data(as_text=True)


def test_completing_a_task_goes_on_to_the_next_one_the_officer_can_do(browser, engine_do):
    first = engine_do(lambda ctx: humantasks.open_tasks(ctx, casework.start_case(
        ctx, {}, get_user(ctx, "saksbehandler1"), process_key="bench_two_user_tasks").id)[0])
    officer = browser("saksbehandler1")
    response = officer.post(f"/tasks/{first.id}", {"x": "1", "_action": "complete",
                                                   "version": str(first.version)})
    [second] = engine_do(lambda ctx: humantasks.open_tasks(ctx, first.case_id))
    assert response.status_code == 302
    assert response.headers["Location"] == f"/tasks/{second.id}"
    html = officer.get(response.headers["Location"]).get_data(as_text=True)
    assert "Neste oppgave i saken: «Oppgave B»" in html
    response = officer.post(f"/tasks/{second.id}", {"x": "2", "_action": "complete",
                                                    "version": str(second.version)})
    assert response.headers["Location"] == "/inbox/"  # the case ended: nothing to go on with
