"""Each post's images: source, alt text, and the platform's reference once uploaded.

The reference is written before the post is created, so a resumed edition never uploads
an image again for the same post, and never creates the post without it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from composer.store.migrations.columns import owned_by, row_id
from composer.store.models import UTCDateTime

revision = "0005"
down_revision: str | None = "0004"


def upgrade() -> None:
    op.create_table(
        "post_media",
        row_id(),
        owned_by("post_id", "posts"),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("source_path", sa.Text(), nullable=False),
        sa.Column("alt", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("width", sa.Integer(), nullable=True),
        sa.Column("height", sa.Integer(), nullable=True),
        sa.Column("remote_ref", sa.Text(), nullable=True),
        sa.Column("uploaded_at", UTCDateTime(), nullable=True),
        sa.UniqueConstraint("post_id", "position", name="uq_post_media_position"),
    )
    op.create_index("ix_post_media_post_id", "post_media", ["post_id"])


def downgrade() -> None:
    op.drop_index("ix_post_media_post_id", table_name="post_media")
    op.drop_table("post_media")
