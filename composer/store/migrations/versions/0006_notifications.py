"""Notifications: each event a person is told about (an edition failed, missed, stopped,
late), recorded once per edition and event, with its delivery attempts.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from composer.store.migrations.columns import optionally_owned_by, row_id
from composer.store.models import UTCDateTime

revision = "0006"
down_revision: str | None = "0005"


def upgrade() -> None:
    op.create_table(
        "notifications",
        row_id(),
        optionally_owned_by("edition_id", "editions"),
        sa.Column("event", sa.String(length=16), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("next_attempt_at", UTCDateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("delivered_at", UTCDateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("delivered_to", sa.Text(), nullable=False),
    )
    op.create_index(
        "uq_notifications_edition_event", "notifications", ["edition_id", "event"], unique=True
    )
    op.create_index(
        "ix_notifications_pending", "notifications", ["delivered_at", "next_attempt_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_notifications_pending", table_name="notifications")
    op.drop_index("uq_notifications_edition_event", table_name="notifications")
    op.drop_table("notifications")
