"""The process editor in a real browser: the coordinating unit opens a process with a plain
timer (the test process frist_test: "P3D"; the shipped processes' legal deadlines are computed
with legal_date), sets it to two weeks with the timer control and renames a task, saves and
deploys; a case started afterwards waits two weeks, one started before keeps its three days,
and the migration preview lists it and moves it. A condition with a syntax error is
marked on the diagram after saving. The diagram
survives the modeler unchanged (SpiffWorkflow's extensions included). axe-core checks the page."""
from __future__ import annotations

import re

from browser_support import assert_accessible, sign_in
from playwright.sync_api import expect
from sqlalchemy import select

from engine.accounts.users import get_user
from engine.cases import casework
from engine.db.models import Case, ProcessInstance, ProcessVersion, Timer
from engine.definitions import drafts, store
from engine.definitions.validation import validate_files


def _do(server, fn):
    with server["env"].unit_of_work() as ctx:
        return fn(ctx)


TIMED = "frist_test"  # a process whose timer is a plain duration


def _start_case(server) -> tuple[int, int]:
    """A new frist_test case, by the engine; returns (case id, version number it runs on)."""
    def run(ctx):
        case = casework.start_case(ctx, {}, get_user(ctx, "saksbehandler1"), process_key=TIMED)
        return case.id, _version_of(ctx, case.id)
    return _do(server, run)


def _version_of(ctx, case_id: int) -> int:
    """The version of frist_test the case runs on."""
    return ctx.session.scalar(
        select(ProcessVersion.version).join(
            ProcessInstance, ProcessInstance.process_version_id == ProcessVersion.id)
        .where(ProcessInstance.case_id == case_id, ProcessInstance.process_key == TIMED))


def _timer(server, case_id: int):
    """(started, fire_at) of the case's frist_tre_dager timer."""
    def run(ctx):
        timer = ctx.session.scalar(select(Timer).where(Timer.case_id == case_id,
                                                       Timer.element_id == "frist_tre_dager"))
        case = ctx.session.get(Case, case_id)
        return case.created_at, timer.fire_at
    return _do(server, run)


def _open_editor(page, key="ip_sak"):
    page.goto(page.base + f"/processes/{key}/edit")
    expect(page.locator("#editor-canvas")).to_have_attribute("data-loaded", "true")


def _pick(page, element_id):
    page.get_by_label("Element", exact=True).select_option(element_id)
    expect(page.locator("#element-id")).to_have_text(element_id)


def _discard_drafts(server, key="ip_sak"):
    _do(server, lambda ctx: drafts.discard(ctx, None, key))


def test_unit_changes_the_timer_and_a_name_and_deploys_a_version(page, server):
    clock = server["clock"]
    older, older_version = _start_case(server)
    sign_in(page, "koordinerende1")
    _open_editor(page, TIMED)
    assert_accessible(page)

    # the timer control shows "P3D" as three days, and writes two weeks quoted
    _pick(page, "frist_tre_dager")
    expect(page.get_by_label("Etter en tid")).to_be_checked()
    expect(page.get_by_label("Antall")).to_have_value("3")
    expect(page.get_by_label("Enhet")).to_have_value("D")
    page.get_by_label("Antall").fill("2")
    page.get_by_label("Enhet").select_option("W")
    expect(page.locator("#timer-expression")).to_have_text('"P2W"')

    _pick(page, "behandle")
    expect(page.get_by_label("Skjema")).to_have_value("frist_form.json")
    expect(page.get_by_label("Prioritet")).to_have_value("2")
    page.get_by_label("Navn", exact=True).fill("Behandle nå")
    page.get_by_role("button", name="Lagre utkast").click()
    status = page.locator("#editor-status")
    expect(status).to_contain_text("Utkastet er lagret.")
    expect(page.locator("#problems-none")).to_be_visible()
    assert_accessible(page)

    draft = _do(server, lambda ctx: drafts.get(ctx, None, TIMED, "frist_test.bpmn").content)
    assert '"P2W"' in draft and "Behandle nå" in draft
    assert 'name="dueIn"' in draft  # extensions kept

    page.get_by_role("button", name="Installer som ny versjon").click()
    new_version = older_version + 1
    expect(status).to_contain_text(f"Versjon {new_version} er installert")
    migrate = status.get_by_role("link", name=re.compile("Flytt saker"))
    migrate_url = f"/processes/{TIMED}/migrations?to={new_version}"
    expect(migrate).to_have_attribute("href", migrate_url)

    # the library lists the new version, deployed by the unit
    page.goto(page.base + f"/processes/{TIMED}")
    first = page.locator("#versions tbody tr").first
    expect(first.locator("td").nth(0)).to_have_text(str(new_version))
    expect(first.locator("td").nth(2)).to_have_text("koordinerende1")

    # a new case waits two weeks; the older one keeps its three days
    clock.advance(hours=1)
    newer, newer_version = _start_case(server)
    assert newer_version == new_version
    started, fire_at = _timer(server, newer)
    assert (fire_at - started).days == 14
    started, fire_at = _timer(server, older)
    assert (fire_at - started).days == 3
    assert _do(server, lambda ctx: _version_of(ctx, older)) == older_version

    # the migration preview lists the older case (not the newer one), and moving it works
    page.goto(page.base + migrate_url)
    row = page.locator(f"#migration-cases tr[data-case-id='{older}']")
    expect(row).to_have_attribute("data-compatible", "true")
    expect(page.locator(f"#migration-cases tr[data-case-id='{newer}']")).to_have_count(0)
    row.get_by_role("checkbox").check()
    page.get_by_role("button", name="Flytt valgte").click()
    number = _do(server, lambda ctx: ctx.session.get(Case, older).case_number)
    expect(page.locator(f"#migrated tr[data-case-number='{number}']")).to_have_count(1)
    assert _do(server, lambda ctx: _version_of(ctx, older)) == new_version


