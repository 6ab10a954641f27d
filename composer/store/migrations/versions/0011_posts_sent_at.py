"""History without a query, newest first, over every post that went out: an index on when
each post was sent. The (status, sent_at) index served it while one status meant "went
out"; since retracted posts count too (0009), two statuses cannot walk it in order and a
million posts were sorted on every call.
"""

from __future__ import annotations

from alembic import op

revision = "0011"
down_revision: str | None = "0010"


def upgrade() -> None:
    op.create_index("ix_posts_sent_at", "posts", ["sent_at"])


def downgrade() -> None:
    op.drop_index("ix_posts_sent_at", table_name="posts")
