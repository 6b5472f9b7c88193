"""The Flask app factory. No work at import time: everything is built in `create_app`.

Each request is one unit of work: a session is opened before the view and committed after
it, before the response leaves (so a commit that fails, say because the database went away,
still turns into an error page and never into a false success), and rolled back when the
request failed (including failures an error handler turned into a 4xx page: see
`webui.uow.abort`).
"""
from __future__ import annotations

from flask import Flask, g, request
from flask_babel import Babel
from flask_wtf.csrf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

from engine.core.settings import Settings
from engine.environment import EngineEnvironment

from . import (
    api_letters,  # noqa: F401 - its routes join the API blueprint
    api_persons,  # noqa: F401 - its routes join the API blueprint
    api_read_log,  # noqa: F401 - its routes join the API blueprint
    api_reports,  # noqa: F401 - its routes join the API blueprint
    api_tokens,  # noqa: F401 - its routes join the API blueprint
    auth,
    errors,
    filters,
    parsing,
    uow,
)
from .api import bp as api_bp
from .i18n import select_locale
from .sessions import SessionInterface, cookie_secure
from .views.admin import bp as admin_bp
from .views.admin_organisation import bp as admin_org_bp
from .views.audit import bp as audit_bp
from .views.case_migrations import bp as migrations_bp
from .views.case_search import bp as case_search_bp
from .views.cases import bp as cases_bp
from .views.definition_editors import bp as definition_editors_bp
from .views.editor import bp as editor_bp
from .views.inbox import bp as inbox_bp
from .views.letters import bp as letters_bp
from .views.library import bp as library_bp
from .views.notices import bp as notices_bp
from .views.persons import bp as persons_bp
from .views.plans import bp as plans_bp
from .views.read_log import bp as read_log_bp
from .views.status import bp as status_bp
from .views.task_page import bp as tasks_bp

csrf = CSRFProtect()
babel = Babel()


def create_app(settings: Settings | None = None, env: EngineEnvironment | None = None) -> Flask:
    settings = settings or (env.settings if env is not None else Settings.from_env())
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=settings.secret_key,
        SESSION_COOKIE_NAME="samflyt_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        # The CSRF token lives as long as the session; the session ends when idle.
        WTF_CSRF_TIME_LIMIT=None,
        WTF_CSRF_SSL_STRICT=False,
        BABEL_DEFAULT_LOCALE="nb",
        BABEL_DEFAULT_TIMEZONE=settings.timezone,
        MAX_CONTENT_LENGTH=2 * 1024 * 1024,
        JSON_SORT_KEYS=False,
    )
    app.json.sort_keys = False
    app.session_interface = SessionInterface()
    if settings.trusted_proxies > 0:  # the client's address and scheme, as the proxies saw them
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.trusted_proxies,
                                x_proto=settings.trusted_proxies)
    app.extensions["samflyt"] = env or EngineEnvironment(settings)
    app.extensions["samflyt_settings"] = settings
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)

    @app.before_request
    def open_unit_of_work():
        g.session = app.extensions["samflyt"].session_factory()
        g.ctx = app.extensions["samflyt"].context(g.session)

    @app.after_request
    def commit_unit_of_work(response):
        session = g.get("session")
        if session is None or g.get("rollback_only"):
            return response
        try:
            uow.commit()  # a lost connection here: the outcome is unknown, and said so
        except Exception as error:  # noqa: BLE001 - becomes the error's own page
            g.rollback_only = True
            return app.make_response(app.handle_user_exception(error))
        return response

    @app.teardown_request
    def close_unit_of_work(error):
        session = g.pop("session", None)
        if session is not None:
            try:
                if session.in_transaction():
                    session.rollback()
            finally:
                session.close()

    auth.init_app(app)
    errors.init_app(app)
    filters.init_app(app)
    parsing.init_app(app)  # the `dbid` converter, strict JSON and text: before the blueprints

    app.register_blueprint(auth.bp)
    app.register_blueprint(inbox_bp)
    app.register_blueprint(tasks_bp)
    app.register_blueprint(cases_bp)
    app.register_blueprint(case_search_bp)
    app.register_blueprint(persons_bp)
    app.register_blueprint(read_log_bp)
    app.register_blueprint(audit_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(admin_org_bp)
    app.register_blueprint(plans_bp)
    app.register_blueprint(letters_bp)
    app.register_blueprint(notices_bp)
    app.register_blueprint(library_bp)
    app.register_blueprint(migrations_bp)
    app.register_blueprint(definition_editors_bp)
    app.register_blueprint(editor_bp)
    app.register_blueprint(status_bp)
    app.register_blueprint(api_bp)
    csrf.exempt(api_bp)

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
            "img-src 'self' data:; font-src 'self' data:; frame-ancestors 'none'; "
            "form-action 'self'; base-uri 'none'")
        if cookie_secure(app):  # served over HTTPS: browsers are to keep to it
            response.headers.setdefault("Strict-Transport-Security",
                                        "max-age=31536000; includeSubDomains")
        if getattr(g, "user", None) is not None and request.blueprint != "static":
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    return app
