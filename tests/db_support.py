"""Database helpers shared by the test packages."""
from __future__ import annotations

from sqlalchemy import text

#: Tables emptied after a test that committed (the deployed definitions stay).
CASE_TABLES = ("notice_deliveries", "notices", "timers", "human_tasks", "audit_events",
               "process_instances", "cases", "case_number_counters", "web_sessions", "users",
               "process_drafts", "sign_in_failures", "saved_filters", "persons",
               "person_relations", "plans", "plan_goals", "plan_measures",
               "plan_participants", "consents", "plan_coordinators", "plan_meetings",
               "plan_action_items", "plan_versions", "access_overrides", "unit_members",
               "letters", "letter_recipients", "absences")
#: The unit the migration makes (SAMFLYT_DEFAULT_UNIT); the others a test made are removed.
DEFAULT_UNIT = "forvaltningskontoret"

#: The trigger that refuses TRUNCATE on the append-only audit trail (migration 0010), on
#: audit_events and, partitioned (migration 0017), on each of its partitions.
AUDIT_TRUNCATE_TRIGGER = "audit_events_no_truncate"


def empty_case_tables(db_engine) -> None:
    """PostgreSQL: remove what committing tests left behind. The id sequences go on (the
    engine keeps blocks of ids reserved from them: engine/db/fastpath/driver.py). The audit
    trail refuses TRUNCATE, so its triggers (the parent's and every partition's) are switched
    off for this one transaction."""
    with db_engine.begin() as conn:
        guarded = conn.scalars(text(
            "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE t.tgname = :name"), {"name": AUDIT_TRUNCATE_TRIGGER}).all()
        for table in guarded:
            conn.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER {AUDIT_TRUNCATE_TRIGGER}"))
        conn.execute(text(f"TRUNCATE {', '.join(CASE_TABLES)} CASCADE"))
        conn.execute(text("DELETE FROM units WHERE key <> :key"), {"key": DEFAULT_UNIT})
        for table in guarded:
            conn.execute(text(f"ALTER TABLE {table} ENABLE TRIGGER {AUDIT_TRUNCATE_TRIGGER}"))


def count_statements(ctx, fn) -> int:
    """How many SQL statements `fn()` sends on the context's connection (what was pending is
    flushed first, so it is not counted)."""
    from sqlalchemy import event
    ctx.session.flush()
    seen: list[str] = []

    def count(conn, cursor, statement, *args):
        seen.append(statement)
    connection = ctx.session.connection()
    event.listen(connection, "before_cursor_execute", count)
    try:
        fn()
    finally:
        event.remove(connection, "before_cursor_execute", count)
    return len(seen)
