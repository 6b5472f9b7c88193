"""The storage of the audit trail (the table `audit_events`, written by engine/cases/audit.py):
how it is laid out, how long it is kept, and the one query the person's read log needs.

On PostgreSQL the table is partitioned by month on `at` (migration 0017): one partition per
calendar month (UTC), named `audit_events_YYYY_MM`, and a DEFAULT partition so that no event
is ever refused. Rows are never updated or deleted (the append-only triggers refuse it, on
the parent and on every partition); what leaves the database is a whole month older than the
retention (SAMFLYT_AUDIT_RETENTION_MONTHS), written to a compressed archive file with a
manifest first. On SQLite (the embedded demo) the table is a plain table.

Owns: `partitions` (creating the month partitions ahead of time, listing them), `retention`
(the retention and the archive of old months), `read_log` (one person's reads in a period).
docs/audit.md describes all three. May import `core` and `db`.
"""
