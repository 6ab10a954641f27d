"""Publish one thread edition to one account: never twice, never half.

The ledger (composer.store) holds a row per post, written before any request. A post is
marked `sending` (committed) before its request, and `sent` with its remote id (committed)
before the next post is sent, so a crash at any point leaves a ledger that says exactly where
to resume: the first post not sent, replying to the last one sent. A post found `sending` at
start, or a request with an unclear outcome, is resolved with the platform (`find_post`)
before it is ever sent again. A post's images are uploaded and recorded in the ledger
before the post is marked `sending` (composer.publishing.uploads), so it never goes out
without them and a resumed run never uploads them again. A post's link card is sent as
the ledger recorded it when the edition was written: no page is fetched here. Every front
end sends an edition only under its claim (composer.store.claims), so one process at a time
writes its ledger and sends its posts.

The hot path (a daemon's round sends thousands of posts a minute, and its CPU, not the
platforms, sets how long the round takes): a run's start and end are one transaction each
(`start_publishing`: the ledger, what it continues, marked publishing; `finish_publishing`:
marked published, the posts read back), and a post costs two (`mark_post_sending`,
`mark_post_sent`); all are SQLAlchemy Core statements built once, the posts read as frozen
`LedgerPost`s, with no ORM session on the way.
"""

from __future__ import annotations

import asyncio
import random
import threading
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from composer.platforms import errors
from composer.platforms.base import AttachedMedia, PlatformClient, PostRequest, PublishedPost
from composer.publishing.uploads import UploadStopped, attach_media, recorded_media
from composer.store import (
    AttemptOutcome,
    ClaimLost,
    Database,
    EditionStatus,
    Holder,
    LedgerPost,
    PostMedia,
    PostStatus,
    StoreError,
    edition_options,
    edition_posts,
    finish_publishing,
    ledger_step,
    mark_post_sending,
    mark_post_sent,
    record_attempt,
    remember_container,
    renew,
    set_edition_status,
    set_post_status,
    start_publishing,
)
from composer.text.display import plural
from composer.text.link_cards import LinkCard
from composer.text.options import PostOptions

MAX_ATTEMPTS = 8  # per post, before the edition stops (resumable)
BACKOFF_START = 1.0  # seconds, doubled per attempt, with jitter
BACKOFF_CAP = 60.0
LONGEST_WAIT = 15 * 60.0  # a rate limit resetting later than this stops the edition instead
UNCLEAR_SETTLE = 2.0  # let a platform finish what it may be doing before asking about it
# A post found `sending` when an edition is taken over: the request of the process that
# stopped may still be in the platform's hands (a slow write), and Mastodon's Idempotency-Key
# only protects requests that arrive after the first one's status exists. It is asked about
# only once this long has passed since it was marked, so a copy is never sent beside it.
SENDING_SETTLE = 10.0


@dataclass(frozen=True, slots=True)
class Event:
    """What the publisher tells a front end as it goes (for a progress display)."""

    kind: str  # "sending", "sent", "waiting", "resolving", "stopped", "done"
    index: int
    total: int
    url: str | None = None
    detail: str | None = None  # the platform's words or our own, to be escaped on display
    delay: float | None = None


Listener = Callable[[Event], None]
Sleep = Callable[[float], Awaitable[None]]


@dataclass(slots=True)
class PublishResult:
    """How an edition ended this time."""

    edition_id: int
    status: EditionStatus
    sent: int
    total: int
    urls: list[str | None] = field(default_factory=list)
    error: str | None = None

    @property
    def finished(self) -> bool:
        return self.status is EditionStatus.PUBLISHED


class _Stop(Exception):
    """The edition stops here, resumable; the message says why."""


class Interrupted(Exception):
    """Raised by a `sleep` when the process is stopping (a daemon's SIGTERM during a long
    wait, Ctrl-C during `publish`): the edition is left as it is, publishing, for the next
    run to resume."""


STOP_CHECK = 0.2  # seconds: how soon a wait notices that the process is stopping


def stoppable_sleep(stopping: threading.Event, reason: str) -> Sleep:
    """asyncio.sleep that raises Interrupted(reason) once `stopping` is set: at once during
    a wait (a stopping process must not sit out a 15-minute rate limit first), and at the
    sleep(0) between posts, so the post in flight is finished and no next one is started."""

    async def sleep(delay: float) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + delay
        while (remaining := deadline - loop.time()) > 0:
            if stopping.is_set():
                raise Interrupted(reason)
            await asyncio.sleep(min(remaining, STOP_CHECK))
        if stopping.is_set():
            raise Interrupted(reason)

    return sleep


