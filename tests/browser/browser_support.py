"""Helpers for the browser tests: sign in, and axe-core checks."""
from __future__ import annotations

import json

from engine.core.settings import PROJECT_ROOT

PASSWORD = "demo"
AXE = PROJECT_ROOT / "webui" / "static" / "vendor" / "axe-core" / "axe.min.js"


def sign_in(page, username: str) -> None:
    page.context.clear_cookies()
    page.goto(page.base + "/login")
    page.get_by_label("Brukernavn").fill(username)
    page.get_by_label("Passord").fill(PASSWORD)
    page.get_by_role("button", name="Logg inn").click()
    page.wait_for_url("**/inbox/**")


def axe_violations(page) -> list[dict]:
    """Serious and critical WCAG 2.1 A/AA violations on the page, by axe-core."""
    page.add_script_tag(url="/static/vendor/axe-core/axe.min.js")
    results = page.evaluate("""async () => {
        const r = await axe.run(document, {runOnly: {type: 'tag',
            values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}});
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))}));
    }""")
    return [v for v in results if v["impact"] in ("serious", "critical")]


def assert_accessible(page) -> None:
    violations = axe_violations(page)
    assert violations == [], json.dumps(violations, indent=1, ensure_ascii=False)
