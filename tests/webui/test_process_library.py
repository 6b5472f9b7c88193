"""The process library: pages (/processes/), and the API to list processes and versions and
to deploy a new version by uploading changed files, with every refusal it can answer."""
import json
import re
from io import BytesIO
from pathlib import Path

import pytest
from sqlalchemy import func, select

from engine.accounts.users import get_user
from engine.cases import casework
from engine.db.models import HumanTask, ProcessVersion
from engine.worklist import humantasks
from tests.ip_sak_duration_timers import TIMER, duration_timer_text

pytestmark = pytest.mark.usefixtures("new_versions_removed")

ROOT = Path(__file__).resolve().parents[2]
IP_SAK = ROOT / "processes" / "ip_sak.bpmn"
BAD = ROOT / "tests" / "fixtures" / "bad"
STAFETT = ROOT / "tests" / "fixtures" / "webui" / "stafett.bpmn"
TASK = '<bpmn:userTask id="task_forelopig_svar" name="Sende foreløpig svar">'


def changed_ip_sak(timer='"P3W"') -> bytes:
    text = duration_timer_text()  # ip_sak with its escalation timer written "P1M"
    assert text.count(TIMER) == 1 and text.count(TASK) == 1
    text = text.replace(TIMER, TIMER.replace('"P1M"', timer))
    renamed = TASK.replace("Sende foreløpig svar", "Send foreløpig svar nå")
    return text.replace(TASK, renamed).encode()


@pytest.fixture
def version_count(engine_do):
    return lambda: engine_do(lambda ctx: ctx.session.scalar(select(func.count(ProcessVersion.id))))


@pytest.fixture
def unit(api):
    return api("koordinerende1")


def upload(client, key, *files):
    data = {"files": [(BytesIO(content), name) for name, content in files]}
    return client.post(f"/api/v1/processes/{key}/versions", data=data,
                       content_type="multipart/form-data")


def _json_error(response, status):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    return response.json


def test_upload_one_changed_bpmn_makes_a_version_and_again_changes_nothing(unit, version_count):
    before = unit.get("/api/v1/processes/ip_sak/versions").json["versions"][0]
    count = version_count()
    response = upload(unit, "ip_sak", ("ip_sak.bpmn", changed_ip_sak()))
    assert response.status_code == 201, response.json
    created = response.json
    assert (created["process"], created["version"], created["created"]) == (
        "ip_sak", before["version"] + 1, True)
    assert created["deployed_by"] == "koordinerende1"
    assert version_count() == count + 1
    again = upload(unit, "ip_sak", ("ip_sak.bpmn", changed_ip_sak()))
    assert again.status_code == 200
    assert (again.json["version"], again.json["created"]) == (created["version"], False)
    assert version_count() == count + 1
    newest = unit.get("/api/v1/processes/ip_sak/versions").json["versions"][0]
    assert newest["version"] == created["version"]
    assert newest["bundle_hash"] == created["bundle_hash"]
    # the files not uploaded came from the version before
    old_files = {f["name"]: f["content_hash"] for f in before["files"]}
    new_files = {f["name"]: f["content_hash"] for f in newest["files"]}
    assert old_files.keys() == new_files.keys()
    assert {n for n in old_files if old_files[n] != new_files[n]} == {"ip_sak.bpmn"}
    listed = {p["key"]: p for p in unit.get("/api/v1/processes").json["processes"]}
    assert listed["ip_sak"]["newest_version"] == created["version"]


