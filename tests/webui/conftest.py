"""The web app on a real database (SQLite and PostgreSQL, committing for real through the
request boundary), a fake clock, and signed-in test clients for every role."""
from __future__ import annotations

import dataclasses
import functools
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select

from engine.accounts import credentials, users
from engine.db.models import ProcessVersion, ProcessVersionFile
from engine.definitions import store
from webui.app import create_app

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
from db_support import empty_case_tables  # noqa: E402
from web_support import CASE_PROCESSES, PASSWORD, PEOPLE, Browser  # noqa: E402


@functools.cache
def password_hash() -> str:
    return credentials.hash_password(PASSWORD)


def _fixture_files() -> dict[str, bytes]:
    return store.read_directory(FIXTURES / "webui")


@pytest.fixture
def web_env(committed_env):
    """An engine environment that commits, with the web fixtures deployed and the people."""
    with committed_env.unit_of_work() as ctx:
        store.deploy_files(ctx, _fixture_files(), "tests")
        for username, (roles, trained) in PEOPLE.items():
            users.add_user(ctx, username, roles, display_name=username.capitalize(),
                           trained_coordinator=trained, password_hash=password_hash())
    return committed_env


@pytest.fixture
def app(web_env):
    settings = dataclasses.replace(web_env.settings, case_processes=CASE_PROCESSES,
                                   session_idle_minutes=30)
    app = create_app(settings, env=web_env)
    app.config["TESTING"] = True
    return app


@pytest.fixture
def browser(app):
    """browser("saksbehandler1") -> a signed-in client."""
    def make(username: str | None = None, base_url: str = "http://127.0.0.1") -> Browser:
        client = Browser(app, base_url)
        return client.login(username) if username else client
    return make


@pytest.fixture
def token(web_env):
    """token("saksbehandler1") -> a bearer token."""
    def make(username: str) -> str:
        with web_env.unit_of_work() as ctx:
            return credentials.issue_token(ctx, username)
    return make


@pytest.fixture
def api(app, token):
    """api("saksbehandler1").post("/api/v1/cases", json=...) with the user's bearer token."""
    class Api:
        def __init__(self, username):
            self.client = app.test_client()
            self.headers = {"Authorization": f"Bearer {token(username)}"} if username else {}

        def get(self, url, **kwargs):
            return self.client.get(url, headers=self.headers, **kwargs)

        def post(self, url, **kwargs):
            return self.client.post(url, headers=self.headers, **kwargs)

        def delete(self, url, **kwargs):
            return self.client.delete(url, headers=self.headers, **kwargs)
    return Api


def user(env_or_ctx, username):
    from engine.accounts.users import get_user
    return get_user(env_or_ctx, username)


@pytest.fixture
def engine_do(web_env):
    """engine_do(fn) runs fn(ctx) in a committed unit of work and returns its result."""
    def run(fn):
        with web_env.unit_of_work() as ctx:
            return fn(ctx)
    return run


@pytest.fixture
def new_versions_removed(web_env):
    """Process versions a test deploys are removed afterwards, after the cases and drafts:
    PostgreSQL keeps definitions between tests, and later tests start cases on the newest
    version. (On SQLite every test has its own copy of the database: nothing to do.)"""
    if web_env.db_engine.dialect.name != "postgresql":
        yield
        return
    with web_env.unit_of_work() as ctx:
        last = ctx.session.scalar(select(func.max(ProcessVersion.id)))
    yield
    empty_case_tables(web_env.db_engine)  # cases (and drafts) on the new versions go first
    with web_env.unit_of_work() as ctx:
        new = select(ProcessVersion.id).where(ProcessVersion.id > last)
        ctx.session.execute(delete(ProcessVersionFile)
                            .where(ProcessVersionFile.process_version_id.in_(new)))
        ctx.session.execute(delete(ProcessVersion).where(ProcessVersion.id > last))


@pytest.fixture
def demo_env(committed_env):
    """An environment that commits, with `samflyt demo`'s users, persons and cases."""
    from engine.cases import demo
    with committed_env.unit_of_work() as ctx:
        demo.load(ctx)
    return committed_env


@pytest.fixture
def demo_app(demo_env):
    app = create_app(dataclasses.replace(demo_env.settings, session_idle_minutes=30),
                     env=demo_env)
    app.config["TESTING"] = True
    return app


@pytest.fixture
def site(demo_app):
    """site("koordinator1") -> a client signed in to the demo data as that user."""
    return lambda username: Browser(demo_app).login(username)
