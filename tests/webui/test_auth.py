"""Sign-in, sign-out, idle timeout, cookies, CSRF and the language switch."""
import dataclasses

from engine.accounts import credentials
from engine.core.settings import Settings

NEW_PASSWORD = "lang nok setning for en sommerdag"


def _is_sign_in(response) -> bool:
    """A successful sign-in: a redirect to the inbox (no `next` was given)."""
    return response.status_code == 302 and response.headers["Location"] == "/inbox/"


def _is_signed_out(client) -> bool:
    """The inbox sends the client to the sign-in page."""
    response = client.get("/inbox/")
    return response.status_code == 302 and response.headers["Location"].startswith("/login?")


def test_pages_need_sign_in_and_return_there_afterwards(browser):
    anonymous = browser()
    response = anonymous.get("/inbox/?view=roles")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/inbox/?view%3Droles"
    anonymous.get("/login?next=/inbox/?view%3Droles")
    response = anonymous.post("/login", {"username": "saksbehandler1", "password": "demo",
                                         "next": "/inbox/?view=roles"})
    assert response.headers["Location"] == "/inbox/?view=roles"


def test_wrong_password_is_refused_with_the_error_tied_to_the_fields(browser):
    anonymous = browser()
    anonymous.get("/login")
    response = anonymous.post("/login", {"username": "saksbehandler1", "password": "feil"})
    html = response.get_data(as_text=True)
    assert response.status_code == 401
    assert "Feil brukernavn eller passord." in html
    assert 'aria-invalid="true" aria-describedby="login-error"' in html
    assert 'value="saksbehandler1"' in html  # what was typed is kept
    assert _is_signed_out(anonymous)


def test_unknown_and_inactive_users_cannot_sign_in(browser, engine_do):
    def deactivate(ctx):
        from engine.accounts.users import get_user
        get_user(ctx, "saksbehandler2").active = False
    engine_do(deactivate)
    for name in ("nobody", "saksbehandler2"):
        anonymous = browser()
        anonymous.get("/login")
        assert anonymous.post("/login", {"username": name, "password": "demo"}).status_code == 401


def test_open_redirect_after_sign_in_is_refused(browser):
    anonymous = browser()
    anonymous.get("/login")
    response = anonymous.post("/login", {"username": "saksbehandler1", "password": "demo",
                                         "next": "//evil.example/"})
    assert response.headers["Location"] == "/inbox/"


def test_logout_ends_the_session(browser):
    officer = browser("saksbehandler1")
    assert officer.get("/inbox/").status_code == 200
    response = officer.post("/logout")
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert _is_signed_out(officer)


def test_logout_and_forms_need_the_csrf_token(browser):
    officer = browser("saksbehandler1")
    response = officer.post("/logout", csrf=False)
    assert response.status_code == 400
    assert "Skjemaet var utløpt" in response.get_data(as_text=True)
    assert officer.get("/inbox/").status_code == 200  # still signed in
    assert officer.post("/cases/new", {"process": "bench_two_user_tasks"},
                        csrf=False).status_code == 400


