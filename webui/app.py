"""The Flask app factory. No work at import time: everything is built in `create_app`."""
from __future__ import annotations

from flask import Flask, g

from engine.environment import EngineEnvironment
from engine.settings import Settings


def create_app(settings: Settings | None = None, env: EngineEnvironment | None = None) -> Flask:
    settings = settings or Settings.from_env()
    app = Flask(__name__)
    app.config.update(SECRET_KEY=settings.secret_key, SESSION_COOKIE_HTTPONLY=True,
                      SESSION_COOKIE_SAMESITE="Lax")
    app.extensions["samflyt"] = env or EngineEnvironment(settings)

    @app.before_request
    def open_unit_of_work():
        g.session = app.extensions["samflyt"].session_factory()
        g.ctx = app.extensions["samflyt"].context(g.session)

    @app.teardown_request
    def close_unit_of_work(error):
        session = g.pop("session", None)
        if session is not None:
            if error is None:
                session.commit()
            else:
                session.rollback()
            session.close()

    from .status import bp as status_bp
    app.register_blueprint(status_bp)
    return app
