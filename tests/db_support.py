"""Database helpers shared by the test packages."""
from __future__ import annotations

from sqlalchemy import text

#: Tables emptied after a test that committed (the deployed definitions stay).
CASE_TABLES = ("notice_deliveries", "notices", "timers", "human_tasks", "audit_events",
               "process_instances", "cases", "case_number_counters", "users", "process_drafts",
               "sign_in_failures", "saved_filters")


def empty_case_tables(db_engine) -> None:
    """PostgreSQL: remove what committing tests left behind. The id sequences go on (the
    engine keeps blocks of ids reserved from them: engine/db/fastpath/driver.py)."""
    with db_engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {', '.join(CASE_TABLES)} CASCADE"))