def test_a_condition_with_a_syntax_error_is_marked_and_deploy_refused(page, server):
    sign_in(page, "koordinerende1")
    _open_editor(page)
    flow = page.evaluate("""() => {
        const registry = samflytEditor.modeler.get('elementRegistry');
        return registry.filter(e => e.type === 'bpmn:SequenceFlow' &&
            e.businessObject.conditionExpression &&
            e.businessObject.sourceRef.$type === 'bpmn:ExclusiveGateway')[0].id; }""")
    _pick(page, flow)
    page.get_by_label("Betingelse").fill('vedtak_ip == "innvilget" and')
    before = _do(server, lambda ctx: store.latest_version(ctx, "ip_sak").version)
    page.get_by_role("button", name="Installer som ny versjon").click()
    expect(page.locator("#editor-status")).to_contain_text("Ikke installert")
    problem = page.locator(f"#problems li[data-element='{flow}']")
    expect(problem).to_contain_text("Betingelsen kan ikke leses som Python: en skrivefeil")
    expect(page.locator(f".djs-element[data-element-id='{flow}']").first).to_have_class(
        re.compile(r"\bhas-problem\b"))
    # the problem's button selects the element (from the keyboard too)
    page.get_by_label("Element", exact=True).select_option("")
    problem.get_by_role("button").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#element-id")).to_have_text(flow)
    assert _do(server, lambda ctx: store.latest_version(ctx, "ip_sak").version) == before
    assert_accessible(page)

    # fixed: the marks go on the next save
    page.get_by_label("Betingelse").fill('vedtak_ip == "innvilget"')
    page.get_by_role("button", name="Lagre utkast").click()
    expect(page.locator("#editor-status")).to_contain_text("Utkastet er lagret.")
    expect(page.locator(".has-problem")).to_have_count(0)
    expect(page.locator("#problems li")).to_have_count(0)
    _discard_drafts(server)


def test_every_shipped_diagram_survives_the_modeler(page, server):
    """Import and export without edits: same elements, attributes and SpiffWorkflow extensions,
    and the exported files still validate."""
    sign_in(page, "koordinerende1")
    for key in ("ip_sak", "klage", "periodisk_evaluering", "vedtak", "barnekoordinator_oppfolging",
                "koordinatorbytte", "oppnevne_koordinator", "utarbeide_plan"):
        _open_editor(page, key)
        # the panel shows every element without changing any (names, timers, properties)
        changed = page.evaluate("""() => {
            const m = samflytEditor.modeler, registry = m.get('elementRegistry');
            const stack = m.get('commandStack'), changed = [];
            for (const option of document.getElementById('element-picker').options) {
                if (!option.value) continue;
                m.get('selection').select(registry.get(option.value));
                samflytEditor.apply();
                if (stack.canUndo()) { changed.push(option.value); stack.undo(); stack.clear(); }
            }
            return changed; }""")
        assert changed == [], key
        exported = page.evaluate("samflytEditor.xml()")
        original = page.evaluate("""() => fetch(JSON.parse(document.getElementById('editor-data')
            .textContent).fileUrl).then(r => r.text())""")
        assert _semantics(exported) == _semantics(original), key
        files = _do(server, lambda ctx, key=key: {f.filename: f.content.encode() for f in
                                                  store.latest_version(ctx, key).files})
        files[f"{key}.bpmn"] = exported.encode()
        assert validate_files(files) == [], key


