"""Initial schema: threads, editions, the post ledger, attempts, and FTS5 over post texts."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from composer.store.migrations import POSTS_FTS_TRIGGERS
from composer.store.migrations.columns import (
    EDITION_STATUSES_0001,
    POST_STATUSES_0001,
    owned_by,
    row_id,
    status_enum,
)

revision = "0001"
down_revision: str | None = None

# Frozen copies of the model enums: later code may add values, this migration must not move.
EDITION_STATUSES = EDITION_STATUSES_0001
POST_STATUSES = POST_STATUSES_0001
ATTEMPT_OUTCOMES = ("ok", "error", "unclear")
_enum = status_enum


def _utc() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "threads",
        row_id(),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("draft_path", sa.Text(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("language", sa.String(length=35), nullable=True),
        sa.Column("created_at", _utc(), nullable=False),
    )
    op.create_table(
        "editions",
        row_id(),
        owned_by("thread_id", "threads"),
        sa.Column("account", sa.String(length=200), nullable=False),
        sa.Column("platform", sa.String(length=32), nullable=False),
        sa.Column("status", _enum(EDITION_STATUSES, "edition_status"), nullable=False),
        sa.Column("scheduled_at", _utc(), nullable=True),
        sa.Column("timezone", sa.String(length=64), nullable=True),
        sa.Column("claimed_by", sa.String(length=200), nullable=True),
        sa.Column("claimed_until", _utc(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("updated_at", _utc(), nullable=False),
    )
    op.create_index("ix_editions_thread_id", "editions", ["thread_id"])
    op.create_index("ix_editions_account", "editions", ["account"])
    op.create_index("ix_editions_status_scheduled_at", "editions", ["status", "scheduled_at"])
    op.create_table(
        "posts",
        row_id(),
        owned_by("edition_id", "editions"),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("status", _enum(POST_STATUSES, "post_status"), nullable=False),
        sa.Column("idempotency_key", sa.String(length=64), nullable=False),
        sa.Column("remote_id", sa.Text(), nullable=True),
        sa.Column("remote_uri", sa.Text(), nullable=True),
        sa.Column("remote_cid", sa.Text(), nullable=True),
        sa.Column("remote_url", sa.Text(), nullable=True),
        sa.Column("sent_at", _utc(), nullable=True),
        sa.Column("created_at", _utc(), nullable=False),
        sa.UniqueConstraint("edition_id", "position", name="uq_posts_edition_position"),
    )
    op.create_index("ix_posts_idempotency_key", "posts", ["idempotency_key"], unique=True)
    op.create_index("ix_posts_status_sent_at", "posts", ["status", "sent_at"])
    op.create_table(
        "attempts",
        row_id(),
        owned_by("post_id", "posts"),
        sa.Column("started_at", _utc(), nullable=False),
        sa.Column("finished_at", _utc(), nullable=True),
        sa.Column("outcome", _enum(ATTEMPT_OUTCOMES, "attempt_outcome"), nullable=False),
        sa.Column("http_status", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
    )
    op.create_index("ix_attempts_post_id", "attempts", ["post_id"])
    if op.get_bind().dialect.name == "sqlite":
        _create_posts_fts()


def _create_posts_fts() -> None:
    # An external-content index: the text lives once, in posts; triggers keep the index equal.
    op.execute(
        "CREATE VIRTUAL TABLE posts_fts USING fts5("
        "text, content='posts', content_rowid='id', "
        "tokenize='unicode61 remove_diacritics 2')"
    )
    for trigger in POSTS_FTS_TRIGGERS:
        op.execute(trigger)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS posts_fts_after_{trigger}")
        op.execute("DROP TABLE IF EXISTS posts_fts")
    op.drop_table("attempts")
    op.drop_table("posts")
    op.drop_table("editions")
    op.drop_table("threads")
