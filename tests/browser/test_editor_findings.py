"""In the browser, the editor findings of issue 17: the diagram editor's deadline control (a
number and a unit from a date of the case, written with the deadline helper and read back);
a reopened broken draft shows its problems, in Norwegian, in each editor; and the decision
table editor loads without console errors and passes axe, its rule-number header named."""
import re

from browser_support import assert_accessible, sign_in
from lxml import etree
from playwright.sync_api import expect

from engine.deadlines import calendar
from engine.definitions import drafts, store
from engine.definitions.validation import validate_files
from engine.workflow.scripting import RestrictedScriptEngine

CONTROL = 'due_date(mottatt_dato, 10, "working_days")'


def _do(server, fn):
    with server["env"].unit_of_work() as ctx:
        return fn(ctx)


def _discard(server, key="ip_sak"):
    _do(server, lambda ctx: drafts.discard(ctx, None, key))


def _open_editor(page, key="ip_sak"):
    page.goto(page.base + f"/processes/{key}/edit")
    expect(page.locator("#editor-canvas")).to_have_attribute("data-loaded", "true")


def _pick(page, element_id):
    page.get_by_label("Element", exact=True).select_option(element_id)
    expect(page.locator("#element-id")).to_have_text(element_id)


def _due(page, element_id):
    return page.evaluate(f"""() => {{
        const bo = samflytEditor.modeler.get('elementRegistry').get({element_id!r}).businessObject;
        const props = (bo.extensionElements ? bo.extensionElements.values : [])
            .filter(v => v.$type === 'spiffworkflow:Properties')[0];
        const due = props && props.properties.filter(p => p.name === 'dueDateExpression')[0];
        return due ? due.value : null; }}""")


def test_the_deadline_control_writes_the_helper_and_reads_it_back(page, server):
    _discard(server)
    sign_in(page, "koordinerende1")
    _open_editor(page)
    _pick(page, "task_kartlegging")
    expect(page.get_by_label("Ingen frist")).to_be_checked()
    expect(page.locator("#due-after")).to_be_hidden()
    page.get_by_label("Etter mottak, vedtak eller levering").check()
    expect(page.locator("#due-error")).to_be_hidden()  # the amount is yet to be written
    page.get_by_label("Fristens lengde").fill("10")
    page.get_by_label("Fristens lengde").press("Tab")
    page.get_by_label("Lengden regnes i").select_option(label="virkedager")
    page.get_by_label("Regnet fra").select_option(label="Mottatt dato")
    # the user sees words, never the variable names
    expect(page.get_by_label("Regnet fra").locator("option")).to_have_text(
        ["Mottatt dato", "Vedtaksdato", "Leveringsdato for brevet"])
    assert _due(page, "task_kartlegging") == CONTROL
    # a wrong amount is refused and writes nothing
    page.get_by_label("Fristens lengde").fill("0")
    page.get_by_label("Fristens lengde").press("Tab")
    expect(page.locator("#due-error")).to_have_text("Skriv et helt tall fra 1 til 999.")
    assert _due(page, "task_kartlegging") == CONTROL
    page.get_by_label("Fristens lengde").fill("10")
    page.get_by_label("Fristens lengde").press("Tab")
    expect(page.locator("#due-error")).to_be_hidden()
    assert_accessible(page)

    page.get_by_role("button", name="Lagre utkast").click()
    expect(page.locator("#editor-status")).to_contain_text("Utkastet er lagret.")
    expect(page.locator("#problems li")).to_have_count(0)

    # reopened: the control shows it
    page.reload()
    expect(page.locator("#editor-canvas")).to_have_attribute("data-loaded", "true")
    _pick(page, "task_kartlegging")
    expect(page.get_by_label("Etter mottak, vedtak eller levering")).to_be_checked()
    expect(page.get_by_label("Fristens lengde")).to_have_value("10")
    expect(page.get_by_label("Lengden regnes i")).to_have_value("working_days")
    expect(page.get_by_label("Regnet fra")).to_have_value("mottatt_dato")

    # what was saved validates and is what the helper computes
    files = _do(server, lambda ctx: {**{f.filename: f.content.encode() for f in
                                        store.latest_version(ctx, "ip_sak").files},
                                     "ip_sak.bpmn": drafts.get(ctx, None, "ip_sak",
                                                               "ip_sak.bpmn").content.encode()})
    root = etree.fromstring(files["ip_sak.bpmn"])
    [due] = root.xpath("//*[@id='task_kartlegging']//*[@name='dueDateExpression']/@value")
    assert due == CONTROL
    assert validate_files(files) == []
    engine = RestrictedScriptEngine(clock=lambda: None)
    assert engine.environment.evaluate(CONTROL, {"mottatt_dato": "2026-03-27"}) == \
        calendar.add_working_days("2026-03-27", 10) == "2026-04-15"  # Easter skipped

    # an expression the control cannot show is kept, read-only, behind "Avansert"
    _pick(page, "task_forelopig_svar")
    expect(page.get_by_label("Egendefinert frist")).to_be_checked()
    expect(page.locator("#due-custom")).to_be_visible()
    expect(page.get_by_label("Frist (uttrykk)")).to_be_hidden()
    page.locator("#due-advanced summary").click()
    expect(page.get_by_label("Frist (uttrykk)")).to_have_value(
        'legal_date(mottatt_dato, "forelopig_svar")')
    page.get_by_label("Navn", exact=True).fill("Sende foreløpig svar nå")
    page.get_by_label("Navn", exact=True).press("Tab")
    assert _due(page, "task_forelopig_svar") == 'legal_date(mottatt_dato, "forelopig_svar")'
    # choosing "no deadline" removes it
    page.get_by_label("Ingen frist").check()
    assert _due(page, "task_forelopig_svar") is None
    _discard(server)