def _semantics(xml: str) -> list:
    from lxml import etree
    defaults = {("eventGatewayType", "Exclusive"), ("cancelActivity", "true")}
    root = etree.fromstring(xml.encode())
    found = []
    for el in root.iter():
        if not isinstance(el.tag, str) or "/DI" in el.tag or "/DD/" in el.tag:
            continue
        attrs = sorted((k, v) for k, v in el.attrib.items()
                       if not k.endswith("}type") and (k, v) not in defaults)
        found.append((el.tag, attrs, (el.text or "").strip()))
    return found


def _model(page, element_id, script):
    """Evaluate `script` (an expression over `bo`, the element's business object) in the page."""
    return page.evaluate(f"""() => {{
        const bo = samflytEditor.modeler.get('elementRegistry').get({element_id!r}).businessObject;
        return {script}; }}""")


def _timer_body(page, element_id):
    return _model(page, element_id, """(() => { const d = bo.eventDefinitions[0];
        const v = d.timeDuration || d.timeDate || d.timeCycle;
        return [d.timeDuration ? 'duration' : d.timeDate ? 'date' : 'cycle', v.body]; })()""")


def test_the_timer_control_only_ever_writes_a_quoted_expression(page, server):
    sign_in(page, "koordinerende1")
    _open_editor(page, TIMED)
    _pick(page, "frist_tre_dager")
    before = _timer_body(page, "frist_tre_dager")
    for wrong in ("0", "1000"):
        page.get_by_label("Antall").fill(wrong)
        page.get_by_label("Antall").press("Tab")
        expect(page.locator("#timer-error")).to_have_text("Skriv et helt tall fra 1 til 999.")
        assert _timer_body(page, "frist_tre_dager") == before
    page.get_by_label("Antall").fill("12")
    page.get_by_label("Enhet").select_option("H")
    expect(page.locator("#timer-error")).to_be_hidden()
    assert _timer_body(page, "frist_tre_dager") == ["duration", '"PT12H"']

    page.get_by_label("På et fast tidspunkt").check()
    page.get_by_label("Dato").fill("2026-12-01")
    page.get_by_label("Klokkeslett").fill("09:30")
    page.get_by_label("Klokkeslett").press("Tab")
    assert _timer_body(page, "frist_tre_dager") == ["date", '"2026-12-01T09:30:00+01:00"']
    page.get_by_label("Dato").fill("2026-07-01")
    page.get_by_label("Dato").press("Tab")
    assert _timer_body(page, "frist_tre_dager") == ["date", '"2026-07-01T09:30:00+02:00"']
    expect(page.locator("#timer-expression")).to_have_text('"2026-07-01T09:30:00+02:00"')

    # a fixed date validates, and is read back into the control
    page.get_by_role("button", name="Lagre utkast").click()
    expect(page.locator("#editor-status")).to_contain_text("Utkastet er lagret.")
    expect(page.locator("#problems li")).to_have_count(0)
    page.reload()
    expect(page.locator("#editor-canvas")).to_have_attribute("data-loaded", "true")
    _pick(page, "frist_tre_dager")
    expect(page.get_by_label("På et fast tidspunkt")).to_be_checked()
    expect(page.get_by_label("Dato")).to_have_value("2026-07-01")
    expect(page.get_by_label("Klokkeslett")).to_have_value("09:30")

    # discarding the draft brings back the deployed version
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Forkast utkast").click()
    expect(page.locator("#editor-origin")).to_contain_text("fra versjon")
    expect(page.locator("#editor-canvas")).to_have_attribute("data-loaded", "true")
    assert _do(server, lambda ctx: drafts.list_drafts(ctx, None, TIMED)) == []


