"""Sign-in with local users, sign-out, the language switch and the idle timeout.

A signed-in session lives on the server (engine/accounts/web_sessions.py): the signed cookie
(HttpOnly, SameSite=Lax, Secure off localhost) holds only its random token, besides the CSRF
token, the language and flash messages. Signing out, the idle timeout and a password change
end the session in the database, so a copy of the cookie taken before is refused."""
from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _

from engine.access import rules
from engine.accounts import credentials, web_sessions
from engine.notices import notice_board

from . import uow
from .i18n import LANGUAGE_NAMES, LANGUAGES, default_locale, translate
from .safe_redirect import safe_next
from .sessions import cookie_secure

bp = Blueprint("auth", __name__)

#: Endpoints anyone may reach without signing in.
PUBLIC_ENDPOINTS = {"auth.login", "auth.set_language", "status.live", "status.healthz",
                    "static", "api.openapi"}

#: The Flask session's key for the server-side session's token.
SESSION_ID_KEY = "sid"


def init_app(app) -> None:
    app.before_request(load_user)
    app.context_processor(lambda: {"current_user": g.get("user"),
                                   "languages": LANGUAGES,
                                   "language_names": LANGUAGE_NAMES,
                                   "open_notice_count": _open_notice_count})


def _open_notice_count() -> int:
    """The count in the header: open notices for the signed-in user and their roles."""
    user = g.get("user")
    if user is None:
        return 0
    ctx = uow.ctx()
    return notice_board.count_open_for_user(ctx, user, rules.visible_notices(ctx, user))


def load_user():
    g.user = None
    if request.blueprint == "api" or request.endpoint == "static":
        return None
    if SESSION_ID_KEY in session:
        minutes = current_app.extensions["samflyt_settings"].session_idle_minutes
        check = web_sessions.touch(uow.ctx(), session.get(SESSION_ID_KEY), minutes)
        if check.user is None:
            _clear_session()
            if check.idle:
                flash(_("Du ble logget ut fordi du ikke har vært aktiv på %(minutes)d minutter.",
                        minutes=minutes), "info")
        else:
            g.user = check.user
    if g.user is None and request.endpoint not in PUBLIC_ENDPOINTS and request.endpoint:
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    return None


def _end_session() -> None:
    """Sign out: the server-side session ends, and the cookie forgets all but the language."""
    web_sessions.end(uow.ctx(), session.get(SESSION_ID_KEY))
    _clear_session()


def _clear_session() -> None:
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang


def _safe_next(target: str | None) -> str:
    return safe_next(target, url_for("inbox.index"))


@bp.get("/")
def root():
    return redirect(url_for("inbox.index"))


@bp.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "GET":
        if g.user is not None:
            return redirect(_safe_next(request.args.get("next")))
        return render_template("login.html", username="", error=None,
                               next=request.args.get("next", ""))
    username = request.form.get("username", "").strip()
    try:
        user = credentials.sign_in(uow.ctx(), username, request.form.get("password", ""),
                                request.remote_addr)
    except credentials.SignInThrottled as error:
        response = make_response(render_template("login.html", username=username,
                                                 error=translate(error.message),
                                                 next=request.form.get("next", "")), 429)
        response.headers["Retry-After"] = str(error.minutes * 60)
        return response
    if user is None:  # (the failure is committed with the response)
        return render_template("login.html", username=username,
                               error=_("Feil brukernavn eller passord."),
                               next=request.form.get("next", "")), 401
    _end_session()
    session.permanent = False
    session[SESSION_ID_KEY] = web_sessions.start(uow.ctx(), user)
    return redirect(_safe_next(request.form.get("next")))


@bp.post("/logout")
def logout():
    _end_session()
    flash(_("Du er logget ut."), "info")
    return redirect(url_for("auth.login"))


@bp.post("/lang")
def set_language():
    lang = request.form.get("lang", "")
    if lang not in LANGUAGES:
        lang = default_locale()
    session["lang"] = lang
    response = redirect(_safe_next(request.form.get("next")))
    response.set_cookie("samflyt_lang", lang, max_age=365 * 24 * 3600, httponly=True,
                        samesite="Lax", secure=cookie_secure(current_app))
    return response