def _save_draft(server, key, filename, content):
    return _do(server, lambda ctx: drafts.save(ctx, None, key, filename, content))


def test_a_reopened_broken_draft_shows_its_problems_in_each_editor(page, server):
    _discard(server)
    text = _do(server, lambda ctx: next(f.content for f in store.latest_version(
        ctx, "ip_sak").files if f.filename == "ip_sak.bpmn"))
    broken = text.replace('legal_date(mottatt_dato, &quot;forelopig_svar&quot;)',
                          'due_date(mottatt_dato, 10, &quot;fortnights&quot;)', 1)
    assert broken != text
    _save_draft(server, "ip_sak", "ip_sak.bpmn", broken)
    sign_in(page, "koordinerende1")
    _open_editor(page)
    problem = page.locator("#problems li[data-element='task_forelopig_svar']")
    expect(problem).to_contain_text("fortnights")
    expect(page.locator("#problems-none")).to_be_hidden()
    expect(page.locator("#editor-status")).to_contain_text("Utkastet har feil")
    expect(page.locator(".djs-element[data-element-id='task_forelopig_svar']").first) \
        .to_have_class(re.compile(r"\bhas-problem\b"))
    assert_accessible(page)
    _discard(server)

    # a form that is no JSON: the problem in words, the parser's text as a detail
    _save_draft(server, "ip_sak", "kartlegging.json", '{"type": "object",,}')
    page.goto(page.base + "/processes/ip_sak/forms/kartlegging.json/edit")
    problems = page.locator("#problems")
    expect(problems).to_contain_text("Ikke gyldig JSON: et feltnavn må stå i doble "
                                      "anførselstegn (eller det står et komma for mye) "
                                      "(linje 1, kolonne 19)")
    expect(problems).not_to_contain_text("Utkastene har ingen feil")
    expect(problems.locator("summary")).to_have_text("Teknisk melding")
    expect(problems.locator(".problem-detail code")).to_be_hidden()
    assert_accessible(page)
    _discard(server)

    # a decision table that is no XML: dmn-js's English stays out of the headline
    _save_draft(server, "ip_sak", "vurdering_rett.dmn", "<definitions><decision></definitions>")
    page.goto(page.base + "/processes/ip_sak/decisions/vurdering_rett.dmn/edit")
    expect(page.locator("#problems")).to_contain_text(
        "Ikke gyldig XML: en slutt-tagg passer ikke med start-taggen")
    expect(page.locator("#dmn-status")).to_have_text(re.compile(
        "^Regeltabellen kunne ikke vises som tabell"))
    expect(page.get_by_label("DMN-XML")).to_be_visible()
    assert_accessible(page)
    _discard(server)


def test_the_decision_table_editor_has_no_console_errors_and_passes_axe(page, server):
    _discard(server)
    messages = []
    page.on("console", lambda m: messages.append((m.type, m.text)))
    sign_in(page, "koordinerende1")
    page.goto(page.base + "/processes/ip_sak/decisions/vurdering_rett.dmn/edit")
    expect(page.locator("#dmn-status")).to_contain_text("Regeltabellen er lastet")
    header = page.locator("th.index-column").first
    expect(header).to_have_text("Nr.")
    assert_accessible(page)
    page.add_script_tag(url="/static/vendor/axe-core/axe.min.js")
    empty_headers = page.evaluate("""async () => (await axe.run(document,
        {runOnly: {type: 'rule', values: ['empty-table-header']}})).violations.length""")
    assert empty_headers == 0
    # a cell edited: the table is drawn again and the header stays named
    cell = page.get_by_role("textbox", name="Advarsel (lokal veiledning), regel 1")
    cell.click()
    page.keyboard.type(" ")
    expect(header).to_have_text("Nr.")
    noisy = [m for m in messages if m[0] in ("error", "warning")
             or "development" in m[1].lower()]
    assert noisy == []
