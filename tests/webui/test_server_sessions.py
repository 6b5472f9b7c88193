"""Sessions live on the server: a copy of the cookie dies with the session it belongs to."""
from sqlalchemy import select

from engine.accounts import credentials, web_sessions
from engine.db.models import WebSession

COOKIE = "samflyt_session"
NEW_PASSWORD = "lang nok setning for en sommerdag"
HOST = "127.0.0.1"


def _copy_cookie(source, target) -> None:
    target.client.set_cookie(COOKIE, source.client.get_cookie(COOKIE, domain=HOST).value,
                             domain=HOST)


def _is_refused(client) -> bool:
    response = client.get("/inbox/")
    return response.status_code == 302 and response.headers["Location"].startswith("/login?")


def test_a_cookie_copied_before_sign_out_is_refused_after_it(browser):
    officer = browser("saksbehandler1")
    thief = browser()
    _copy_cookie(officer, thief)
    assert thief.get("/inbox/").status_code == 200  # the copy works while the session is open
    _copy_cookie(officer, thief)
    assert officer.post("/logout").status_code == 302
    assert _is_refused(thief)
    assert _is_refused(officer)


def test_a_password_change_ends_every_session_of_the_user(browser, engine_do):
    at_the_office, at_home = browser("saksbehandler1"), browser("saksbehandler1")
    colleague = browser("saksbehandler2")
    engine_do(lambda ctx: credentials.set_password(ctx, "saksbehandler1", NEW_PASSWORD))
    assert _is_refused(at_the_office) and _is_refused(at_home)
    assert colleague.get("/inbox/").status_code == 200
    at_home.get("/login")
    assert at_home.post("/login", {"username": "saksbehandler1",
                                   "password": NEW_PASSWORD}).status_code == 302
    assert at_home.get("/inbox/").status_code == 200


def test_only_the_token_hash_is_stored_and_last_seen_is_written_once_a_minute(
        browser, web_env):
    officer = browser("saksbehandler1")
    token = officer.client.get_cookie(COOKIE, domain=HOST).value
    with web_env.unit_of_work() as ctx:
        row = ctx.session.scalars(select(WebSession).where(WebSession.ended_at.is_(None))).one()
        signed_in_at = row.last_seen_at
    assert token not in row.token_hash  # the cookie is signed data, the token inside it
    web_env.clock.advance(seconds=59)
    officer.get("/inbox/")
    with web_env.unit_of_work() as ctx:
        assert ctx.session.get(WebSession, row.token_hash).last_seen_at == signed_in_at
    web_env.clock.advance(seconds=1)
    officer.get("/inbox/")
    with web_env.unit_of_work() as ctx:
        assert ctx.session.get(WebSession, row.token_hash).last_seen_at == web_env.clock()


def test_touch_refuses_unknown_ended_and_idle_tokens(web_env):
    with web_env.unit_of_work() as ctx:
        from engine.accounts.users import get_user
        token = web_sessions.start(ctx, get_user(ctx, "saksbehandler1"))
        assert ctx.session.get(WebSession, web_sessions.token_hash(token)) is not None
        assert ctx.session.get(WebSession, token) is None
        assert web_sessions.touch(ctx, token).user.username == "saksbehandler1"
        assert web_sessions.touch(ctx, token[:-1] + "x").user is None
        assert web_sessions.touch(ctx, None).user is None
        web_env.clock.advance(minutes=ctx.settings.session_idle_minutes, seconds=1)
        idle = web_sessions.touch(ctx, token)
        assert idle.user is None and idle.idle
        assert web_sessions.touch(ctx, token) == web_sessions.SessionCheck(None)  # ended
        other = web_sessions.start(ctx, get_user(ctx, "saksbehandler1"))
        web_sessions.end(ctx, other)
        assert web_sessions.touch(ctx, other).user is None


def test_signing_in_removes_the_users_ended_and_idle_sessions(web_env):
    from engine.accounts.users import get_user
    with web_env.unit_of_work() as ctx:
        user = get_user(ctx, "saksbehandler1")
        ended, idle, open_ = (web_sessions.start(ctx, user) for _ in range(3))
        web_sessions.end(ctx, ended)
        web_env.clock.advance(minutes=ctx.settings.session_idle_minutes - 1)
        web_sessions.touch(ctx, open_)
        web_env.clock.advance(minutes=2)  # `idle` is now idle, `open_` not
        newest = web_sessions.start(ctx, user)
        kept = set(ctx.session.scalars(select(WebSession.token_hash)
                                       .where(WebSession.user_id == user.id)))
    assert kept == {web_sessions.token_hash(open_), web_sessions.token_hash(newest)}
    assert web_sessions.token_hash(idle) not in kept


def test_deactivating_a_user_ends_their_sessions(browser, engine_do):
    """Issue 13, finding 11: no user could be deactivated."""
    officer, colleague = browser("saksbehandler1"), browser("saksbehandler2")
    engine_do(lambda ctx: credentials.set_active(ctx, "saksbehandler1", False))
    assert _is_refused(officer)
    assert colleague.get("/inbox/").status_code == 200
    again = browser()
    again.get("/login")
    response = again.post("/login", {"username": "saksbehandler1", "password": "demo"})
    assert response.status_code != 302 and _is_refused(again)