async def publish_edition(
    db: Database,
    edition_id: int,
    client: PlatformClient,
    *,
    listener: Listener | None = None,
    sleep: Sleep = asyncio.sleep,
    atomic: bool = False,
    holder: Holder | None = None,
) -> PublishResult:
    """Send the edition's unsent posts in order, each replying to the previous one.

    With `atomic`, a platform that can (Bluesky's applyWrites) takes the whole thread in one
    commit: all posts or none. With `holder` (the claim every front end takes first), a
    heartbeat renews the claim beside the publisher (during slow requests and long waits
    too), each post is marked sending only while the claim holds, and a claim lost to another
    process stops the edition at once, untouched, for that process to finish. A stopping
    process's `sleep` raises Interrupted (also with no delay, between posts): the post in
    flight is finished, no next one is started.

    Every post is sent with the publishing options recorded with the edition
    (`edition_options`), so a resume sends what the first run did, whatever the draft says now.

    The ledger's writes run in a worker thread, so one account's commit never stalls the
    other accounts' requests; each is still awaited before the next request.
    """
    lost = asyncio.Event()
    if holder is None:
        return await _publish(db, edition_id, client, listener, sleep, atomic, None)
    beat = asyncio.create_task(holder.heartbeat(db, edition_id, lost))
    try:
        return await _publish(
            db,
            edition_id,
            client,
            listener,
            _holding(db, edition_id, holder, lost, sleep),
            atomic,
            holder,
        )
    except StoreError as error:
        if not lost.is_set():
            raise
        # The claim ran out while a request was in flight, and the next holder has written
        # the post meanwhile: its ledger stands.
        return _lost(db, edition_id, str(error), listener or (lambda event: None))
    finally:
        beat.cancel()


async def _publish(
    db: Database,
    edition_id: int,
    client: PlatformClient,
    listener: Listener | None,
    sleep: Sleep,
    atomic: bool,
    holder: Holder | None,
) -> PublishResult:
    notify = listener or (lambda event: None)
    # The posts and their images, read once (not once a post), the options recorded, what
    # it continues, and the edition marked publishing: one transaction.
    start = await ledger_step(db, start_publishing, edition_id)
    ledger, attached = start.ledger, start.attached
    posts, images = ledger.posts, ledger.images
    cards = ledger.cards  # as recorded: never fetched again
    options = edition_options(ledger)
    total = len(posts)
    if isinstance(attached, StoreError):
        return _stopped(db, edition_id, f"not published: {attached}", notify)
    settle = UNCLEAR_SETTLE
    if any(post.status is PostStatus.SENDING for post in posts):
        # Its request may still be in the platform's hands: let SENDING_SETTLE pass since
        # it was marked (the edition's last ledger write) before asking about it.
        marked = ledger.updated_at
        settle = max(settle, SENDING_SETTLE - (_now() - marked).total_seconds())
    _keep_containers(db, client, posts)
    root = _published(posts[0]) if posts and posts[0].status is PostStatus.SENT else None
    previous: PublishedPost | None = None
    offset = 0
    if attached is not None:
        root, previous = _published(attached.root), _published(attached.reply_to)
        offset = attached.offset
    create_thread = getattr(client, "create_thread", None)
    try:
        if atomic and create_thread is not None and root is None:
            await _send_all_at_once(
                db, client, create_thread, posts, images, cards, options, notify, sleep, holder
            )
        for post in edition_posts(db, edition_id) if atomic else posts:
            if post.status is PostStatus.SENT:
                previous = _published(post)
                continue
            await sleep(0)  # a stopping process starts no new post
            request = PostRequest(
                text=post.text,
                index=post.position,
                idempotency_key=post.idempotency_key,
                reply_to=previous,
                root=root,
                options=options,
                offset=offset,
                card=cards.get(post.id),
            )
            published = await _send(
                db,
                client,
                post,
                request,
                total,
                notify,
                sleep,
                holder,
                settle,
                images.get(post.id, ()),
            )
            previous = published
            if root is None:
                root = published
            notify(Event("sent", post.position, total, url=published.url))
    except _Stop as stop:
        return _stopped(db, edition_id, str(stop), notify)
    except (ClaimLost, Interrupted) as left:
        return _lost(db, edition_id, str(left), notify)
    final = await ledger_step(db, finish_publishing, edition_id)  # marked, read back
    notify(Event("done", total, total))
    return PublishResult(
        edition_id, EditionStatus.PUBLISHED, total, total, [p.remote_url for p in final]
    )


