"""API tokens with an expiry, listed and revoked one by one (issue 13, finding 11: tokens
never expired and could not be revoked one at a time)."""
from datetime import timedelta

from sqlalchemy import select

from engine.accounts import api_tokens
from engine.db.models import ApiToken


def _get(app, token, url="/api/v1/tasks"):
    return app.test_client().get(url, headers={"Authorization": f"Bearer {token}"})


def test_a_token_expires(app, web_env, engine_do):
    token = engine_do(lambda ctx: api_tokens.issue(ctx, "saksbehandler1", "kort", 1)[1])
    assert _get(app, token).status_code == 200
    web_env.clock.advance(days=1, seconds=1)
    refused = _get(app, token)
    assert refused.status_code == 401 and "utløpt" in refused.json["message"]


def test_revoking_one_token_leaves_the_other(app, engine_do):
    first = engine_do(lambda ctx: api_tokens.issue(ctx, "saksbehandler1", "første")[1])
    second = engine_do(lambda ctx: api_tokens.issue(ctx, "saksbehandler1", "andre")[1])
    client = app.test_client()
    headers = {"Authorization": f"Bearer {first}"}
    listed = client.get("/api/v1/tokens", headers=headers).json["tokens"]
    assert [t["name"] for t in listed] == ["andre", "første"]
    assert all("token" not in t for t in listed)  # never the token itself
    andre = next(t["id"] for t in listed if t["name"] == "andre")
    assert client.delete(f"/api/v1/tokens/{andre}", headers=headers).status_code == 204
    assert _get(app, second).status_code == 401
    assert _get(app, first).status_code == 200
    revoked = next(t for t in client.get("/api/v1/tokens", headers=headers).json["tokens"]
                   if t["id"] == andre)
    assert revoked["revoked_at"] is not None


def test_issuing_through_the_api_shows_the_token_once_and_stores_its_hash(app, engine_do):
    token = engine_do(lambda ctx: api_tokens.issue(ctx, "saksbehandler1", "start")[1])
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    issued = client.post("/api/v1/tokens", json={"name": "integrasjon", "days": 30},
                         headers=headers)
    assert issued.status_code == 201 and issued.json["token"].startswith("sft_")
    stored = engine_do(lambda ctx: [t.token_hash for t in ctx.session.scalars(select(ApiToken))])
    assert issued.json["token"] not in stored and len(stored) == 2
    assert _get(app, issued.json["token"]).status_code == 200
    for body in ({"name": ""}, {"name": "x", "days": 0}, {"name": "x", "days": 366},
                 {"name": "x", "days": True}, {"name": "x" * 101}):
        refused = client.post("/api/v1/tokens", json=body, headers=headers)
        assert refused.status_code == 422, (body, refused.json)


def test_last_used_is_written_at_most_once_a_minute(app, web_env, engine_do):
    row_id, token = engine_do(lambda ctx: (lambda r: (r[0].id, r[1]))(
        api_tokens.issue(ctx, "saksbehandler1", "teller")))
    last_used = lambda: engine_do(lambda ctx: ctx.session.get(ApiToken, row_id).last_used_at)  # noqa: E731
    _get(app, token)
    first = last_used()
    assert first == web_env.clock()
    web_env.clock.advance(seconds=30)
    _get(app, token)
    assert last_used() == first
    web_env.clock.advance(seconds=31)
    _get(app, token)
    assert last_used() == first + timedelta(seconds=61)
