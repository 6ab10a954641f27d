"""Retracted threads: the post status `retracted` (with `posts.retracted_at`, when it was
deleted on its platform) and the edition statuses `retracting` and `retracted`.

The statuses are stored as short strings with a CHECK, so the CHECKs change. PostgreSQL
alters them in place. SQLite can only copy a table to change its CHECK, and copying drops
the old table: with foreign keys on (and they cannot be turned off inside the migration's
transaction), dropping `editions` and `posts` deletes the rows that belong to them
(posts, attempts, images, notifications: ON DELETE CASCADE). So on SQLite those rows are
kept aside in temporary tables (and deleted) first and put back after, with the FTS
triggers that the copy of `posts` dropped, and the FTS index rebuilt. One transaction:
all or nothing.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from composer.store.migrations import FTS_TABLE, POSTS_FTS_TRIGGERS
from composer.store.migrations.columns import (
    EDITION_STATUSES_0001,
    POST_STATUSES_0001,
    status_enum,
)
from composer.store.models import UTCDateTime

revision = "0009"
down_revision: str | None = "0008"

# Frozen: 0001's statuses, and what this revision adds.
EDITION_STATUSES = EDITION_STATUSES_0001
POST_STATUSES = POST_STATUSES_0001
NEW_EDITION_STATUSES = (*EDITION_STATUSES, "retracting", "retracted")
NEW_POST_STATUSES = (*POST_STATUSES, "retracted")
# The tables copied, parents first; the rows of every table that refers to an edition
# (found by `_owned`) are kept aside while they are copied.
COPIED = ("editions", "posts")


def upgrade() -> None:
    _change(NEW_EDITION_STATUSES, NEW_POST_STATUSES, add_column=True)


def downgrade() -> None:
    # Retracted rows cannot be stored under the old CHECKs: they become what they were
    # before (sent posts; editions that had been published).
    op.execute("UPDATE posts SET status = 'sent' WHERE status = 'retracted'")
    op.execute(
        "UPDATE editions SET status = 'published', claimed_by = NULL, claimed_until = NULL "
        "WHERE status IN ('retracting', 'retracted')"
    )
    _change(EDITION_STATUSES, POST_STATUSES, add_column=False)


def _change(editions: tuple[str, ...], posts: tuple[str, ...], *, add_column: bool) -> None:
    old_editions = EDITION_STATUSES if add_column else NEW_EDITION_STATUSES
    old_posts = POST_STATUSES if add_column else NEW_POST_STATUSES
    sqlite = op.get_bind().dialect.name == "sqlite"
    kept = _keep_aside() if sqlite else []
    changes = (
        ("editions", "edition_status", old_editions, editions),
        ("posts", "post_status", old_posts, posts),
    )
    for table, name, before, after in changes:
        with op.batch_alter_table(table, recreate="auto") as batch:
            batch.alter_column(
                "status",
                existing_type=status_enum(before, name),
                type_=status_enum(after, name),
                existing_nullable=False,
            )
            if table == "posts" and add_column:
                batch.add_column(sa.Column("retracted_at", UTCDateTime(), nullable=True))
            elif table == "posts":
                batch.drop_column("retracted_at")
    if sqlite:
        _put_back(kept)


def _keep_aside() -> list[tuple[str, list[str]]]:
    """Each owned table's rows copied to a temporary table; (table, its columns)."""
    bind = op.get_bind()
    owned = _owned()
    kept: list[tuple[str, list[str]]] = []
    for table in owned:
        columns = [column["name"] for column in sa.inspect(bind).get_columns(table)]
        op.execute(f"CREATE TEMP TABLE kept_{table} AS SELECT * FROM {table}")
        kept.append((table, columns))
    # Emptied here, children first, so that no DROP TABLE of the copies cascades (SQLite
    # refuses a DROP whose cascade writes to the FTS index: "database table is locked").
    for table in reversed(owned):
        op.execute(f"DELETE FROM {table}")
    return kept


def _owned() -> list[str]:
    """The tables whose rows refer to an edition, directly or through another such table
    (posts, attempts, post_media, notifications, and whatever a revision before this one
    added), each after the tables it refers to."""
    inspector = sa.inspect(op.get_bind())
    names = inspector.get_table_names()
    tables = [t for t in names if t not in (COPIED[0], "alembic_version")]
    refers = {t: {key["referred_table"] for key in inspector.get_foreign_keys(t)} for t in tables}
    owned: list[str] = []
    reached = {COPIED[0]}
    while grown := [t for t in tables if t not in reached and refers[t] & reached]:
        waiting = set(tables) - reached
        ready = [t for t in grown if not (refers[t] - {t}) & waiting - {t}]
        for table in ready or grown:  # none ready: a cycle; take them as they come
            owned.append(table)
            reached.add(table)
    return owned


def _put_back(kept: list[tuple[str, list[str]]]) -> None:
    bind = op.get_bind()
    fts = FTS_TABLE in sa.inspect(bind).get_table_names()
    if fts:  # the copy of posts dropped them (and put back, the rows are indexed below)
        for trigger in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS posts_fts_after_{trigger}")
    for table, columns in kept:
        now = {column["name"] for column in sa.inspect(bind).get_columns(table)}
        names = ", ".join(column for column in columns if column in now)
        op.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM kept_{table}")
        op.execute(f"DROP TABLE kept_{table}")
    if fts:
        for trigger in POSTS_FTS_TRIGGERS:
            op.execute(trigger)
        op.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')")