async def _send_all_at_once(
    db: Database,
    client: PlatformClient,
    create_thread: Callable[[list[PostRequest]], Awaitable[list[PublishedPost]]],
    posts: list[LedgerPost],
    images: Mapping[int, Sequence[PostMedia]],
    cards: Mapping[int, LinkCard],
    options: PostOptions,
    notify: Listener,
    sleep: Sleep,
    holder: Holder | None = None,
) -> None:
    """The whole thread in one request; a retry of a thread already written returns it."""
    requests = [
        PostRequest(
            p.text,
            p.position,
            p.idempotency_key,
            options=options,
            media=await _media(db, client, images.get(p.id, ()), p.position, sleep),
            card=cards.get(p.id),
        )
        for p in posts
    ]
    total = len(posts)
    for attempt in range(1, MAX_ATTEMPTS + 1):
        for post in posts:
            mark_post_sending(db, post.id, holder=holder)
        notify(Event("sending", 1, total))
        started = _now()
        try:
            published = await create_thread(requests)
        except errors.Refused as error:
            _log(db, posts[0].id, started, AttemptOutcome.ERROR, error)
            raise _Stop(f"the thread: {_reason(error)}") from None
        except (errors.Unclear, errors.Retryable) as error:
            outcome = (
                AttemptOutcome.UNCLEAR
                if isinstance(error, errors.Unclear)
                else AttemptOutcome.ERROR
            )
            _log(db, posts[0].id, started, outcome, error)
            delay = _delay(error, attempt)
            if delay > LONGEST_WAIT:
                raise _Stop(f"the thread: {_reason(error)}") from None
            _give_up_if_last(attempt, "the thread", error)
            notify(Event("waiting", 1, total, delay=delay))
            await sleep(delay)
            continue
        _log(db, posts[0].id, started, AttemptOutcome.OK, None)
        for post, result in zip(posts, published, strict=True):
            await _commit(db, post.id, result)
            notify(Event("sent", post.position, total, url=result.url))
        return
    raise AssertionError("unreachable: the last attempt gives up")  # pragma: no cover


async def _send(
    db: Database,
    client: PlatformClient,
    post: LedgerPost,
    request: PostRequest,
    total: int,
    notify: Listener,
    sleep: Sleep,
    holder: Holder | None = None,
    settle: float = UNCLEAR_SETTLE,
    images: Sequence[PostMedia] = (),
) -> PublishedPost:
    """Send one post; its `images` (its rows of the ledger) are uploaded first."""
    post_id = post.id
    if post.status is PostStatus.SENDING:
        # A previous run was stopped mid-request: did the platform take it? (Asked once its
        # request has surely been dealt with: `settle`; a replay carries its images.)
        sent_as = replace(request, media=recorded_media(images))
        found = await _resolve(db, client, post_id, sent_as, total, notify, sleep, settle)
        if found is not None:
            return found
    # Its images are uploaded and recorded first: the post is never created without them.
    request = replace(request, media=await _media(db, client, images, request.index, sleep))
    uploaded_again = False
    last: errors.PlatformError | None = None  # said when it gives up
    for attempt in range(1, MAX_ATTEMPTS + 1):
        await ledger_step(db, mark_post_sending, post_id, holder=holder)
        notify(Event("sending", request.index, total))
        started = _now()
        try:
            published = await client.create_post(request)
        except errors.Unclear as error:
            _log(db, post_id, started, AttemptOutcome.UNCLEAR, error)
            found = await _resolve(db, client, post_id, request, total, notify, sleep)
            if found is not None:
                return found
            delay, last = _backoff(attempt), error
        except errors.Duplicate as error:
            _log(db, post_id, started, AttemptOutcome.ERROR, error)
            found = await _resolve(db, client, post_id, request, total, notify, sleep)
            if found is not None:
                return found
            raise _Stop(f"post {request.index}: {_reason(error)}") from None
        except errors.Refused as error:
            _log(db, post_id, started, AttemptOutcome.ERROR, error)
            set_post_status(db, post_id, PostStatus.FAILED)
            raise _Stop(f"post {request.index}: {_reason(error)}") from None
        except errors.MediaExpired as error:
            # The recorded uploads are no longer usable (X's expire): upload anew, once.
            _log(db, post_id, started, AttemptOutcome.ERROR, error)
            set_post_status(db, post_id, PostStatus.PENDING)  # certainly not created
            if uploaded_again:
                raise _Stop(f"post {request.index}: {_reason(error)}") from None
            uploaded_again = True
            fresh = await _media(db, client, images, request.index, sleep, again=True)
            request = replace(request, media=fresh)
            delay, last = 0.0, error
        except errors.Retryable as error:
            _log(db, post_id, started, AttemptOutcome.ERROR, error)
            set_post_status(db, post_id, PostStatus.PENDING)  # certainly not created
            delay, last = _delay_or_stop(error, attempt, request.index), error
            if isinstance(error, errors.ReplyTargetMissing) and attempt >= 4:
                raise _Stop(f"post {request.index}: {_reason(error)}") from None
        except errors.PlatformError as error:  # pragma: no cover - every error is one of the above
            _log(db, post_id, started, AttemptOutcome.ERROR, error)
            raise _Stop(f"post {request.index}: {_reason(error)}") from None
        else:
            # The attempt's log and the post's remote id: one transaction.
            return await _commit(db, post_id, published, attempt_started=started)
        await _wait_or_give_up(attempt, delay, request.index, total, last, notify, sleep)
    raise AssertionError("unreachable: the last attempt gives up")  # pragma: no cover


