"""Notifications: an event is recorded once per occurrence, not once per edition, so an
edition that fails again after a resume is notified again. `occurred_at` is the edition's
updated_at when it ended (its scheduled time for "retrying"); rows already recorded get
exactly that value, so nothing already told is told again after the upgrade.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from composer.store.models import UTCDateTime

revision = "0007"
down_revision: str | None = "0006"

_BACKFILL = """
UPDATE notifications SET occurred_at = (
    SELECT CASE WHEN notifications.event = 'retrying' THEN editions.scheduled_at
                ELSE editions.updated_at END
    FROM editions WHERE editions.id = notifications.edition_id
) WHERE edition_id IS NOT NULL
"""


def upgrade() -> None:
    op.add_column("notifications", sa.Column("occurred_at", UTCDateTime(), nullable=True))
    op.execute(_BACKFILL)
    op.drop_index("uq_notifications_edition_event", table_name="notifications")
    op.create_index(
        "uq_notifications_occurrence",
        "notifications",
        ["edition_id", "event", "occurred_at"],
        unique=True,
    )


def downgrade() -> None:
    op.drop_index("uq_notifications_occurrence", table_name="notifications")
    # Keep one row per (edition, event), the newest, so the old unique index can return.
    op.execute(
        "DELETE FROM notifications WHERE edition_id IS NOT NULL AND id NOT IN ("
        "SELECT MAX(id) FROM notifications WHERE edition_id IS NOT NULL "
        "GROUP BY edition_id, event)"
    )
    op.create_index(
        "uq_notifications_edition_event", "notifications", ["edition_id", "event"], unique=True
    )
    with op.batch_alter_table("notifications") as batch:
        batch.drop_column("occurred_at")
