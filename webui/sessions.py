"""Session cookies: signed, HttpOnly, SameSite=Lax, Secure except on a local address."""
from __future__ import annotations

from flask import has_request_context, request
from flask.sessions import SecureCookieSessionInterface

LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}


class SessionInterface(SecureCookieSessionInterface):
    """Signed cookie sessions, marked Secure except on a local development address."""

    def get_cookie_secure(self, app) -> bool:
        return cookie_secure(app)


def cookie_secure(app) -> bool:
    mode = app.extensions["samflyt_settings"].session_cookie_secure
    if mode in ("always", "true", "1"):
        return True
    if mode in ("never", "false", "0"):
        return False
    if not has_request_context():
        return True
    host = request.host.rsplit("]", 1)[0].lstrip("[") if request.host.startswith("[") \
        else request.host.split(":", 1)[0]
    return host not in LOCAL_HOSTS
