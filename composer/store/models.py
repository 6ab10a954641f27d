"""The history tables: threads, their editions (one per account), the post ledger, attempts.

Every timestamp is a timezone-aware datetime in UTC. SQLite has no time zones, so
`UTCDateTime` stores naive UTC text there and hands back aware datetimes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlmodel import Field, SQLModel

from composer.store.statuses import AttemptOutcome, EditionStatus, PostStatus, utc_now


class UTCDateTime(sa.types.TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out; naive input is refused, not guessed."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value.isoformat()} given; pass an aware one")
        value = value.astimezone(UTC)
        # SQLite would drop the offset anyway; naive UTC keeps the text sortable.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def is_one_of(column: Any, statuses: Iterable[StrEnum]) -> sa.ColumnElement[bool]:
    """SQL: `column` holds one of `statuses`, compared one by one: a statement built once
    keeps its SQL, where an IN list is rendered again at every execution (the publisher's
    writes run thousands of times a minute)."""
    return sa.or_(*(column == status.value for status in statuses))


def _status_type(enum: type[StrEnum], name: str) -> sa.Enum:
    # Stored as short strings with a CHECK (no native enum), the same on SQLite and Postgres.
    return sa.Enum(
        enum,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=16,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


def _owned_by(parent_table: str, *, index: bool = True) -> Any:
    """A required reference to the row this one belongs to: deleting the parent deletes it."""
    return Field(
        sa_column=sa.Column(
            sa.Integer,
            sa.ForeignKey(f"{parent_table}.id", ondelete="CASCADE"),
            nullable=False,
            index=index,
        )
    )


def idempotency_key(edition_id: int, edition_created_at: datetime, position: int) -> str:
    """The key a post is sent with, the same on every retry of that post.

    The edition's creation time is part of it so that a fresh database, which numbers its
    editions from 1 again, never reuses a key a platform still remembers (Mastodon: 1 hour).
    """
    created = edition_created_at.astimezone(UTC).isoformat(timespec="microseconds")
    material = f"thread-composer/edition/{edition_id}/{created}/post/{position}"
    return hashlib.sha256(material.encode()).hexdigest()


class DraftSnapshot(SQLModel, table=True):
    __tablename__ = "threads"

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(sa_type=sa.Text)
    draft_path: str | None = Field(default=None, sa_type=sa.Text)
    body: str = Field(sa_type=sa.Text)
    language: str | None = Field(default=None, max_length=35)
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


class Edition(SQLModel, table=True):
    __tablename__ = "editions"
    __table_args__ = (
        # The daemon's due query: scheduled editions by time.
        sa.Index("ix_editions_status_scheduled_at", "status", "scheduled_at"),
        # Two daemons turning the same occurrence of a rule into an edition: one wins.
        sa.Index("uq_editions_recurrence_occurrence", "recurrence_id", "scheduled_at", unique=True),
    )

    id: int | None = Field(default=None, primary_key=True)
    thread_id: int = _owned_by("threads")
    account: str = Field(max_length=200, index=True)
    platform: str = Field(max_length=32)
    status: EditionStatus = Field(
        default=EditionStatus.DRAFT, sa_type=_status_type(EditionStatus, "edition_status")
    )
    scheduled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    timezone: str | None = Field(default=None, max_length=64)
    claimed_by: str | None = Field(default=None, max_length=200)
    claimed_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_error: str | None = Field(default=None, sa_type=sa.Text)
    # A follow-up continues an earlier edition's thread: its first post replies to that
    # edition's last post. `numbering_start` is the number its first post carries when the
    # numbering continues (8 after a thread of 7), None when it is marked as an update.
    follows_edition_id: int | None = Field(
        default=None,
        sa_column=sa.Column(sa.Integer, sa.ForeignKey("editions.id"), nullable=True),
    )
    numbering_start: int | None = Field(default=None)
    # An occurrence of a recurring rule: one edition per rule and time, never two.
    recurrence_id: int | None = Field(
        default=None,
        sa_column=sa.Column(
            sa.Integer,
            sa.ForeignKey("recurrences.id"),
            nullable=True,
            index=True,
        ),
    )
    # The publishing options it is sent with (composer.text.options.PostOptions, as JSON;
    # None: the platforms' defaults), fixed when it is made, so every run sends the same.
    options: str | None = Field(default=None, sa_type=sa.Text)
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


class Recurrence(SQLModel, table=True):
    """A draft published on a cron-like rule: each occurrence becomes its own edition,
    composed from the draft file as it is when the occurrence is due."""

    __tablename__ = "recurrences"

    id: int | None = Field(default=None, primary_key=True)
    draft_path: str = Field(sa_type=sa.Text)
    account: str = Field(max_length=200, index=True)
    rule: str = Field(max_length=200, description="cron fields: minute hour day month weekday")
    timezone: str = Field(max_length=64)
    # The next occurrence not yet turned into an edition (UTC); None once the rule is stopped.
    next_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    active: bool = Field(default=True)
    last_error: str | None = Field(default=None, sa_type=sa.Text)
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


class DaemonWorker(SQLModel, table=True):
    """A daemon process, seen at its start and (at most every few seconds) at its rounds:
    how `queue` knows whether scheduled threads will be sent at all."""

    __tablename__ = "daemon_workers"

    worker: str = Field(primary_key=True, max_length=200)  # "host:pid", as it claims with
    host: str = Field(max_length=200)
    pid: int
    started_at: datetime = Field(sa_type=UTCDateTime)
    seen_at: datetime = Field(sa_type=UTCDateTime, index=True)


class PostRecord(SQLModel, table=True):
    __tablename__ = "posts"
    __table_args__ = (
        sa.UniqueConstraint("edition_id", "position", name="uq_posts_edition_position"),
        sa.Index("ix_posts_status_sent_at", "status", "sent_at"),
        # History without a query: the newest posts that went out (sent or retracted).
        sa.Index("ix_posts_sent_at", "sent_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    edition_id: int = _owned_by("editions", index=False)  # uq_posts_edition_position indexes it
    position: int = Field(description="1-based index of the post in its thread")
    text: str = Field(sa_type=sa.Text)
    status: PostStatus = Field(
        default=PostStatus.PENDING, sa_type=_status_type(PostStatus, "post_status")
    )
    idempotency_key: str = Field(max_length=64, unique=True, index=True)
    remote_id: str | None = Field(default=None, sa_type=sa.Text)
    remote_uri: str | None = Field(default=None, sa_type=sa.Text)
    remote_cid: str | None = Field(default=None, sa_type=sa.Text)
    remote_url: str | None = Field(default=None, sa_type=sa.Text)
    # A container made before publishing (Threads), so a resumed run can check its status.
    remote_container: str | None = Field(default=None, sa_type=sa.Text)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    retracted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


class PostMedia(SQLModel, table=True):
    """One image of a post: its source as the draft named it, written with the edition; the
    platform's reference for it once uploaded, written before the post is created."""

    __tablename__ = "post_media"
    __table_args__ = (sa.UniqueConstraint("post_id", "position", name="uq_post_media_position"),)

    id: int | None = Field(default=None, primary_key=True)
    post_id: int = _owned_by("posts")
    position: int = Field(description="1-based order of the image in its post")
    source_path: str = Field(sa_type=sa.Text)
    alt: str = Field(default="", sa_type=sa.Text)
    # Set together at upload: the prepared bytes' sha256 and upright size, and the
    # platform's reference (a Mastodon/X media id, a Bluesky blob ref as JSON).
    sha256: str | None = Field(default=None, max_length=64)
    width: int | None = Field(default=None)
    height: int | None = Field(default=None)
    remote_ref: str | None = Field(default=None, sa_type=sa.Text)
    uploaded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class PostCard(SQLModel, table=True):
    """A post's link card (Bluesky's external embed), written with the edition: the link,
    the page's title and description and its picture as fetched then, so a resumed or
    scheduled post sends the card the author saw, never a page fetched again."""

    __tablename__ = "post_cards"
    __table_args__ = (sa.UniqueConstraint("post_id", name="uq_post_cards_post"),)

    id: int | None = Field(default=None, primary_key=True)
    post_id: int = _owned_by("posts", index=False)  # uq_post_cards_post indexes it
    uri: str = Field(sa_type=sa.Text)
    title: str = Field(sa_type=sa.Text)
    description: str = Field(sa_type=sa.Text)
    thumb: bytes | None = Field(default=None, sa_type=sa.LargeBinary)  # within the blob limit
    thumb_mime: str | None = Field(default=None, max_length=32)


