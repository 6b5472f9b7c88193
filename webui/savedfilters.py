"""Saved inbox filters, kept per user in a signed cookie on the officer's browser.

(Interim: when the engine gets a saved-filters table, this module is the only place that
changes; see the report for the proposed table.)"""
from __future__ import annotations

from flask import current_app, request
from itsdangerous import BadSignature, URLSafeSerializer

COOKIE = "samflyt_filters"
MAX_FILTERS = 12


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt="samflyt-saved-filters")


def _all() -> dict:
    raw = request.cookies.get(COOKIE)
    if not raw:
        return {}
    try:
        data = _serializer().loads(raw)
    except BadSignature:
        return {}
    return data if isinstance(data, dict) else {}


def for_user(username: str) -> list[tuple[str, str]]:
    return [tuple(item) for item in _all().get(username, []) if isinstance(item, list)
            and len(item) == 2]


def save(response, username: str, name: str, query: str) -> None:
    data = _all()
    items = [i for i in for_user(username) if i[0] != name]
    items.append((name, query))
    data[username] = [list(i) for i in items[-MAX_FILTERS:]]
    _store(response, data)


def delete(response, username: str, name: str) -> None:
    data = _all()
    data[username] = [list(i) for i in for_user(username) if i[0] != name]
    _store(response, data)


def _store(response, data: dict) -> None:
    from .app import cookie_secure
    response.set_cookie(COOKIE, _serializer().dumps(data), max_age=365 * 24 * 3600,
                        httponly=True, samesite="Lax", secure=cookie_secure(current_app))
