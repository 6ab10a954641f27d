"""The publishing ledger and the history search, as small typed functions over a Database.

Callers pass account names only; nothing here ever receives a credential, and every error
text is passed through `redact` before it is stored.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Concatenate, NoReturn, ParamSpec, Protocol, TypeVar

import sqlalchemy as sa
from sqlmodel import Session, SQLModel, col

from composer.store.cards import add_post_cards
from composer.store.database import Database, existing
from composer.store.driver import LedgerConnection
from composer.store.editions import LedgerPost, posts_in_thread_order
from composer.store.errors import StoreError, redact
from composer.store.media import NewMedia, add_post_media
from composer.store.models import (
    Attempt,
    DraftSnapshot,
    Edition,
    PostRecord,
    UTCDateTime,
    idempotency_key,
    is_one_of,
)
from composer.store.statuses import (
    ENDED,
    WENT_OUT,
    AttemptOutcome,
    EditionStatus,
    PostStatus,
    utc_now,
)
from composer.text.link_cards import LinkCard
from composer.text.options import NO_OPTIONS, PostOptions

P = ParamSpec("P")
R = TypeVar("R")


class ClaimRenewal(Protocol):
    """What marking a post sending needs of a claim (claims.Holder is one): the ledger sits
    below the claims, which read it, so it names no claim type of its own."""

    def renew_on(
        self, connection: LedgerConnection, edition_id: int, *, touched: datetime | None = None
    ) -> None: ...


@dataclass(frozen=True, slots=True)
class DraftText:
    """A draft's text as each new edition keeps its own copy of it (a DraftSnapshot's
    fields)."""

    title: str
    body: str
    draft_path: str | None = None
    language: str | None = None


def add_draft_snapshot(session: Session, text: DraftText) -> DraftSnapshot:
    """Snapshot a draft's text as it was when it was scheduled or published, inside the
    caller's transaction (the snapshot gets its id at once)."""
    snapshot = DraftSnapshot(
        title=text.title, body=text.body, draft_path=text.draft_path, language=text.language
    )
    session.add(snapshot)
    session.flush()
    return snapshot


def snapshot_id(session: Session, text: DraftText) -> int:
    """`text` snapshotted in the caller's transaction for the edition about to be added in
    it (every new edition has its own snapshot); the snapshot's id for `add_edition`."""
    snapshot = add_draft_snapshot(session, text)
    assert snapshot.id is not None  # flushed by add_draft_snapshot
    return snapshot.id


@dataclass(frozen=True, slots=True)
class NewEdition:
    """One edition as the ledger is given it: where it goes, its posts (each with its
    images), when, and the publishing options it is sent with. Adding what an edition
    keeps is one field here."""

    account: str
    platform: str
    posts: Sequence[str]
    scheduled_at: datetime | None = None
    timezone: str | None = None
    status: EditionStatus | None = None
    # A follow-up names the edition it continues (and the number of its first post when the
    # numbering continues), an occurrence its rule.
    follows_edition_id: int | None = None
    numbering_start: int | None = None
    recurrence_id: int | None = None
    last_error: str | None = None
    media: Sequence[Sequence[NewMedia]] = ()
    options: PostOptions = NO_OPTIONS
    cards: Sequence[LinkCard | None] = ()  # each post's link card, when it has any


def add_edition(session: Session, thread_id: int, new: NewEdition) -> Edition:
    """`new`, of the draft snapshot `thread_id`, with one pending ledger row per post,
    inside the caller's transaction, before any send."""
    status = new.status
    if status is None:
        status = EditionStatus.SCHEDULED if new.scheduled_at else EditionStatus.DRAFT
    if not new.posts and status not in ENDED:  # only one that will never be sent may have none
        raise StoreError("an edition needs at least one post")
    edition = Edition(
        thread_id=thread_id,
        account=new.account,
        platform=new.platform,
        status=status,
        scheduled_at=new.scheduled_at,
        timezone=new.timezone,
        follows_edition_id=new.follows_edition_id,
        numbering_start=new.numbering_start,
        recurrence_id=new.recurrence_id,
        last_error=None if new.last_error is None else redact(new.last_error),
        options=new.options.to_json() if new.options.given() else None,
    )
    session.add(edition)
    session.flush()  # the edition id goes into every idempotency key; unique indexes fire
    edition_id = _id(edition)
    rows = [
        PostRecord(
            edition_id=edition_id,
            position=position,
            text=text,
            idempotency_key=idempotency_key(edition_id, edition.created_at, position),
        )
        for position, text in enumerate(new.posts, start=1)
    ]
    session.add_all(rows)
    add_post_media(session, rows, new.media)
    add_post_cards(session, rows, new.cards)
    return edition


