"""In the browser: the coordinating unit edits a task's form and sees the preview change as
it types (no reload), with the JSON error's place one click away; and edits a cell of the
vurdering_rett decision table in dmn-js, saves, deploys, and finds the new version listed."""
import re

from browser_support import assert_accessible, sign_in
from playwright.sync_api import expect
from sqlalchemy import select

from engine.db.models import ProcessDraft
from engine.definitions import drafts, store

NEW_PROPERTY = '"nytt_felt": {"type": "string", "title": "Nytt felt fra enheten"},\n    '
RULE_1_WARNING = "Rule_vurdering_rett_1_out_5"


def _do(server, fn):
    with server["env"].unit_of_work() as ctx:
        return fn(ctx)


def _no_drafts(server):
    _do(server, lambda ctx: drafts.discard(ctx, None, "ip_sak"))


def _draft_names(server):
    return _do(server, lambda ctx: list(ctx.session.scalars(
        select(ProcessDraft.filename).where(ProcessDraft.process_key == "ip_sak"))))


def test_form_editor_preview_follows_the_typing(page, server):
    _no_drafts(server)
    sign_in(page, "koordinerende1")
    page.goto(page.base + "/processes/ip_sak/forms")
    page.get_by_role("link", name="kartlegging.json").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("kartlegging.json")
    preview = page.locator("#preview")
    expect(preview.get_by_label(re.compile("^Dato for kartleggingssamtale"))).to_be_visible()
    expect(preview.get_by_role("button", name="Fullfør oppgaven")).to_be_disabled()
    assert_accessible(page)
    page.evaluate("window.notReloaded = true")

    # type a new property at the top of "properties"
    editor = page.get_by_label("JSON Schema")
    text = editor.input_value()
    at = text.index('"properties": {') + len('"properties": {\n    ')
    editor.focus()
    editor.evaluate(f"(area) => area.setSelectionRange({at}, {at})")
    page.keyboard.type(NEW_PROPERTY)
    new_field = preview.get_by_label(re.compile("^Nytt felt fra enheten"))
    expect(new_field).to_be_visible()
    expect(page.locator("#preview-status")).to_have_text("Forhåndsvisningen er oppdatert")
    new_field.fill("Kan skrives i")  # the preview is a real form, it just never submits
    assert page.evaluate("window.notReloaded") is True

    # a stray comma: the problem says where, and its button puts the cursor there
    end = at + len(NEW_PROPERTY)
    editor.focus()
    editor.evaluate(f"(area) => area.setSelectionRange({end}, {end})")
    page.keyboard.type(",")
    problem = preview.locator("#preview-problems")
    expect(problem).to_contain_text("Ikke gyldig JSON")
    goto = problem.get_by_role("button", name=re.compile(r"Gå til linje \d+, kolonne \d+"))
    goto.click()
    expect(editor).to_be_focused()
    cursor = editor.evaluate("(area) => area.selectionStart")
    assert cursor == end
    assert_accessible(page)
    page.keyboard.press("Delete")  # the comma is selected: take it away
    expect(new_field).to_be_visible()
    assert page.evaluate("window.notReloaded") is True

    # deploying unsaved text is stopped with a message; saving keeps the draft
    page.get_by_role("button", name="Lagre utkast").click()
    expect(page.locator(".flash-success")).to_contain_text("Utkastet er lagret")
    expect(page.locator("#drafts")).to_contain_text("kartlegging.json")
    expect(page.locator("#preview").get_by_label(re.compile("^Nytt felt fra enheten"))) \
        .to_be_visible()
    assert _draft_names(server) == ["kartlegging.json"]
    editor = page.get_by_label("JSON Schema")
    editor.press("End")
    page.keyboard.type(" ")
    page.get_by_role("button", name="Installer som ny versjon").click()
    expect(page.locator("#deploy-unsaved")).to_contain_text("ikke er lagret")
    # and the draft can be thrown away
    page.get_by_role("button", name="Forkast kartlegging.json").click()
    expect(page.locator(".flash-success")).to_contain_text("forkastet")
    assert _draft_names(server) == []


