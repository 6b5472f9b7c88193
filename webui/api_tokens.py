"""The caller's own API tokens: list, issue, revoke (routes on the API blueprint).

    GET    /api/v1/tokens             the caller's tokens (never the tokens themselves)
    POST   /api/v1/tokens             {"name": ..., "days": ...} -> the new token, shown once
    DELETE /api/v1/tokens/<id>        revoke one of the caller's tokens
"""
from __future__ import annotations

from flask import g, jsonify

from engine.accounts import api_tokens
from webui import uow
from webui.api import _body, _iso, bp


def token_json(row) -> dict:
    return {"id": row.id, "name": row.name, "created_at": _iso(row.created_at),
            "expires_at": _iso(row.expires_at), "last_used_at": _iso(row.last_used_at),
            "revoked_at": _iso(row.revoked_at)}


@bp.get("/tokens")
def list_tokens():
    return jsonify({"tokens": [token_json(t) for t in api_tokens.list_for(uow.ctx(), g.user)]})


@bp.post("/tokens")
def issue_token():
    body = _body(required=True)
    name, days = body.get("name"), body.get("days")
    row, token = api_tokens.issue(uow.ctx(), g.user.username,
                                  name if isinstance(name, str) else "", days)
    return jsonify({"id": row.id, "name": row.name, "token": token,
                    "expires_at": _iso(row.expires_at)}), 201


@bp.delete("/tokens/<dbid:token_id>")
def revoke_token(token_id: int):
    api_tokens.revoke(uow.ctx(), token_id, g.user)
    return "", 204


