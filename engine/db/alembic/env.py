"""Alembic environment. The connection comes from `engine.schema.upgrade` (config
attribute "connection") or from SAMFLYT_DATABASE_URL when run as `alembic`."""
from alembic import context

from engine.db.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        from engine.core.settings import Settings
        from engine.db.database import make_db_engine
        engine = make_db_engine(Settings.from_env().database_url)
        with engine.begin() as connection:
            _run(connection)
    else:
        _run(connection)


def _run(connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata,
                      render_as_batch=connection.dialect.name == "sqlite")
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