class RecordedOptions(Protocol):
    """An edition as read, with its recorded options (an Edition, the publisher's
    EditionLedger)."""

    @property
    def options(self) -> str | None: ...


def edition_options(edition: RecordedOptions) -> PostOptions:
    """The publishing options an edition was recorded with (none for one from before
    options were kept): what it is sent with, on every run."""
    return PostOptions.from_json(edition.options)


def in_own_transaction(
    add: Callable[Concatenate[Session, P], R],
) -> Callable[Concatenate[Database, P], R]:
    """`add` (which writes inside the caller's session) as a function that opens its own
    transaction on a Database: one signature for both."""

    def run(db: Database, /, *args: P.args, **kwargs: P.kwargs) -> R:
        with db.session() as session:
            return add(session, *args, **kwargs)

    run.__doc__ = f"`{add.__name__}` in a transaction of its own.\n\n{add.__doc__}"
    return run


record_thread = in_own_transaction(add_draft_snapshot)


def create_edition(db: Database, thread_id: int, /, **fields: Any) -> Edition:
    """`add_edition` of `NewEdition(**fields)`, in a transaction of its own."""
    with db.session() as session:
        return add_edition(session, thread_id, NewEdition(**fields))


def edition_posts(db: Database, edition_id: int) -> list[LedgerPost]:
    """The ledger of one edition, in thread order."""
    with db.read_engine.connect() as connection:
        return posts_in_thread_order(connection, edition_id)


def set_post_status(db: Database, post_id: int, status: PostStatus) -> PostRecord:
    """Mark a post sending (before its request) or failed; `mark_post_sent` records success."""
    if status in WENT_OUT:
        raise StoreError("use mark_post_sent (or mark_post_retracted) for a post that went out")
    with db.session() as session:
        post = _post(session, post_id)
        if post.status in WENT_OUT:
            raise StoreError(f"post {post_id} was already sent; the ledger keeps it sent")
        post.status = status
        _touch_edition(session, post.edition_id)
    return post


# The publisher's two writes a post, as Core statements built once (an ORM session, and
# building a statement, cost far more CPU than SQLite's own work, and a daemon makes
# thousands of these a minute): one transaction marks the post sending before its request,
# one records it sent, with its attempt, after.
_posts = SQLModel.metadata.tables[PostRecord.__tablename__]
_editions = SQLModel.metadata.tables[Edition.__tablename__]
_attempts = SQLModel.metadata.tables[Attempt.__tablename__]
_previous = sa.alias(_posts, "previous")
_EDITION_OF_POST = sa.select(_posts.c.edition_id).where(_posts.c.id == sa.bindparam("post"))
_TOUCH_EDITION = (
    sa.update(_editions)
    .where(_editions.c.id == sa.bindparam("edition"))
    .values(updated_at=sa.bindparam("now", type_=UTCDateTime()))
)
_MARK_SENDING = (
    sa.update(_posts)
    .where(_posts.c.id == sa.bindparam("post"), sa.not_(is_one_of(_posts.c.status, WENT_OUT)))
    .values(status=PostStatus.SENDING.value)
    .returning(_posts.c.edition_id)
)
_MARK_SENT = (
    sa.update(_posts)
    .where(
        _posts.c.id == sa.bindparam("post"),
        sa.not_(is_one_of(_posts.c.status, WENT_OUT)),
        sa.or_(
            _posts.c.position == 1,
            sa.select(_previous.c.id)
            .where(
                _previous.c.edition_id == _posts.c.edition_id,
                _previous.c.position == _posts.c.position - 1,
                _previous.c.status == PostStatus.SENT.value,
            )
            .exists(),
        ),
    )
    .values(
        status=PostStatus.SENT.value,
        remote_id=sa.bindparam("remote_id"),
        remote_uri=sa.bindparam("remote_uri"),
        remote_cid=sa.bindparam("remote_cid"),
        remote_url=sa.bindparam("remote_url"),
        sent_at=sa.bindparam("sent_at", type_=UTCDateTime()),
    )
    .returning(_posts.c.edition_id)
)
_SENT_OR_NOT = sa.select(
    _posts.c.edition_id, _posts.c.position, _posts.c.status, _posts.c.remote_id
).where(_posts.c.id == sa.bindparam("post"))
_OK_ATTEMPT = sa.insert(_attempts).values(
    post_id=sa.bindparam("post"),
    outcome=AttemptOutcome.OK.value,
    started_at=sa.bindparam("started", type_=UTCDateTime()),
    finished_at=sa.bindparam("now", type_=UTCDateTime()),
)


