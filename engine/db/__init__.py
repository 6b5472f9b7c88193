"""The database: ORM models, the schema and its Alembic migrations, the connection set-up,
and the fast path (`engine.db.fastpath`) that the workflow step and the sweep use.

Owns: `models`, `schema`, `database`, `alembic/`, `fastpath/`. May import `engine.core`.
"""
