"""Alembic environment: the engine comes from the caller (huikuan.db.migrate)."""

from __future__ import annotations

from alembic import context

from huikuan.db.all_models import Base

config = context.config
engine = config.attributes.get("engine")
if engine is None:  # `alembic` run by hand: use the configured database
    from huikuan.config import get_settings
    from huikuan.db import make_engine

    engine = make_engine(get_settings().resolved_database_url())

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
