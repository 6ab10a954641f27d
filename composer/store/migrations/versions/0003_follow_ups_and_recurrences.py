"""Follow-ups to a published thread, and drafts published on a recurring rule.

An edition may continue an earlier one (`follows_edition_id`, with the number its first post
carries when the numbering continues), and may be one occurrence of a `recurrences` rule; a
unique index on (recurrence_id, scheduled_at) keeps two daemons from making one occurrence
twice.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from composer.store.migrations.columns import row_id
from composer.store.models import UTCDateTime

revision = "0003"
down_revision: str | None = "0002"


def upgrade() -> None:
    op.create_table(
        "recurrences",
        row_id(),
        sa.Column("draft_path", sa.Text(), nullable=False),
        sa.Column("account", sa.String(length=200), nullable=False),
        sa.Column("rule", sa.String(length=200), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("next_at", UTCDateTime(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_recurrences_account", "recurrences", ["account"])
    op.create_index("ix_recurrences_next_at", "recurrences", ["next_at"])
    # Plain ADD COLUMNs: a batch copy would drop and recreate editions, which posts
    # reference. SQLite takes REFERENCES in ADD COLUMN, which Alembic will not emit there.
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "ALTER TABLE editions ADD COLUMN follows_edition_id INTEGER REFERENCES editions (id)"
        )
        op.execute(
            "ALTER TABLE editions ADD COLUMN recurrence_id INTEGER REFERENCES recurrences (id)"
        )
    else:
        op.add_column(
            "editions",
            sa.Column("follows_edition_id", sa.Integer(), sa.ForeignKey("editions.id")),
        )
        op.add_column(
            "editions",
            sa.Column("recurrence_id", sa.Integer(), sa.ForeignKey("recurrences.id")),
        )
    op.add_column("editions", sa.Column("numbering_start", sa.Integer(), nullable=True))
    op.create_index("ix_editions_recurrence_id", "editions", ["recurrence_id"])
    op.create_index(
        "uq_editions_recurrence_occurrence",
        "editions",
        ["recurrence_id", "scheduled_at"],
        unique=True,
    )


def downgrade() -> None:
    op.drop_index("uq_editions_recurrence_occurrence", table_name="editions")
    op.drop_index("ix_editions_recurrence_id", table_name="editions")
    op.drop_column("editions", "numbering_start")
    with op.batch_alter_table("editions") as batch:
        batch.drop_column("recurrence_id")
        batch.drop_column("follows_edition_id")
    op.drop_index("ix_recurrences_next_at", table_name="recurrences")
    op.drop_index("ix_recurrences_account", table_name="recurrences")
    op.drop_table("recurrences")