def test_idle_session_times_out(browser, web_env):
    officer = browser("saksbehandler1")
    web_env.clock.advance(minutes=29)
    assert officer.get("/inbox/").status_code == 200  # activity renews the session
    web_env.clock.advance(minutes=29)
    assert officer.get("/inbox/").status_code == 200
    web_env.clock.advance(minutes=31)
    response = officer.get("/inbox/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert "ikke har vært aktiv på 30 minutter" in officer.get("/login").get_data(as_text=True)


def test_password_change_ends_sessions_and_tokens(browser, engine_do, api):
    officer = browser("saksbehandler1")
    client = api("saksbehandler1")
    assert client.get("/api/v1/tasks").status_code == 200
    engine_do(lambda ctx: credentials.set_password(ctx, "saksbehandler1", NEW_PASSWORD))
    assert _is_signed_out(officer)
    response = client.get("/api/v1/tasks")
    assert response.status_code == 401 and "trukket tilbake" in response.json["message"]
    fresh = browser()
    fresh.get("/login")
    assert _is_sign_in(fresh.post("/login", {"username": "saksbehandler1",
                                             "password": NEW_PASSWORD}))


def test_session_cookie_flags(browser):
    local = browser()
    local.get("/login")
    response = local.post("/login", {"username": "saksbehandler1", "password": "demo"})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # plain http on localhost for development
    remote = browser(base_url="https://samflyt.kommune.example")
    remote.get("/login")
    response = remote.post("/login", {"username": "saksbehandler1", "password": "demo"})
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_passwords_are_argon2_hashes(engine_do):
    from engine.accounts.users import get_user
    stored = engine_do(lambda ctx: get_user(ctx, "leder1").password_hash)
    assert stored.startswith("$argon2id$") and "demo" not in stored


def test_english_switch_is_kept_in_session_and_cookie(browser):
    officer = browser("saksbehandler1")
    html = officer.get("/inbox/").get_data(as_text=True)
    assert '<html lang="nb">' in html and "Innboks" in html
    response = officer.post("/lang", {"lang": "en", "next": "/inbox/"})
    assert response.headers["Location"] == "/inbox/"
    assert "samflyt_lang=en" in response.headers["Set-Cookie"]
    html = officer.get("/inbox/").get_data(as_text=True)
    assert '<html lang="en">' in html and "Inbox" in html and "Innboks" not in html
    assert "Completed by me" in html
    officer.post("/logout")
    html = officer.get("/login").get_data(as_text=True)
    assert "Sign in" in html  # the choice outlives the session
    officer.post("/lang", {"lang": "nb", "next": "/login"})
    assert "Logg inn" in officer.get("/login").get_data(as_text=True)


def test_security_headers(browser):
    response = browser("saksbehandler1").get("/inbox/")
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cache-Control"] == "no-store"


def test_idle_minutes_from_the_environment_end_the_session(monkeypatch, app, browser, web_env):
    monkeypatch.setenv("SAMFLYT_SESSION_IDLE_MINUTES", "5")
    monkeypatch.setenv("SAMFLYT_CASE_PROCESSES", "ip_sak, stafett")
    web = Settings.from_env()
    assert web.session_idle_minutes == 5 and web.case_processes == ("ip_sak", "stafett")
    app.extensions["samflyt_settings"] = dataclasses.replace(
        app.extensions["samflyt_settings"], session_idle_minutes=web.session_idle_minutes)
    officer = browser("saksbehandler1")
    web_env.clock.advance(minutes=5)
    assert officer.get("/inbox/").status_code == 200  # idle exactly the limit: still signed in
    web_env.clock.advance(minutes=5, seconds=1)
    assert _is_signed_out(officer)
    assert "ikke har vært aktiv på 5 minutter" in officer.get("/login").get_data(as_text=True)


def _try(client, username, password):
    client.get("/login")
    return client.post("/login", {"username": username, "password": password})


def test_repeated_wrong_passwords_lock_the_name_for_a_while(browser, web_env):
    guesser = browser()
    for _ in range(web_env.settings.sign_in_max_failures):
        assert _try(guesser, "saksbehandler1", "feil").status_code == 401
    locked = _try(guesser, "saksbehandler1", "demo")  # even the right password waits
    assert locked.status_code == 429 and locked.headers["Retry-After"] == str(15 * 60)
    assert "For mange mislykkede innlogginger. Vent 15 minutter" in locked.get_data(as_text=True)
    assert _is_signed_out(guesser)
    # an unknown name is answered the same way, so the limit does not tell names apart
    for _ in range(web_env.settings.sign_in_max_failures):
        _try(guesser, "finnes.ikke", "feil")
    assert _try(guesser, "finnes.ikke", "feil").status_code == 429
    # another user still signs in (the address is below its own limit); the locked name
    # waits its minutes out
    assert _is_sign_in(_try(browser(), "leder1", "demo"))
    web_env.clock.advance(minutes=14)
    assert _try(guesser, "saksbehandler1", "demo").status_code == 429
    web_env.clock.advance(minutes=1, seconds=1)
    assert _is_sign_in(_try(guesser, "saksbehandler1", "demo"))


def test_a_successful_sign_in_clears_the_failures(browser, web_env):
    client = browser()
    for _ in range(web_env.settings.sign_in_max_failures - 1):
        assert _try(client, "saksbehandler1", "feil").status_code == 401
    assert _is_sign_in(_try(client, "saksbehandler1", "demo"))
    other = browser()
    for _ in range(web_env.settings.sign_in_max_failures - 1):
        assert _try(other, "saksbehandler1", "feil").status_code == 401
    assert _is_sign_in(_try(other, "saksbehandler1", "demo"))


def test_one_address_guessing_across_names_is_locked(browser, web_env):
    client = browser()
    limit = web_env.settings.sign_in_max_failures * credentials.ADDRESS_FACTOR
    for number in range(limit):
        assert _try(client, f"navn{number}", "feil").status_code == 401
    assert _try(client, "leder1", "demo").status_code == 429  # from this address
    web_env.clock.advance(minutes=15, seconds=1)
    assert _is_sign_in(_try(client, "leder1", "demo"))
