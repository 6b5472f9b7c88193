"""Issue 13: the client's address behind proxies, HSTS, the status page behind sign-in and
one check for every `next` a redirect follows."""
import dataclasses

import pytest
from flask import request

from webui.app import create_app
from webui.safe_redirect import safe_next


def _app_with(web_env, **changes):
    app = create_app(dataclasses.replace(web_env.settings, **changes), env=web_env)
    app.config["TESTING"] = True
    app.add_url_rule("/test-address", "test_address", lambda: request.remote_addr or "-")
    return app


@pytest.mark.parametrize(("proxies", "expected"), [(1, "203.0.113.7"), (0, "10.1.1.1")])
def test_x_forwarded_for_decides_the_address_only_behind_trusted_proxies(
        web_env, proxies, expected):
    from webui import auth
    auth.PUBLIC_ENDPOINTS.add("test_address")
    try:
        client = _app_with(web_env, trusted_proxies=proxies).test_client()
        response = client.get("/test-address", headers={"X-Forwarded-For": "203.0.113.7"},
                              environ_base={"REMOTE_ADDR": "10.1.1.1"})
    finally:
        auth.PUBLIC_ENDPOINTS.discard("test_address")
    assert response.get_data(as_text=True) == expected


def test_only_the_last_trusted_proxy_is_believed(web_env):
    from webui import auth
    auth.PUBLIC_ENDPOINTS.add("test_address")
    try:
        client = _app_with(web_env, trusted_proxies=1).test_client()
        response = client.get("/test-address",
                              headers={"X-Forwarded-For": "6.6.6.6, 203.0.113.7"},
                              environ_base={"REMOTE_ADDR": "10.1.1.1"})
    finally:
        auth.PUBLIC_ENDPOINTS.discard("test_address")
    assert response.get_data(as_text=True) == "203.0.113.7"  # the client may forge the first


def test_hsts_is_sent_when_cookies_are_secure_and_not_otherwise(web_env):
    secure = _app_with(web_env, session_cookie_secure="always").test_client()
    assert "max-age=" in secure.get("/login").headers["Strict-Transport-Security"]
    auto = _app_with(web_env, session_cookie_secure="auto").test_client()
    assert "Strict-Transport-Security" not in auto.get("/login", base_url="http://127.0.0.1").headers
    assert "Strict-Transport-Security" in auto.get(
        "/login", base_url="https://samflyt.kommune.example").headers


def test_status_needs_sign_in_but_liveness_does_not(browser):
    anonymous = browser()
    response = anonymous.get("/status")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login?")
    live = anonymous.get("/status/live")
    assert (live.status_code, live.get_data(as_text=True)) == (200, "ok")
    assert anonymous.get("/healthz").status_code == 200
    officer = browser("saksbehandler1")
    assert "åpne saker" in officer.get("/status").get_data(as_text=True)


@pytest.mark.parametrize("target", [
    "//evil.example/", "/\\evil.example", "/\t/evil.example", "/\n/evil.example",
    "https://evil.example/", "javascript:alert(1)", "evil.example", "", None,
    "/inbox/\x00", "/a\\b", "\\\\evil.example"])
def test_unsafe_next_targets_fall_back(target):
    assert safe_next(target, "/inbox/") == "/inbox/"


@pytest.mark.parametrize("target", ["/inbox/", "/inbox/?view=roles", "/tasks/3#form",
                                    "/cases/IP-2026-00001"])
def test_same_site_paths_are_kept(target):
    assert safe_next(target, "/inbox/") == target


@pytest.mark.parametrize("target", ["/\\evil.example", "/\t/evil.example"])
def test_sign_in_and_language_switch_refuse_backslash_and_tab_targets(browser, target):
    anonymous = browser()
    anonymous.get("/login")
    switched = anonymous.post("/lang", {"lang": "en", "next": target})
    assert switched.headers["Location"] == "/inbox/"
    response = anonymous.post("/login", {"username": "saksbehandler1", "password": "demo",
                                         "next": target})
    assert response.headers["Location"] == "/inbox/"


def test_a_task_action_refuses_a_backslash_next_and_keeps_a_path(browser, engine_do):
    from engine.accounts.users import get_user
    from engine.cases import casework
    from engine.worklist import humantasks
    task_id = engine_do(lambda ctx: humantasks.open_tasks(ctx, casework.start_case(
        ctx, {}, get_user(ctx, "saksbehandler1"), process_key="stafett").id)[0].id)
    officer = browser("saksbehandler1")
    officer.get(f"/tasks/{task_id}")
    response = officer.post(f"/tasks/{task_id}/claim", {"next": "/\\evil.example"})
    assert response.status_code == 302 and response.headers["Location"] == f"/tasks/{task_id}"
    response = officer.post(f"/tasks/{task_id}/unclaim", {"next": "/inbox/?view=roles"})
    assert response.status_code == 302 and response.headers["Location"] == "/inbox/?view=roles"
