"""In the browser: a claimed task shows a second officer its form to read only; the English and
nynorsk switches; a task's form shows errors at the fields and keeps what was typed."""
import re

from browser_support import assert_accessible, sign_in
from playwright.sync_api import expect


def _new_stafett_case(page) -> str:
    """Register a stafett case: the officer lands on its first task, theirs already."""
    page.goto(page.base + "/cases/new?process=stafett")
    page.get_by_role("button", name="Registrer søknaden").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Steg for saksbehandler")
    expect(page.locator("#task-assignee")).to_have_text("saksbehandler1")
    flash = page.locator(".flash-success")
    expect(flash).to_contain_text("Neste oppgave i saken")
    return re.search(r"IP-\d{4}-\d{5}", flash.inner_text()).group(0)


def test_second_officer_cannot_complete_a_task_someone_else_claimed(page):
    sign_in(page, "saksbehandler1")
    case_number = _new_stafett_case(page)
    task_url = page.url

    sign_in(page, "saksbehandler2")
    page.goto(task_url)
    expect(page.locator("#why-not")).to_contain_text("Oppgaven er tatt av saksbehandler1")
    # the form is there to read, with the reason; nothing to fill in, no button to complete
    expect(page.locator("#read-only-form")).to_contain_text("tatt av saksbehandler1")
    expect(page.get_by_role("textbox", name=re.compile("^Notat"))).to_be_disabled()
    expect(page.get_by_role("button", name="Fullfør oppgaven")).to_have_count(0)
    assert_accessible(page)
    # and nothing happened: the task is still open and still held by the first officer
    page.goto(page.base + f"/inbox/?view=roles&case={case_number}")
    row = page.locator("table.tasks tbody tr").filter(has_text=case_number)
    expect(row).to_contain_text("saksbehandler1")


def test_task_form_errors_at_the_field_and_typed_values_kept(page):
    sign_in(page, "saksbehandler1")
    case_number = _new_stafett_case(page)
    page.get_by_label("Antall").fill("mange")
    page.get_by_role("button", name="Fullfør oppgaven").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link", name="Notat: Feltet må fylles ut")).to_be_visible()
    expect(summary.get_by_role("link", name="Antall: Skriv et helt tall")).to_be_visible()
    notat = page.get_by_label("Notat")
    expect(notat).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Antall")).to_have_value("mange")
    assert_accessible(page)
    summary.get_by_role("link", name="Notat: Feltet må fylles ut").click()
    expect(notat).to_be_focused()
    notat.fill("Alt er i orden")
    page.get_by_label("Antall").fill("3")
    page.get_by_role("button", name="Lagre utkast").click()
    expect(page.locator(".flash-success")).to_contain_text("Utkastet er lagret")
    expect(page.get_by_label("Notat")).to_have_value("Alt er i orden")
    page.get_by_role("button", name="Fullfør oppgaven").click()
    expect(page.locator(".flash-success")).to_contain_text(f"i sak {case_number} er fullført")


def test_english_switch(page):
    sign_in(page, "saksbehandler1")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Innboks")
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Inbox")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("link", name=re.compile("Completed by me"))).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="New case").click()
    expect(page.get_by_role("button", name="Register the application")).to_be_visible()
    page.get_by_role("button", name="Norsk (bokmål)").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Registrer søknad")


def test_nynorsk_switch(page):
    sign_in(page, "saksbehandler1")
    page.get_by_role("button", name="Nynorsk").click()
    expect(page.locator("html")).to_have_attribute("lang", "nn")
    expect(page.get_by_role("link", name=re.compile("Ikkje tildelt"))).to_be_visible()
    expect(page.get_by_role("button", name="Norsk (bokmål)")).to_be_visible()
    expect(page.get_by_role("button", name="English")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Ny sak").click()
    expect(page.get_by_text("11 siffer. Tomt for eit barn")).to_be_visible()
    page.get_by_role("button", name="Norsk (bokmål)").click()
    expect(page.get_by_role("link", name=re.compile("Ikke tildelt"))).to_have_count(0)
    expect(page.get_by_text("11 sifre. Tomt for et barn")).to_be_visible()


def test_completing_a_task_goes_on_to_the_cases_next_task(page):
    sign_in(page, "saksbehandler1")
    page.goto(page.base + "/cases/new?process=bench_two_user_tasks")
    page.get_by_role("button", name="Registrer søknaden").click()
    # registering goes on to the first task, as completing one goes on to the next
    expect(page.get_by_role("heading", level=1)).to_have_text("Oppgave A")
    case_number = re.search(r"IP-\d{4}-\d{5}",
                            page.locator(".flash-success").inner_text()).group(0)
    page.get_by_label("Tall").fill("1")
    page.get_by_role("button", name="Fullfør oppgaven").click()
    # the next task is the officer's to do: the browser is on it, not back in the inbox
    expect(page.get_by_role("heading", level=1)).to_have_text("Oppgave B")
    expect(page.locator(".flash-success")).to_contain_text(
        f"Oppgaven «Oppgave A» i sak {case_number} er fullført. Neste oppgave i saken: "
        "«Oppgave B».")
    assert_accessible(page)
    page.get_by_label("Tall").fill("2")
    page.get_by_role("button", name="Fullfør oppgaven").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Innboks")