def mark_post_sending(db: Database, post_id: int, *, holder: ClaimRenewal | None = None) -> None:
    """Mark a post sending before its request (committed when this returns).

    With `holder`, the same transaction renews the holder's claim on the edition, and
    nothing is written if the claim was lost (ClaimLost): only the daemon that holds an
    edition marks its posts sending.
    """
    now = utc_now()
    with db.transaction() as connection:
        # Two statements: the post marked (its edition returned), then the claim renewed
        # and the edition touched in one UPDATE; a lost claim rolls the mark back.
        edition = connection.execute(_MARK_SENDING, {"post": post_id}).scalar_one_or_none()
        if edition is None:
            _refuse_sending(connection, post_id, holder)
        elif holder is not None:
            holder.renew_on(connection, edition, touched=now)
        else:
            connection.execute(_TOUCH_EDITION, {"edition": edition, "now": now})


def _refuse_sending(
    connection: LedgerConnection, post_id: int, holder: ClaimRenewal | None
) -> NoReturn:
    """Why _MARK_SENDING changed nothing: no such post, or it went out already; a lost claim
    (ClaimLost) is said first, as it always was."""
    edition = connection.execute(_EDITION_OF_POST, {"post": post_id}).scalar_one_or_none()
    if edition is None:
        raise StoreError(f"no post {post_id}")
    if holder is not None:
        holder.renew_on(connection, edition)
    raise StoreError(f"post {post_id} was already sent; the ledger keeps it sent")


def mark_post_sent(
    db: Database,
    post_id: int,
    *,
    remote_id: str,
    remote_uri: str | None = None,
    remote_cid: str | None = None,
    remote_url: str | None = None,
    sent_at: datetime | None = None,
    attempt_started_at: datetime | None = None,
) -> None:
    """Commit a post's remote identity and, with `attempt_started_at`, the successful
    attempt's log, in one transaction; the next post may be sent only after this returns.

    The one rule for a sent post: it is sent once, as one remote id (a replayed confirmation
    of that same id is accepted), and never before the post above it. Anything else is a
    StoreError that says which, and nothing is written.
    """
    now = utc_now()
    values = {
        "post": post_id,
        "now": now,
        "sent_at": sent_at or now,
        "remote_id": remote_id,
        "remote_uri": remote_uri,
        "remote_cid": remote_cid,
        "remote_url": remote_url,
    }
    with db.transaction() as connection:
        edition = connection.execute(_MARK_SENT, values).scalar_one_or_none()
        if edition is None:
            _refuse_unsent(connection, post_id, remote_id)  # unless a replayed confirmation
        else:
            connection.execute(_TOUCH_EDITION, {"edition": edition, "now": now})
        if attempt_started_at is not None:
            connection.execute(
                _OK_ATTEMPT, {"post": post_id, "started": attempt_started_at, "now": now}
            )