async def _resolve(
    db: Database,
    client: PlatformClient,
    post_id: int,
    request: PostRequest,
    total: int,
    notify: Listener,
    sleep: Sleep,
    settle: float = UNCLEAR_SETTLE,
) -> PublishedPost | None:
    """Ask the platform whether it has the post; keep asking while it cannot say."""
    notify(Event("resolving", request.index, total))
    await sleep(settle)
    for attempt in range(1, MAX_ATTEMPTS + 1):
        started = _now()
        try:
            found = await client.find_post(request)
        except errors.Retryable as error:
            _log(db, post_id, started, AttemptOutcome.ERROR, error)
            delay = _delay(error, attempt)
            if delay > LONGEST_WAIT:
                break
            await sleep(delay)
            continue
        except errors.PlatformError as error:
            _log(db, post_id, started, AttemptOutcome.ERROR, error)
            break
        if found is None:
            return None
        return await _commit(db, post_id, found)
    # Still unknown: never send again blind. Stop; the next run asks again.
    raise _Stop(
        f"post {request.index}: the platform did not answer whether it has the post; "
        "run again to check and resume"
    )


async def _media(
    db: Database,
    client: PlatformClient,
    rows: Sequence[PostMedia],
    index: int,
    sleep: Sleep,
    *,
    again: bool = False,
) -> tuple[AttachedMedia, ...]:
    """The post's images, uploaded (and recorded) where the ledger has no usable reference
    (with `again`, all of them: the platform refused the recorded ones)."""
    try:
        return await attach_media(db, client, rows, index, delay=_delay, sleep=sleep, again=again)
    except UploadStopped as stop:
        raise _Stop(str(stop)) from None


def _keep_containers(db: Database, client: PlatformClient, posts: list[LedgerPost]) -> None:
    """Platforms that publish from a container (Threads) get back the containers the ledger
    kept, and every new one is written to the ledger before it is published from."""
    containers = getattr(client, "containers", None)
    if not isinstance(containers, dict) or not hasattr(client, "on_container"):
        return
    by_key = {post.idempotency_key: post.id for post in posts}
    for post in posts:
        if post.remote_container and post.status is not PostStatus.SENT:
            containers[post.idempotency_key] = post.remote_container

    def remember(key: str, container: str) -> None:
        if key in by_key:
            remember_container(db, by_key[key], container)

    client.on_container = remember


async def _commit(
    db: Database, post_id: int, published: PublishedPost, attempt_started: datetime | None = None
) -> PublishedPost:
    await ledger_step(
        db,
        mark_post_sent,
        post_id,
        remote_id=published.remote_id,
        remote_uri=published.uri,
        remote_cid=published.cid,
        remote_url=published.url,
        attempt_started_at=attempt_started,
    )
    return published


