"""Browser tests: the real app on a real port (a thread), a fresh SQLite database with the
shipped processes deployed, and Debian's chromium driven by Playwright (never
`playwright install`). With CI=true a missing chromium fails instead of skipping."""
from __future__ import annotations

import dataclasses
import os
import threading
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from engine.accounts import credentials, users
from engine.core.clock import FakeClock
from engine.core.settings import Settings
from engine.definitions import store
from engine.environment import EngineEnvironment

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
BENCH_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "bench"
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
from browser_support import AXE, PASSWORD  # noqa: E402

DEMO_USERS = {
    "saksbehandler1": (("saksbehandler",), False),
    "saksbehandler2": (("saksbehandler",), False),
    "leder1": (("leder",), False),
    "koordinerende1": (("koordinerende_enhet",), False),
    "koordinator1": (("koordinator",), True),
    "admin1": (("admin",), False),
}


def pytest_collection_modifyitems(config, items):
    """In a parallel run (pytest-xdist, --dist loadgroup) the browser tests stay together on
    one worker: one Chromium and one app server, the tests in their usual order."""
    here = Path(__file__).resolve().parent
    for item in items:
        if here in item.path.resolve().parents:
            item.add_marker(pytest.mark.xdist_group("browser"))


def _missing(message: str) -> None:
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    """The web app on 127.0.0.1:<free port>, with its engine environment and fake clock."""
    from werkzeug.serving import make_server

    from webui.app import create_app

    path = tmp_path_factory.mktemp("browser") / "samflyt.sqlite3"
    clock = FakeClock(datetime(2026, 1, 5, 9, 0, tzinfo=ZoneInfo("Europe/Oslo")))
    env = EngineEnvironment(Settings.from_env(database_url=f"sqlite:///{path}"), clock=clock)
    env.upgrade_schema()
    files = store.read_directory(env.settings.processes_dir)
    files.update(store.read_directory(BENCH_DIR))
    files.update(store.read_directory(FIXTURES / "engine"))
    files.update(store.read_directory(FIXTURES / "webui"))
    hashed = credentials.hash_password(PASSWORD)
    with env.unit_of_work() as ctx:
        store.deploy_files(ctx, files, "tests")
        for name, (roles, trained) in DEMO_USERS.items():
            users.add_user(ctx, name, roles, display_name=name.capitalize(),
                           trained_coordinator=trained, password_hash=hashed)
    # The fake clock moves days in some tests: the idle timeout is tested in tests/webui.
    settings = dataclasses.replace(env.settings,
                                   case_processes=("ip_sak", "frist_test", "stafett",
                                                   "bench_two_user_tasks"),
                                   session_idle_minutes=60 * 24 * 365)
    app = create_app(settings, env=env)
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, name="samflyt-test-server", daemon=True)
    thread.start()
    yield {"url": f"http://127.0.0.1:{httpd.server_port}", "env": env, "clock": clock}
    httpd.shutdown()
    env.dispose()


@pytest.fixture(scope="session")
def playwright_driver():
    """Playwright, started once a session (a second start in the same thread fails)."""
    if not Path(CHROMIUM).exists():
        _missing(f"{CHROMIUM} is missing: install Debian's chromium (scripts/setup.sh does)")
    if not AXE.exists():
        _missing(f"{AXE} is missing: run scripts/setup.sh (npm ci copies it)")
    from playwright.sync_api import sync_playwright
    playwright = sync_playwright().start()
    yield playwright
    playwright.stop()


@pytest.fixture(scope="session")
def chromium(tmp_path_factory, playwright_driver):
    context = playwright_driver.chromium.launch_persistent_context(
        str(tmp_path_factory.mktemp("chromium-profile")), executable_path=CHROMIUM,
        headless=True, args=CHROMIUM_ARGS, locale="nb-NO", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    yield context
    context.close()


@pytest.fixture
def page(chromium, server):
    """A fresh tab, signed out (no cookies left from an earlier test)."""
    chromium.clear_cookies()
    tab = chromium.new_page()
    errors = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    tab.base = server["url"]
    yield tab
    tab.close()
    assert errors == [], f"JavaScript errors on the page: {errors}"