def _refuse_unsent(connection: LedgerConnection, post_id: int, remote_id: str) -> None:
    """Why _MARK_SENT changed nothing, as a StoreError; nothing when the post was already
    sent as this very remote id (a replayed confirmation)."""
    post = connection.execute(_SENT_OR_NOT, {"post": post_id}).one_or_none()
    if post is None:
        raise StoreError(f"no post {post_id}")
    if post.status == PostStatus.SENT.value:
        if post.remote_id == remote_id:
            return
        raise StoreError(f"post {post_id} was already sent as {post.remote_id}")
    raise StoreError(
        f"post {post.position} of edition {post.edition_id} cannot be sent before "
        f"post {post.position - 1}"
    )


_MARK_RETRACTED = (
    sa.update(_posts)
    .where(_posts.c.id == sa.bindparam("post"), _posts.c.status == PostStatus.SENT.value)
    .values(
        status=PostStatus.RETRACTED.value,
        retracted_at=sa.bindparam("now", type_=UTCDateTime()),
    )
)


def mark_post_retracted(db: Database, post_id: int, *, holder: ClaimRenewal) -> bool:
    """Record that a sent post is gone from its platform (deleted by `retract`, or found
    gone), renewing `holder`'s claim in the same transaction (ClaimLost: nothing written).
    The ledger keeps the post's text, remote id and link. False when it was not a sent
    post (retracted already)."""
    now = utc_now()
    with db.engine.begin() as connection:
        edition = connection.execute(_EDITION_OF_POST, {"post": post_id}).scalar_one_or_none()
        if edition is None:
            raise StoreError(f"no post {post_id}")
        holder.renew_on(connection, edition)
        changed = connection.execute(_MARK_RETRACTED, {"post": post_id, "now": now}).rowcount
        connection.execute(_TOUCH_EDITION, {"edition": edition, "now": now})
    return changed == 1


def remember_container(db: Database, post_id: int, container: str) -> None:
    """Keep the container a platform made for a post, before the post is published from it."""
    with db.session() as session:
        post = _post(session, post_id)
        post.remote_container = container


def record_attempt(
    db: Database,
    post_id: int,
    *,
    outcome: AttemptOutcome,
    started_at: datetime,
    finished_at: datetime | None = None,
    http_status: int | None = None,
    error: str | None = None,
    secrets: Iterable[str] = (),
) -> Attempt:
    """Log one request for a post; the error text is redacted before it is stored."""
    attempt = Attempt(
        post_id=post_id,
        outcome=outcome,
        started_at=started_at,
        finished_at=finished_at or utc_now(),
        http_status=http_status,
        error=None if error is None else redact(error, secrets),
    )
    with db.session() as session:
        session.add(attempt)
    return attempt


_SET_EDITION_STATUS = (
    sa.update(_editions)
    .where(_editions.c.id == sa.bindparam("edition"))
    .values(
        status=sa.bindparam("status"),
        last_error=sa.bindparam("last_error"),
        updated_at=sa.bindparam("now", type_=UTCDateTime()),
    )
)


def set_edition_status(
    db: Database,
    edition_id: int,
    status: EditionStatus,
    *,
    last_error: str | None = None,
    secrets: Iterable[str] = (),
) -> None:
    """Move an edition to `status`, keeping a redacted reason when it stopped on an error."""
    with db.engine.begin() as connection:
        edition_status_on(connection, edition_id, status, last_error=last_error, secrets=secrets)


def edition_status_on(
    connection: LedgerConnection,
    edition_id: int,
    status: EditionStatus,
    *,
    last_error: str | None = None,
    secrets: Iterable[str] = (),
) -> None:
    """`set_edition_status` in the caller's transaction (one Core statement, built once)."""
    values = {
        "edition": edition_id,
        "status": status,
        "last_error": None if last_error is None else redact(last_error, secrets),
        "now": utc_now(),
    }
    if connection.execute(_SET_EDITION_STATUS, values).rowcount != 1:
        raise StoreError(f"no edition {edition_id}")


def _id(record: Edition | PostRecord | DraftSnapshot) -> int:
    if record.id is None:
        raise StoreError("record has no id before it is flushed")
    return record.id


def _post(session: Session, post_id: int) -> PostRecord:
    return existing(session, PostRecord, post_id, "post")


def _touch_edition(session: Session, edition_id: int) -> None:
    session.execute(
        sa.update(Edition).where(col(Edition.id) == edition_id).values(updated_at=utc_now())
    )