def test_dmn_editor_changes_a_cell_saves_and_deploys(page, server):
    _no_drafts(server)
    before = _do(server, lambda ctx: store.latest_version(ctx, "ip_sak").version)
    sign_in(page, "koordinerende1")
    page.goto(page.base + "/processes/ip_sak/decisions")
    page.get_by_role("link", name="vurdering_rett.dmn").click()
    expect(page.locator("#dmn-status")).to_contain_text("Regeltabellen er lastet")
    expect(page.get_by_label("DMN-XML")).to_be_hidden()
    cell = page.get_by_role("textbox", name="Advarsel (lokal veiledning), regel 1")
    expect(cell).to_have_attribute("contenteditable", "true")
    assert_accessible(page)

    cell.click()
    page.keyboard.press("Control+A")
    page.keyboard.type('"Sjekk om flere tjenester er på vei"')
    page.get_by_role("button", name="Lagre utkast").click()
    expect(page.locator(".flash-success")).to_contain_text("Utkastet er lagret. Ingen feil")
    expect(page.locator("#dmn-status")).to_contain_text("Regeltabellen er lastet")
    expect(page.get_by_role("textbox", name="Advarsel (lokal veiledning), regel 1")) \
        .to_have_text('"Sjekk om flere tjenester er på vei"')
    expect(page.locator("#problems")).to_contain_text("Utkastene har ingen feil")
    assert _draft_names(server) == ["vurdering_rett.dmn"]
    assert_accessible(page)

    page.get_by_role("button", name="Installer som ny versjon").click()
    page.wait_for_url("**/processes/ip_sak")
    expect(page.locator(".flash-success")).to_contain_text(f"Versjon {before + 1} av")
    first = page.locator("#versions tbody tr").first
    expect(first.locator("td").nth(0)).to_have_text(str(before + 1))
    expect(first).to_contain_text("koordinerende1")
    deployed = _do(server, lambda ctx: next(
        f.content for f in store.latest_version(ctx, "ip_sak").files
        if f.filename == "vurdering_rett.dmn"))
    entry = re.search(rf'<outputEntry id="{RULE_1_WARNING}">\s*<text>(.*?)</text>', deployed)
    assert entry.group(1) == "&quot;Sjekk om flere tjenester er på vei&quot;" or \
        entry.group(1) == '"Sjekk om flere tjenester er på vei"'
    assert _draft_names(server) == []


def test_dmn_editor_marks_the_cell_with_a_problem(page, server):
    _no_drafts(server)
    before = _do(server, lambda ctx: store.latest_version(ctx, "ip_sak").version)
    sign_in(page, "koordinerende1")
    page.goto(page.base + "/processes/ip_sak/decisions/vurdering_rett.dmn/edit")
    cell = page.get_by_role("textbox", name="Forslag: koordinator, regel 2")
    cell.click()
    page.keyboard.press("Control+A")
    page.keyboard.type('"innvilge" +')  # half an expression
    page.get_by_role("button", name="Lagre utkast").click()
    expect(page.locator(".flash-error")).to_contain_text("Utkastet er lagret, men har")
    expect(page.locator("#problems li[data-problem-element='Rule_vurdering_rett_2_out_2']")
           .first).to_contain_text("Uttrykket i cellen kan ikke leses som Python")
    marked = page.locator("td[data-element-id='Rule_vurdering_rett_2_out_2']")
    expect(marked).to_have_class(re.compile(r"\bdmn-problem\b"))
    expect(page.locator(".dmn-problem")).to_have_count(1)
    assert_accessible(page)
    page.get_by_role("button", name="Installer som ny versjon").click()
    expect(page.locator("#editor-message")).to_contain_text("Utkastene er beholdt")
    assert _draft_names(server) == ["vurdering_rett.dmn"]
    assert _do(server, lambda ctx: store.latest_version(ctx, "ip_sak").version) == before
    page.get_by_role("button", name="Forkast vurdering_rett.dmn").click()
    expect(page.locator(".flash-success")).to_contain_text("forkastet")
    expect(page.get_by_role("textbox", name="Forslag: koordinator, regel 2")) \
        .to_have_text('"innvilge"')
    assert _draft_names(server) == []