def test_library_pages_show_processes_versions_and_the_diff(browser, unit, engine_do):
    engine_do(lambda ctx: casework.start_case(ctx, {}, get_user(ctx, "saksbehandler1"),
                                           process_key="stafett"))
    old = unit.get("/api/v1/processes/ip_sak/versions").json["versions"][0]["version"]
    new = upload(unit, "ip_sak", ("ip_sak.bpmn", changed_ip_sak())).json["version"]
    client = browser("koordinerende1")
    html = client.get("/inbox/").get_data(as_text=True)
    assert 'href="/processes/"' in html and "Prosesser" in html
    page = client.get("/processes/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Prosessbibliotek" in html and "Individuell plan og koordinator – sak" in html
    assert 'id="running-stafett">1<' in html and 'id="running-ip_sak">0<' in html
    page = client.get("/processes/ip_sak")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Sammenlign versjoner" in html and "koordinerende1" in html and "vedtak.bpmn" in html
    diff = client.get(f"/processes/ip_sak/diff?from={old}&to={new}")
    assert diff.status_code == 200
    html = diff.get_data(as_text=True)
    assert f"fra versjon {old} til versjon {new}" in html
    assert "timer_en_maned" in html and "Tidsuttrykk" in html and "&#34;P3W&#34;" in html
    assert "task_forelopig_svar" in html and "Send foreløpig svar nå" in html
    assert "ip_sak.bpmn" in html and "Lagt til" not in html and "Fjernet" not in html
    assert "Ingen endringer" in client.get(f"/processes/ip_sak/diff?from={old}&to={old}") \
        .get_data(as_text=True)
    assert client.get("/processes/ip_sak/diff?from=x&to=1").status_code == 400
    assert client.get(f"/processes/ip_sak/diff?from={old}&to=999").status_code == 404
    assert client.get("/processes/finnes_ikke").status_code == 404
    client.post("/lang", {"lang": "en"})
    assert "Process library" in client.get("/processes/").get_data(as_text=True)


def test_other_roles_get_403_and_no_header_link(browser, api):
    client = browser("saksbehandler1")
    assert 'href="/processes/"' not in client.get("/inbox/").get_data(as_text=True)
    for url in ("/processes/", "/processes/ip_sak", "/processes/ip_sak/diff?from=1&to=1"):
        assert client.get(url).status_code == 403
    officer = api("saksbehandler1")
    _json_error(officer.get("/api/v1/processes"), 403)
    _json_error(officer.get("/api/v1/processes/ip_sak/versions"), 403)
    _json_error(upload(officer, "ip_sak", ("ip_sak.bpmn", changed_ip_sak())), 403)
    nobody = api(None)
    _json_error(nobody.get("/api/v1/processes"), 401)
    _json_error(upload(nobody, "ip_sak", ("ip_sak.bpmn", changed_ip_sak())), 401)


def test_bad_requests_are_400(unit, version_count):
    count = version_count()
    _json_error(unit.post("/api/v1/processes/ip_sak/versions"), 400)
    _json_error(unit.post("/api/v1/processes/ip_sak/versions", data={"note": "x"},
                          content_type="multipart/form-data"), 400)
    body = _json_error(upload(unit, "ip_sak", ("stafett.bpmn", STAFETT.read_bytes())), 400)
    assert "ip_sak" in body["message"]
    _json_error(upload(unit, "finnes_ikke", ("soknad.json", b"{}")), 400)
    _json_error(unit.get("/api/v1/processes/finnes_ikke/versions"), 404)
    assert version_count() == count


@pytest.mark.parametrize(("name", "key", "expected"), [
    ("entity_bomb.bpmn", "bad_process", "DOCTYPE"),
    ("external_entity.bpmn", "bad_process", "DOCTYPE"),
    ("missing_layout.bpmn", "bad_process", ""),
    ("unquoted_timer.bpmn", "bad_process", "quot"),
    ("subclasses_script.bpmn", "bad_process", "__subclasses__"),
    ("gateway_without_default.bpmn", "bad_process", ""),
    ("not_json_form.json", "ip_sak", ""),
    ("invalid_schema_form.json", "ip_sak", ""),
])
def test_hostile_or_invalid_files_are_422_and_nothing_is_deployed(unit, version_count, name, key,
                                                                  expected):
    count = version_count()
    body = _json_error(upload(unit, key, (name, (BAD / name).read_bytes())), 422)
    assert body["problems"], body
    assert all(p.startswith(f"{name}: ") or ": " in p for p in body["problems"])
    assert any(p.startswith(f"{name}: ") for p in body["problems"]), body["problems"]
    assert expected.lower() in " ".join(body["problems"]).lower()
    assert version_count() == count


def test_unquoted_timer_in_the_real_process_is_422(unit, version_count):
    count = version_count()
    body = _json_error(upload(unit, "ip_sak", ("ip_sak.bpmn", changed_ip_sak(timer="P3W"))), 422)
    assert any(p.startswith("ip_sak.bpmn: timer_en_maned: ") for p in body["problems"]), body
    assert version_count() == count


def test_a_file_over_the_limit_is_413(app, unit, version_count):
    count = version_count()
    limit = app.extensions["samflyt_settings"].max_upload_bytes
    body = _json_error(upload(unit, "ip_sak", ("ip_sak.bpmn", b" " * (limit + 1))), 413)
    assert body["error"] == "too_large"
    fifty_mb = b"<" * (50 * 1024 * 1024)
    body = _json_error(upload(unit, "ip_sak", ("ip_sak.bpmn", fifty_mb)), 413)
    assert body["error"] == "too_large"
    assert version_count() == count


# --- a diagram from the plain bpmn-js modeler; the heat map -------------------------------------

PLAIN = ROOT / "tests" / "fixtures" / "plain" / "enkel_soknad.bpmn"
PLAIN_KEY = "Process_0x7kq2n"


def test_a_plain_bpmn_js_diagram_uploads_and_its_tasks_run_without_forms(
        unit, browser, engine_do, version_count):
    response = upload(unit, PLAIN_KEY, (PLAIN.name, PLAIN.read_bytes()))
    assert response.status_code == 201, response.json
    assert (response.json["process"], response.json["version"]) == (PLAIN_KEY, 1)
    listed = {p["key"]: p for p in unit.get("/api/v1/processes").json["processes"]}
    assert listed[PLAIN_KEY]["name"] == "Enkel søknad"

    def start(ctx):
        case = casework.start_case(ctx, {"antall_tjenester": 2}, get_user(ctx, "saksbehandler1"),
                                process_key=PLAIN_KEY)
        return case.id, [(t.id, t.candidate_role) for t in ctx.session.scalars(
            select(HumanTask).where(HumanTask.case_id == case.id))]
    case_id, [(task_id, role)] = engine_do(start)
    assert role == "saksbehandler"
    officer = browser("saksbehandler1")
    html = officer.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert 'id="no-form"' in html and "Fullfør oppgaven" in html and 'value="draft"' not in html
    done = officer.post(f"/tasks/{task_id}", {"_action": "complete"})
    assert done.status_code == 302, done.get_data(as_text=True)
    assert done.headers["Location"] == "/inbox/"  # the next task is the leader's
    [(role, _status)] = engine_do(lambda ctx: [
        (t.candidate_role, t.status) for t in ctx.session.scalars(
        select(HumanTask).where(HumanTask.case_id == case_id, HumanTask.status == "open"))])
    assert role == "leder"


def test_a_diagram_failing_on_the_case_data_refuses_the_completion_and_keeps_the_task(
        unit, browser, engine_do, version_count):
    """The gateway's condition names antall_tjenester, which this case lacks: the officer
    sees which element failed, the task stays open and nothing of the step is kept."""
    # a new process (versions deployed by a test are removed after it): its first version
    assert upload(unit, PLAIN_KEY, (PLAIN.name, PLAIN.read_bytes())).status_code == 201

    def start(ctx):
        case = casework.start_case(ctx, {}, get_user(ctx, "saksbehandler1"), process_key=PLAIN_KEY)
        [task] = ctx.session.scalars(select(HumanTask).where(HumanTask.case_id == case.id))
        return task.id
    task_id = engine_do(start)
    officer = browser("saksbehandler1")
    officer.get(f"/tasks/{task_id}")
    refused = officer.post(f"/tasks/{task_id}", {"_action": "complete"})
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert "Prosessen kunne ikke gå videre" in html and "Ingenting ble lagret" in html
    status, completed_by = engine_do(lambda ctx: (lambda t: (t.status, t.completed_by))(
        ctx.session.get(HumanTask, task_id)))
    assert (status, completed_by) == ("open", None)


def test_a_lane_that_names_no_role_is_refused_and_nothing_is_deployed(unit, version_count):
    count = version_count()
    text = PLAIN.read_text(encoding="utf-8").replace('name="Leder"', 'name="Vaktmester"')
    error = _json_error(upload(unit, PLAIN_KEY, (PLAIN.name, text.encode())), 422)
    [problem] = error["problems"]
    assert problem.startswith(f"{PLAIN.name}: Lane_")
    assert "Svømmebanen «Vaktmester» har ikke navnet til en rolle" in problem
    assert "av rollene Saksbehandler, Leder, Koordinerende enhet" in problem
    # the role keys in the technical detail
    assert "lane name 'Vaktmester' is not a known role" in problem
    assert "leder (Leder)" in problem and "saksbehandler (Saksbehandler)" in problem
    assert version_count() == count


def test_heat_map_json_table_and_diagram(browser, engine_do, clock):
    def start(ctx):
        return casework.start_case(ctx, {}, get_user(ctx, "saksbehandler1"),
                                process_key="stafett").id
    first = engine_do(start)
    clock.advance(days=3)
    engine_do(start)
    clock.advance(days=1)
    unit = browser("koordinerende1")
    figures = unit.get("/processes/stafett/heatmap.json")
    assert figures.status_code == 200 and figures.mimetype == "application/json"
    assert figures.json == {"process": "stafett", "version": None, "elements": {
        "steg_saksbehandler": {"count": 2, "median_wait_seconds": 2.5 * 86400, "working": 2,
                               "watching": 0, "watcher": False}}}
    assert unit.get("/processes/stafett/heatmap.json?version=1").json["elements"][
        "steg_saksbehandler"]["count"] == 2
    assert _json_error(unit.get("/processes/stafett/heatmap.json?version=x"), 400)
    assert _json_error(unit.get("/processes/stafett/heatmap.json?version=99"), 404)
    assert _json_error(browser("saksbehandler1").get("/processes/stafett/heatmap.json"), 403)

    html = unit.get("/processes/stafett").get_data(as_text=True)
    assert 'id="heatmap-table"' in html and 'id="heat-steg_saksbehandler"' in html
    assert "Steg for saksbehandler" in html and "3 dager" in html  # median of 4 and 1 days
    assert "js/heatmap.js" in html and "bpmn-navigated-viewer" in html
    data = json.loads(re.search(r'<script type="application/json" id="heatmap-data">(.*?)</script>',
                                html, re.S).group(1))
    assert data["elements"] == [{"id": "steg_saksbehandler", "count": 2, "level": 4,
                                 "label": "2 saker · median 3 d"}]
    assert 'id="steg_saksbehandler"' in data["xml"] and data["diagramId"]
    for href in ("/processes/stafett/edit", "/processes/stafett/forms",
                 "/processes/stafett/decisions", "/processes/stafett/migrations?to=1"):
        assert f'href="{href}"' in html
    assert browser("saksbehandler1").get("/processes/stafett").status_code == 403
    engine_do(lambda ctx: humantasks.complete(
        ctx, humantasks.open_tasks(ctx, first)[0].id, get_user(ctx, "saksbehandler1"),
        {"notat": "ok"}))
    assert unit.get("/processes/stafett/heatmap.json").json["elements"] == {
        "steg_saksbehandler": {"count": 1, "median_wait_seconds": 86400, "working": 1,
                               "watching": 0, "watcher": False},
        "steg_leder": {"count": 1, "median_wait_seconds": 0, "working": 1, "watching": 0,
                       "watcher": False}}


def test_a_process_nobody_waits_in(browser):
    html = browser("admin1").get("/processes/ip_sak").get_data(as_text=True)
    assert 'id="heatmap-empty"' in html and "js/heatmap.js" in html


def _upload_form(client, *files, key=""):
    client.get("/processes/")
    return client.post("/processes/upload",
                       {"files": [(BytesIO(data), name) for name, data in files],
                        "key": key}, content_type="multipart/form-data")


def test_the_unit_uploads_a_plain_diagram_from_the_library_page(browser, version_count):
    unit = browser("koordinerende1")
    page = unit.get("/processes/").get_data(as_text=True)
    assert 'action="/processes/upload"' in page and 'enctype="multipart/form-data"' in page
    before = version_count()
    response = _upload_form(unit, (PLAIN.name, PLAIN.read_bytes()))
    assert response.status_code == 302, response.get_data(as_text=True)
    assert response.headers["Location"].endswith(f"/processes/{PLAIN_KEY}")
    assert version_count() == before + 1
    shown = unit.get(f"/processes/{PLAIN_KEY}").get_data(as_text=True)
    assert f"Versjon 1 av «{PLAIN_KEY}» er installert." in shown


@pytest.mark.parametrize("name", ["entity_bomb.bpmn", "external_entity.bpmn",
                                  "missing_layout.bpmn", "unquoted_timer.bpmn",
                                  "subclasses_script.bpmn"])
def test_a_broken_or_hostile_upload_from_the_page_lists_its_problems_and_deploys_nothing(
        browser, version_count, name):
    unit = browser("koordinerende1")
    before = version_count()
    response = _upload_form(unit, (name, (BAD / name).read_bytes()))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Ingenting ble installert:" in html and 'id="upload-problems"' in html
    assert name in html  # each problem names the file
    assert 'id="upload-key" name="key" type="text" value=""' in html  # nothing guessed kept
    assert version_count() == before


def test_an_upload_of_a_file_too_large_or_of_nothing_is_refused(browser, version_count):
    unit = browser("koordinerende1")
    before = version_count()
    assert _upload_form(unit, ("stor.bpmn", b"<" * (50 * 1024 * 1024))).status_code == 413
    empty = _upload_form(unit)
    assert empty.status_code == 422 and "Velg minst én fil." in empty.get_data(as_text=True)
    assert version_count() == before


def test_only_the_unit_and_admin_upload_from_the_page(browser, version_count):
    officer = browser("saksbehandler1")
    before = version_count()
    assert _upload_form(officer, (PLAIN.name, PLAIN.read_bytes())).status_code == 403
    assert version_count() == before


def test_every_file_of_an_api_upload_is_deployed(unit, engine_do):
    """Several files under one field name: all of them go into the version."""
    form = json.loads((ROOT / "processes" / "forms" / "forelopig_svar.json").read_text())
    form["title"] = "Foreløpig svar (endret)"
    response = upload(unit, "ip_sak", ("ip_sak.bpmn", changed_ip_sak()),
                      ("forelopig_svar.json", json.dumps(form).encode()))
    assert response.status_code == 201, response.json

    def files(ctx):
        version = ctx.session.scalar(select(ProcessVersion).where(
            ProcessVersion.process_key == "ip_sak",
            ProcessVersion.version == response.json["version"]))
        return {f.filename: f.content for f in version.files}
    stored = engine_do(files)
    assert '"P3W"' in stored["ip_sak.bpmn"]
    assert json.loads(stored["forelopig_svar.json"])["title"] == "Foreløpig svar (endret)"
