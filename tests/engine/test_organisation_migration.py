"""Migration 0016 on a database with data: the default unit is made, every user with a work
role joins it as their home unit (the administrator does not), every case is given it, and
the downgrade takes it all away again."""
from __future__ import annotations

import json
from datetime import UTC, datetime

from alembic import command
from sqlalchemy import create_engine, text

from engine.db.schema import alembic_config


def _migrate(engine, revision: str, down: bool = False) -> None:
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(config, revision)


def test_existing_users_and_cases_join_the_default_unit(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    _migrate(engine, "0015")
    now = datetime(2026, 1, 5, tzinfo=UTC)
    with engine.begin() as conn:
        for name, roles in (("siri", '["saksbehandler"]'), ("ada", '["admin"]'),
                            ("kari", '["koordinator"]')):
            conn.execute(text("INSERT INTO users (username, display_name, active, "
                              "trained_coordinator, created_at, roles) VALUES "
                              "(:u, :u, 1, 0, :at, :r)"), {"u": name, "at": now, "r": roles})
        conn.execute(text("INSERT INTO cases (case_number, process_key, status, data, facts, "
                          "created_at, created_by, applicant_without_fullmakt) VALUES "
                          "('IP-2026-00001', 'ip_sak', 'open', '{}', '{}', :at, 'siri', 0)"),
                     {"at": now})
    _migrate(engine, "head")
    with engine.begin() as conn:
        unit = conn.execute(text("SELECT id, key FROM units")).one()
        assert unit.key == "forvaltningskontoret"
        members = conn.execute(text("SELECT username, home FROM unit_members ORDER BY "
                                    "username")).all()
        assert [(m.username, bool(m.home)) for m in members] == [("kari", True),
                                                                 ("siri", True)]
        assert conn.execute(text("SELECT responsible_unit_id FROM cases")).scalar_one() \
            == unit.id
        copies = dict(conn.execute(text("SELECT username, unit_ids FROM users")).all())
        assert {name: json.loads(ids) for name, ids in copies.items()} == {
            "siri": [unit.id], "kari": [unit.id], "ada": []}
    _migrate(engine, "0015", down=True)
    with engine.begin() as conn:
        tables = {r[0] for r in conn.execute(text(
            "SELECT name FROM sqlite_master WHERE type = 'table'"))}
        assert "units" not in tables and "unit_members" not in tables
        columns = {r[1] for r in conn.execute(text("PRAGMA table_info(cases)"))}
        assert "responsible_unit_id" not in columns
    engine.dispose()
