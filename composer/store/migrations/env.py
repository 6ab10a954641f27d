"""Alembic environment: always run online, on the connection `upgrade()` hands over."""

from __future__ import annotations

from alembic import context

from composer.store.migrations import include_name
from composer.store.models import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through composer.store.upgrade(), not the alembic CLI")

context.configure(
    connection=connection,
    target_metadata=metadata,
    include_name=include_name,
    render_as_batch=True,  # SQLite can alter tables only by copying them
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
