"""Sign-in with local users, sign-out, the language switch and the idle timeout.

Sessions are signed cookies (HttpOnly, SameSite=Lax, Secure off localhost) holding the
user's id, a fingerprint of their password hash (a password change ends every session) and
the time of the last request by the engine's clock (the idle timeout)."""
from __future__ import annotations

from urllib.parse import urlsplit

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

from engine.accounts import credentials
from engine.notices import notice_board

from . import uow
from .i18n import LANGUAGES, translate
from .sessions import cookie_secure

bp = Blueprint("auth", __name__)

#: Endpoints anyone may reach without signing in.
PUBLIC_ENDPOINTS = {"auth.login", "auth.set_language", "status.index", "status.healthz",
                    "static", "api.openapi"}


def init_app(app) -> None:
    app.before_request(load_user)
    app.context_processor(lambda: {"current_user": g.get("user"),
                                   "languages": LANGUAGES,
                                   "open_notice_count": _open_notice_count})


def _open_notice_count() -> int:
    """The count in the header: open notices for the signed-in user and their roles."""
    user = g.get("user")
    return notice_board.count_open_for_user(uow.ctx(), user) if user is not None else 0


def _now() -> float:
    return current_app.extensions["samflyt"].clock().timestamp()


def load_user():
    g.user = None
    if request.blueprint == "api" or request.endpoint == "static":
        return None
    uid = session.get("uid")
    if uid is not None:
        idle = current_app.extensions["samflyt_settings"].session_idle_minutes * 60
        now = _now()
        user = credentials.active_user(uow.ctx(), uid)
        if now - session.get("seen", 0) > idle:
            _end_session()
            flash(_("Du ble logget ut fordi du ikke har vært aktiv på %(minutes)d minutter.",
                    minutes=idle // 60), "info")
        elif user is None or session.get("fp") != credentials.session_fingerprint(user):
            _end_session()
        else:
            g.user = user
            session["seen"] = now
    if g.user is None and request.endpoint not in PUBLIC_ENDPOINTS and request.endpoint:
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    return None


def _end_session() -> None:
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang


def _safe_next(target: str | None) -> str:
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") \
                and not target.startswith("//"):
            return target
    return url_for("inbox.index")


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
    session["uid"], session["fp"], session["seen"] = (
        user.id, credentials.session_fingerprint(user), _now())
    return redirect(_safe_next(request.form.get("next")))


@bp.post("/logout")
def logout():
    _end_session()
    flash(_("Du er logget ut."), "info")
    return redirect(url_for("auth.login"))


@bp.post("/lang")
def set_language():
    lang = request.form.get("lang", "nb")
    if lang not in LANGUAGES:
        lang = "nb"
    session["lang"] = lang
    response = redirect(_safe_next(request.form.get("next")))
    response.set_cookie("samflyt_lang", lang, max_age=365 * 24 * 3600, httponly=True,
                        samesite="Lax", secure=cookie_secure(current_app))
    return response
