"""Each post's link card (Bluesky's external embed): the link, title, description and the
picture as fetched when the edition was written, so a resume sends the same card.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from composer.store.migrations.columns import owned_by, row_id

revision = "0008"
down_revision: str | None = "0007"


def upgrade() -> None:
    op.create_table(
        "post_cards",
        row_id(),
        owned_by("post_id", "posts"),
        sa.Column("uri", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("thumb", sa.LargeBinary(), nullable=True),
        sa.Column("thumb_mime", sa.String(length=32), nullable=True),
        sa.UniqueConstraint("post_id", name="uq_post_cards_post"),
    )


def downgrade() -> None:
    op.drop_table("post_cards")
