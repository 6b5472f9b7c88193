"""`samflyt units ...` and `samflyt users add --unit`: the organisation from the command line."""
from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from engine.core.settings import Settings
from engine.environment import EngineEnvironment
from engine.organisation import units
from webui.cli import main

ROOT = Path(__file__).resolve().parents[2]


def test_units_are_added_joined_listed_and_left(tmp_path, monkeypatch):
    monkeypatch.setenv("SAMFLYT_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    monkeypatch.setenv("SAMFLYT_PROCESSES_DIR", str(ROOT / "tests" / "fixtures" / "bench"))
    runner = CliRunner()
    run = lambda *a: runner.invoke(main, list(a))  # noqa: E731
    assert run("init").exit_code == 0
    assert run("units", "add", "hjemmetjenesten", "Hjemmetjenesten",
               "--kind", "hjemmetjeneste").exit_code == 0
    again = run("units", "add", "hjemmetjenesten", "Igjen", "--kind", "hjemmetjeneste")
    assert again.exit_code == 1 and "finnes allerede" in again.output
    assert run("units", "add", "x", "X", "--kind", "ukjent").exit_code == 2
    assert run("users", "add", "bjorn", "--role", "saksbehandler",
               "--unit", "hjemmetjenesten").exit_code == 0
    assert run("users", "add", "anne", "--role", "saksbehandler").exit_code == 0
    assert run("users", "add", "ola", "--role", "saksbehandler",
               "--unit", "finnes-ikke").exit_code == 1
    assert run("units", "join", "forvaltningskontoret", "bjorn").exit_code == 0
    listed = run("units", "list").output.splitlines()
    assert any(line.startswith("hjemmetjenesten\t") and line.endswith("bjorn")
               for line in listed)
    assert any(line.startswith("forvaltningskontoret\t") and line.endswith("anne, bjorn")
               for line in listed)
    assert run("units", "leave", "forvaltningskontoret", "bjorn").exit_code == 0
    env = EngineEnvironment(Settings.from_env())
    with env.unit_of_work() as ctx:
        home = units.get_unit(ctx, "hjemmetjenesten")
        assert units.home_unit_id(ctx, "bjorn") == home.id
        from engine.accounts.users import get_user
        assert units.unit_ids(get_user(ctx, "bjorn")) == {home.id}
        assert units.home_unit_id(ctx, "anne") == units.get_unit(
            ctx, "forvaltningskontoret").id
    env.dispose()


def test_every_change_from_the_command_line_is_audited(tmp_path, monkeypatch):
    """The command line changes users, tokens and units through the administration's
    operations: each change is an audit event naming the operator (`cli:<login>`)."""
    from sqlalchemy import select

    from engine.db.models import AuditEvent
    monkeypatch.setenv("SAMFLYT_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    monkeypatch.setenv("SAMFLYT_PROCESSES_DIR", str(ROOT / "tests" / "fixtures" / "bench"))
    monkeypatch.setenv("USER", "drift")
    monkeypatch.setenv("LOGNAME", "drift")
    runner = CliRunner()
    run = lambda *a: runner.invoke(main, list(a))  # noqa: E731
    assert run("init").exit_code == 0
    steps = [("users", "add", "kari", "--role", "koordinator", "--trained"),
             ("users", "password", "kari", "--password", "Et langt nok passord 42"),
             ("users", "token", "kari", "--name", "integrasjon"),
             ("users", "revoke-token", "1"),
             ("units", "add", "barnevern", "Barnevernet", "--kind", "barnevern"),
             ("units", "join", "barnevern", "kari", "--home"),
             ("units", "leave", "barnevern", "kari"),
             ("users", "deactivate", "kari"),
             ("users", "activate", "kari")]
    for step in steps:
        result = run(*step)
        assert result.exit_code == 0, (step, result.output)
    env = EngineEnvironment(Settings.from_env())
    with env.unit_of_work() as ctx:
        events = [(e.actor, e.kind, (e.details or {}).get("username"))
                  for e in ctx.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    env.dispose()
    assert events == [
        ("cli:drift", "user_added", "kari"),
        ("cli:drift", "coordinator_training_changed", "kari"),
        ("cli:drift", "user_password_set", "kari"),
        ("cli:drift", "api_token_issued", "kari"),
        ("cli:drift", "api_token_revoked", "kari"),
        ("cli:drift", "unit_added", None),
        ("cli:drift", "unit_member_added", "kari"),
        ("cli:drift", "unit_member_removed", "kari"),
        ("cli:drift", "user_deactivated", "kari"),
        ("cli:drift", "user_activated", "kari")]