class Attempt(SQLModel, table=True):
    __tablename__ = "attempts"

    id: int | None = Field(default=None, primary_key=True)
    post_id: int = _owned_by("posts")
    started_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    outcome: AttemptOutcome = Field(sa_type=_status_type(AttemptOutcome, "attempt_outcome"))
    http_status: int | None = Field(default=None)
    error: str | None = Field(default=None, sa_type=sa.Text)


metadata = SQLModel.metadata


class Notification(SQLModel, table=True):
    """One event a person is told about (`composer.notify`): recorded once per edition,
    event and occurrence (the unique index: two daemons record it once; `occurred_at` tells
    a second failure after a resume from the first), delivered by whichever process takes it
    first (`next_attempt_at` moved on as it takes it), retried with backoff. `edition_id` is
    None for an event about no edition (`check`: no daemon seen)."""

    __tablename__ = "notifications"
    __table_args__ = (
        sa.Index("uq_notifications_occurrence", "edition_id", "event", "occurred_at", unique=True),
        sa.Index("ix_notifications_pending", "delivered_at", "next_attempt_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    edition_id: int | None = Field(
        default=None,
        sa_column=sa.Column(
            sa.Integer, sa.ForeignKey("editions.id", ondelete="CASCADE"), nullable=True
        ),
    )
    event: str = Field(max_length=16)
    # When the edition came to this event: the time it ended (its updated_at then), or its
    # scheduled time for "retrying". None for edition-less events.
    occurred_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    detail: str | None = Field(default=None, sa_type=sa.Text)  # redacted; for edition-less events
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    next_attempt_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    attempts: int = Field(default=0)
    delivered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_error: str | None = Field(default=None, sa_type=sa.Text)  # redacted
    # The targets that took it (short hashes of their URLs, space-separated): a retry goes
    # to the others only, so a target that works never gets the message twice.
    delivered_to: str = Field(default="", sa_type=sa.Text)
