"""An OpenAPI-driven fuzzer (schemathesis) against the real app on PostgreSQL with the demo
data, with a bearer token for each role: no server error and no answer that breaks the
document (status code, content type, body schema), for every operation, with valid and with
invalid input (issue 13, finding 8 and "what it must show"). Bounded: a few examples per
operation, role and mode (about 4,000 requests, under a minute)."""
from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from engine.accounts import credentials
from engine.cases import demo
from engine.notices import notice_board
from webui.app import create_app

pytestmark = [pytest.mark.parametrize("db_env", ["postgres"], indirect=True),
              pytest.mark.slow]
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]
EXAMPLES = 25


@pytest.fixture
def fuzzed(committed_env):
    with committed_env.unit_of_work() as ctx:
        demo.load(ctx)
        tokens = {roles[0]: credentials.issue_token(ctx, name, "fuzz")
                  for name, roles, _display, _trained, _units in demo.DEMO_USERS}
    return create_app(committed_env.settings, env=committed_env), tokens


def _fuzz(app, tokens, examples=EXAMPLES, only=None):
    """(requests sent, answers by status, failures) over every operation (or `only`)."""
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    operations = [o for o in operations if only is None or o.label == only]
    sent, statuses, failures = [0], {}, []

    def fuzz(role, operation, headers, mode):
        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=examples, deadline=None, database=None,
                  phases=[Phase.explicit, Phase.generate],
                  suppress_health_check=list(HealthCheck))
        def run(case):
            response = case.call(headers=headers)
            sent[0] += 1
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
            try:
                case.validate_response(response, checks=CHECKS, headers=headers)
            except (Exception, BaseExceptionGroup) as error:  # noqa: BLE001 - collected
                # (schemathesis raises its failures as a group; all are reported together)
                failures.append(f"{role} {operation.label}: {str(error)[:600]}")
        run()

    for role, token in tokens.items():
        for operation in operations:
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                fuzz(role, operation, {"Authorization": f"Bearer {token}"}, mode)
    return sent[0], statuses, failures, operations


def test_the_fuzzer_finds_no_server_error_and_no_schema_violation(fuzzed):
    app, tokens = fuzzed
    sent, statuses, failures, operations = _fuzz(app, tokens)
    assert not failures, "\n".join(failures[:30])
    assert len(operations) >= 17
    assert sent >= 2 * len(tokens) * len(operations) * 10  # it really ran
    assert {200, 201, 400, 403, 404, 422} <= set(statuses)  # valid and invalid input reached


def test_the_fuzzer_would_see_a_server_error_and_a_schema_violation(fuzzed, monkeypatch):
    """The checks above can fail: a broken route and an answer off the document are found."""
    app, tokens = fuzzed

    def broken(*_args, **_kwargs):
        raise RuntimeError("broken on purpose")
    monkeypatch.setattr(notice_board, "open_for_user", broken)
    _sent, statuses, failures, _ops = _fuzz(app, {"saksbehandler": tokens["saksbehandler"]},
                                            examples=3, only="GET /notices")
    assert 500 in statuses and failures
    monkeypatch.setattr(notice_board, "open_for_user", lambda *_a, **_k: [None])
    monkeypatch.setattr("webui.api.notice_json", lambda _notice: {"id": "not a number"})
    _sent, _statuses, failures, _ops = _fuzz(app, {"saksbehandler": tokens["saksbehandler"]},
                                             examples=3, only="GET /notices")
    assert failures and any("notices" in f for f in failures)