def _holding(
    db: Database, edition_id: int, holder: Holder, lost: asyncio.Event, sleep: Sleep
) -> Sleep:
    """`sleep` that raises ClaimLost once the heartbeat has lost the claim, and that renews
    the claim itself every third of the lease of its own time, and once more on waking (the
    heartbeat keeps real time; a test's sleep may move a clock of its own)."""
    step = max(holder.lease.total_seconds() / 3, 0.1)

    async def sleep_holding(delay: float) -> None:
        if lost.is_set():
            raise ClaimLost("another process took the edition over; it resumes there")
        if delay <= 0:
            await sleep(0)
            return
        remaining = delay
        while remaining > step:
            await sleep(step)
            remaining -= step
            await ledger_step(db, renew, edition_id, holder)
        await sleep(remaining)
        await ledger_step(db, renew, edition_id, holder)

    return sleep_holding


def _lost(db: Database, edition_id: int, reason: str, notify: Listener) -> PublishResult:
    """The claim went to another daemon, or this one is stopping: leave the edition's
    status (publishing) to whoever resumes it, and say so."""
    posts = edition_posts(db, edition_id)
    sent = sum(p.status is PostStatus.SENT for p in posts)
    notify(Event("stopped", sent, len(posts), detail=reason))
    urls = [p.remote_url for p in posts]
    return PublishResult(edition_id, EditionStatus.PUBLISHING, sent, len(posts), urls, reason)


def _stopped(db: Database, edition_id: int, reason: str, notify: Listener) -> PublishResult:
    posts = edition_posts(db, edition_id)
    sent = sum(p.status is PostStatus.SENT for p in posts)
    status = EditionStatus.PARTIAL if sent else EditionStatus.FAILED
    set_edition_status(db, edition_id, status, last_error=reason)
    notify(Event("stopped", sent, len(posts), detail=reason))
    return PublishResult(
        edition_id, status, sent, len(posts), [p.remote_url for p in posts], reason
    )


def _published(post: LedgerPost) -> PublishedPost:
    assert post.remote_id is not None, "a sent post has its remote id"
    return PublishedPost(post.remote_id, post.remote_url, post.remote_uri, post.remote_cid)


def _delay_or_stop(error: errors.PlatformError, attempt: int, index: int) -> float:
    """How long to wait before attempt `attempt + 1` at post `index`; _Stop when the
    platform asks for longer than LONGEST_WAIT."""
    delay = _delay(error, attempt)
    if delay > LONGEST_WAIT:
        raise _Stop(
            f"post {index}: {_reason(error)}; try again in {plural(round(delay / 60), 'minute')}"
        ) from None
    return delay


async def _wait_or_give_up(
    attempt: int,
    delay: float,
    index: int,
    total: int,
    last: errors.PlatformError | None,
    notify: Listener,
    sleep: Sleep,
) -> None:
    """After a failed attempt at post `index` (`last`: its error): wait `delay` for the next
    one, saying so, or stop (_Stop) when it was the last, saying what failed."""
    _give_up_if_last(attempt, f"post {index}", last)
    notify(Event("waiting", index, total, delay=delay))
    await sleep(delay)


def _give_up_if_last(attempt: int, where: str, last: errors.PlatformError | None) -> None:
    """Stop (_Stop) after the last attempt at `where`, saying what failed the last time."""
    if attempt >= MAX_ATTEMPTS:
        what = f"; the last time: {_reason(last)}" if last is not None else ""
        raise _Stop(f"{where}: gave up after {MAX_ATTEMPTS} attempts{what}")


def _delay(error: errors.PlatformError, attempt: int) -> float:
    if error.retry_after is not None:
        return max(error.retry_after, 0.0)
    if isinstance(error, errors.RateLimited):
        return BACKOFF_CAP  # a 429 without a reset: wait a minute
    return _backoff(attempt)


def _backoff(attempt: int) -> float:
    base = min(BACKOFF_START * 2.0 ** (attempt - 1), BACKOFF_CAP)
    return base * (0.5 + random.random() / 2)  # jitter, so accounts do not retry in step


def _reason(error: errors.PlatformError) -> str:
    return errors.plain(error)


def _log(
    db: Database,
    post_id: int,
    started: datetime,
    outcome: AttemptOutcome,
    error: errors.PlatformError | None,
) -> None:
    record_attempt(
        db,
        post_id,
        outcome=outcome,
        started_at=started,
        http_status=error.status if error else None,
        error=f"{type(error).__name__}: {_reason(error)}" if error else None,
    )


def _now() -> datetime:
    return datetime.now(UTC)
