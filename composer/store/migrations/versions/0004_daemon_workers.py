"""Daemon heartbeats: one row per daemon process, written when it starts and as it runs.

`queue`, the queue screen and the schedule dialog read the newest `seen_at` to say when no
daemon has run for a while (scheduled threads would not be sent).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from composer.store.models import UTCDateTime

revision = "0004"
down_revision: str | None = "0003"


def upgrade() -> None:
    op.create_table(
        "daemon_workers",
        sa.Column("worker", sa.String(length=200), primary_key=True),
        sa.Column("host", sa.String(length=200), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("seen_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_daemon_workers_seen_at", "daemon_workers", ["seen_at"])


def downgrade() -> None:
    op.drop_index("ix_daemon_workers_seen_at", table_name="daemon_workers")
    op.drop_table("daemon_workers")
