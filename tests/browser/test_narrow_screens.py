"""On a phone's width (390 px) the pages an officer works in never scroll sideways: the
inbox, a case, its task, the person and the plan list; tables become cards whose cells are
labelled with their column's name (issue 17: the inbox was 826 px wide at 390 px)."""
import re

from browser_support import assert_accessible, sign_in
from playwright.sync_api import expect

WIDE_NAV = "leder1"  # a leader's menu has the most links


def _no_sideways_scroll(page, what: str) -> None:
    width = page.evaluate("[document.documentElement.scrollWidth, "
                          "document.documentElement.clientWidth]")
    assert width[0] <= width[1], (what, width)


def _new_case(page) -> str:
    """Register a case (the officer lands on its first task) and open the case page."""
    sign_in(page, "saksbehandler1")
    page.goto(page.base + "/cases/new?process=stafett")
    page.get_by_role("button", name="Registrer søknaden").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Steg for saksbehandler")
    page.locator(".breadcrumb a[href^='/cases/']").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("IP-2026-")
    return page.url


def test_the_officers_pages_fit_a_phone(page):
    page.set_viewport_size({"width": 390, "height": 844})
    case_url = _new_case(page)
    _no_sideways_scroll(page, "case")
    page.goto(page.base + "/inbox/?view=mine")  # the new case's task is theirs
    _no_sideways_scroll(page, "inbox")
    row = page.locator("table.tasks tbody tr").first
    expect(row.locator("td").nth(1)).to_have_attribute("data-label", "Sak")
    # each cell's label shows on the card: the column headings are not displayed
    expect(page.locator("table.tasks thead")).to_be_hidden()
    assert_accessible(page)
    row.locator("a[href^='/tasks/']").first.click()
    expect(page).to_have_url(re.compile(r"/tasks/\d+"))
    _no_sideways_scroll(page, "task")
    sign_in(page, WIDE_NAV)
    for path in (case_url, "/plans/", "/notices/", "/cases/?q=IP", "/inbox/"):
        page.goto(path if path.startswith("http") else page.base + path)
        _no_sideways_scroll(page, path)


def test_a_wide_screen_keeps_the_tables(page):
    page.set_viewport_size({"width": 1400, "height": 900})
    _new_case(page)
    page.goto(page.base + "/inbox/?view=mine")
    expect(page.locator("table.tasks thead")).to_be_visible()