def test_a_computed_timer_is_shown_and_kept(page, server):
    sign_in(page, "koordinerende1")
    _open_editor(page, "barnekoordinator_oppfolging")
    _pick(page, "timer_18_ar")
    expect(page.locator("#timer-computed")).to_be_visible()
    expect(page.locator("#timer-computed-expr")).to_have_text(
        'legal_date(fodselsdato, "barnekoordinator_slutt")')
    expect(page.get_by_label("Etter en tid")).not_to_be_checked()
    expect(page.get_by_label("På et fast tidspunkt")).not_to_be_checked()
    page.get_by_label("Navn", exact=True).fill("Fyller 18 år")
    page.get_by_label("Navn", exact=True).press("Tab")
    assert _timer_body(page, "timer_18_ar") == [
        "date", 'legal_date(fodselsdato, "barnekoordinator_slutt")']
    assert _model(page, "timer_18_ar", "bo.name") == "Fyller 18 år"


def test_lane_roles_and_user_task_properties(page, server):
    sign_in(page, "koordinerende1")
    _open_editor(page)
    _pick(page, "Lane_saksbehandler")
    role = page.get_by_label("Rolle (svømmebanen)")
    expect(role).to_have_value("saksbehandler")
    expect(page.get_by_label("Navn", exact=True)).to_be_hidden()
    role.select_option("leder")
    assert _model(page, "Lane_saksbehandler", "bo.name") == "leder"
    expect(page.locator("#dirty-state")).to_have_text("Ulagrede endringer")
    page.get_by_role("button", name="Angre").click()  # undo, and the panel follows
    assert _model(page, "Lane_saksbehandler", "bo.name") == "saksbehandler"
    expect(role).to_have_value("saksbehandler")
    # a lane named as a plain modeler's user would name it stands for the same role
    for name, shown in (("Koordinerende enhet", "koordinerende_enhet"), ("Leder", "leder"),
                        ("Lane 1", "Lane 1")):
        page.evaluate(f"""() => {{ const m = samflytEditor.modeler;
            m.get('modeling').updateLabel(m.get('elementRegistry').get('Lane_saksbehandler'),
                                          {name!r}); }}""")
        _pick(page, "Lane_koordinerende_enhet")
        _pick(page, "Lane_saksbehandler")
        expect(role).to_have_value(shown)
    expect(role.locator("option:checked")).to_have_text("Lane 1 (ukjent rolle)")
    role.select_option("saksbehandler")
    assert _model(page, "Lane_saksbehandler", "bo.name") == "saksbehandler"

    _pick(page, "task_forelopig_svar")
    page.get_by_label("Prioritet").select_option("4")
    page.locator("#due-advanced summary").click()  # the raw expression: "Avansert"
    page.get_by_label("Frist (uttrykk)").fill('add_duration(mottatt_dato, "P2M")')
    page.get_by_label("Instruksjoner til den som gjør oppgaven").fill("Send svaret i dag.")
    page.get_by_label("Skjema").select_option("")
    page.get_by_role("button", name="Lagre utkast").click()
    expect(page.locator("#editor-status")).to_contain_text("Utkastet er lagret")
    draft = _do(server, lambda ctx: drafts.get(ctx, None, "ip_sak", "ip_sak.bpmn").content)
    from lxml import etree
    root = etree.fromstring(draft.encode())
    spiff = "{http://spiffworkflow.org/bpmn/schema/1.0/core}"
    task = root.find(".//{http://www.omg.org/spec/BPMN/20100524/MODEL}userTask"
                     "[@id='task_forelopig_svar']")
    props = {p.get("name"): p.get("value") for p in task.iter(f"{spiff}property")}
    assert props == {"dueDateExpression": 'add_duration(mottatt_dato, "P2M")', "priority": "4",
                     # the letter the task sends is kept as it was
                     "letterTemplate": "forelopig_svar", "letterOperation": "compose",
                     "letterChannelField": "forelopig_svar_kanal",
                     "letterDateField": "forelopig_svar_dato"}
    assert task.findtext(f".//{spiff}instructionsForEndUser") == "Send svaret i dag."
    lane = root.find(".//{http://www.omg.org/spec/BPMN/20100524/MODEL}lane[@id='Lane_saksbehandler']")
    assert lane.get("name") == "saksbehandler"
    _discard_drafts(server)
