"""Publish one thread edition to one account: never twice, never half.

The ledger (composer.store) holds a row per post, written before any request. A post is
marked `sending` (committed) before its request, and `sent` with its remote id (committed)
before the next post is sent, so a crash at any point leaves a ledger that says exactly where
to resume: the first post not sent, replying to the last one sent. A post found `sending` at
start, or a request with an unclear outcome, is resolved with the platform (`find_post`)
before it is ever sent again. Every front end sends an edition only under its claim
(composer.store.claims), so one process at a time writes its ledger and sends its posts.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from sqlmodel import Session

from composer.errors import ComposerError
from composer.platforms.base import (
    Duplicate,
    PlatformClient,
    PlatformError,
    PostRequest,
    PublishedPost,
    RateLimited,
    Refused,
    ReplyTargetMissing,
    Retryable,
    Unclear,
)
from composer.platforms.clients import UnsupportedPlatform, make_client
from composer.store import (
    AttemptOutcome,
    ClaimLost,
    Database,
    Edition,
    EditionStatus,
    Holder,
    PostRecord,
    PostStatus,
    StoreError,
    add_edition,
    add_thread,
    claim_draft_edition,
    continuation,
    edition_posts,
    find_edition,
    followable,
    held_edition,
    last_number,
    mark_post_sending,
    off_loop,
    record_attempt,
    release,
    remember_container,
    renew,
    set_edition_status,
    set_post_status,
)
from composer.store import (
    mark_post_sent as record_post_sent,  # the one "sent" rule (store.history)
)
from composer.text import SplitError, Thread
from composer.text.enrich import EnrichError
from composer.text.numbering import UPDATE_PRESET, NumberingError
from composer.workspace.compose import NO_OVERRIDES, Overrides, compose
from composer.workspace.config import (
    DEFAULT_CONFIG_NAME,
    EXAMPLE_CONFIG_NAME,
    Account,
    Config,
    ConfigError,
)
from composer.workspace.drafts import Draft
from composer.workspace.sessions import SessionFile
from composer.workspace.when import format_local

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
class Outcome:
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
    wait): the edition is left as it is, publishing, for the next daemon to resume."""


async def publish_edition(
    db: Database,
    edition_id: int,
    client: PlatformClient,
    *,
    language: str | None = None,
    listener: Listener | None = None,
    sleep: Sleep = asyncio.sleep,
    atomic: bool = False,
    holder: Holder | None = None,
) -> Outcome:
    """Send the edition's unsent posts in order, each replying to the previous one.

    With `atomic`, a platform that can (Bluesky's applyWrites) takes the whole thread in one
    commit: all posts or none. With `holder` (the claim every front end takes first), a
    heartbeat renews the claim beside the publisher (during slow requests and long waits
    too), each post is marked sending only while the claim holds, and a claim lost to another
    process stops the edition at once, untouched, for that process to finish. A stopping
    process's `sleep` raises Interrupted (also with no delay, between posts): the post in
    flight is finished, no next one is started.

    The ledger's writes run in a worker thread, so one account's commit never stalls the
    other accounts' requests; each is still awaited before the next request.
    """
    lost = asyncio.Event()
    if holder is None:
        return await _publish(db, edition_id, client, language, listener, sleep, atomic, None)
    beat = asyncio.create_task(holder.heartbeat(db, edition_id, lost))
    try:
        return await _publish(
            db,
            edition_id,
            client,
            language,
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
    language: str | None,
    listener: Listener | None,
    sleep: Sleep,
    atomic: bool,
    holder: Holder | None,
) -> Outcome:
    notify = listener or (lambda event: None)
    posts = await off_loop(db, edition_posts, db, edition_id)
    total = len(posts)
    try:
        # A follow-up replies to the last post of the edition it follows, in its conversation.
        attached = await off_loop(db, continuation, db, edition_id)
    except StoreError as error:
        return _stopped(db, edition_id, f"not published: {error}", notify)
    settle = UNCLEAR_SETTLE
    if any(post.status is PostStatus.SENDING for post in posts):
        # Its request may still be in the platform's hands: let SENDING_SETTLE pass since
        # it was marked (the edition's last ledger write) before asking about it.
        marked = (await off_loop(db, find_edition, db, edition_id)).updated_at
        settle = max(settle, SENDING_SETTLE - (_now() - marked).total_seconds())
    _keep_containers(db, client, posts)
    await off_loop(db, set_edition_status, db, edition_id, EditionStatus.PUBLISHING)
    root = _published(posts[0]) if posts and posts[0].status is PostStatus.SENT else None
    previous: PublishedPost | None = None
    offset = 0
    if attached is not None:
        root, previous = _published(attached.root), _published(attached.reply_to)
        offset = attached.offset
    create_thread = getattr(client, "create_thread", None)
    try:
        if atomic and create_thread is not None and root is None:
            await _send_all_at_once(db, create_thread, posts, language, notify, sleep, holder)
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
                language=language,
                offset=offset,
            )
            published = await _send(db, client, post, request, total, notify, sleep, holder, settle)
            previous = published
            if root is None:
                root = published
            notify(Event("sent", post.position, total, url=published.url))
    except _Stop as stop:
        return _stopped(db, edition_id, str(stop), notify)
    except (ClaimLost, Interrupted) as left:
        return _lost(db, edition_id, str(left), notify)
    await off_loop(db, set_edition_status, db, edition_id, EditionStatus.PUBLISHED)
    final = await off_loop(db, edition_posts, db, edition_id)
    notify(Event("done", total, total))
    return Outcome(edition_id, EditionStatus.PUBLISHED, total, total, [p.remote_url for p in final])


async def _send_all_at_once(
    db: Database,
    create_thread: Callable[[list[PostRequest]], Awaitable[list[PublishedPost]]],
    posts: list[PostRecord],
    language: str | None,
    notify: Listener,
    sleep: Sleep,
    holder: Holder | None = None,
) -> None:
    """The whole thread in one request; a retry of a thread already written returns it."""
    requests = [
        PostRequest(p.text, p.position, p.idempotency_key, language=language) for p in posts
    ]
    total = len(posts)
    for attempt in range(1, MAX_ATTEMPTS + 1):
        for post in posts:
            mark_post_sending(db, _id(post), holder=holder)
        notify(Event("sending", 1, total))
        started = _now()
        try:
            published = await create_thread(requests)
        except Refused as error:
            _log(db, _id(posts[0]), started, AttemptOutcome.ERROR, error)
            raise _Stop(f"the thread: {_reason(error)}") from None
        except (Unclear, Retryable) as error:
            outcome = AttemptOutcome.UNCLEAR if isinstance(error, Unclear) else AttemptOutcome.ERROR
            _log(db, _id(posts[0]), started, outcome, error)
            delay = _delay(error, attempt)
            if delay > LONGEST_WAIT:
                raise _Stop(f"the thread: {_reason(error)}") from None
            notify(Event("waiting", 1, total, delay=delay))
            await sleep(delay)
            continue
        _log(db, _id(posts[0]), started, AttemptOutcome.OK, None)
        for post, result in zip(posts, published, strict=True):
            await _commit(db, _id(post), result)
            notify(Event("sent", post.position, total, url=result.url))
        return
    raise _Stop(f"the thread: gave up after {MAX_ATTEMPTS} attempts")


async def _send(
    db: Database,
    client: PlatformClient,
    post: PostRecord,
    request: PostRequest,
    total: int,
    notify: Listener,
    sleep: Sleep,
    holder: Holder | None = None,
    settle: float = UNCLEAR_SETTLE,
) -> PublishedPost:
    post_id = _id(post)
    if post.status is PostStatus.SENDING:
        # A previous run was stopped mid-request: did the platform take it? (Asked once its
        # request has surely been dealt with: `settle`.)
        found = await _resolve(db, client, post_id, request, total, notify, sleep, settle)
        if found is not None:
            return found
    for attempt in range(1, MAX_ATTEMPTS + 1):
        await off_loop(db, mark_post_sending, db, post_id, holder=holder)
        notify(Event("sending", request.index, total))
        started = _now()
        try:
            published = await client.create_post(request)
        except Unclear as error:
            _log(db, post_id, started, AttemptOutcome.UNCLEAR, error)
            found = await _resolve(db, client, post_id, request, total, notify, sleep)
            if found is not None:
                return found
            delay = _backoff(attempt)
        except Duplicate as error:
            _log(db, post_id, started, AttemptOutcome.ERROR, error)
            found = await _resolve(db, client, post_id, request, total, notify, sleep)
            if found is not None:
                return found
            raise _Stop(f"post {request.index}: {_reason(error)}") from None
        except Refused as error:
            _log(db, post_id, started, AttemptOutcome.ERROR, error)
            set_post_status(db, post_id, PostStatus.FAILED)
            raise _Stop(f"post {request.index}: {_reason(error)}") from None
        except Retryable as error:
            _log(db, post_id, started, AttemptOutcome.ERROR, error)
            set_post_status(db, post_id, PostStatus.PENDING)  # certainly not created
            delay = _delay(error, attempt)
            if delay > LONGEST_WAIT:
                raise _Stop(
                    f"post {request.index}: {_reason(error)}; try again in {delay / 60:.0f} minutes"
                ) from None
            if isinstance(error, ReplyTargetMissing) and attempt >= 4:
                raise _Stop(f"post {request.index}: {_reason(error)}") from None
        except PlatformError as error:  # pragma: no cover - every error is one of the above
            _log(db, post_id, started, AttemptOutcome.ERROR, error)
            raise _Stop(f"post {request.index}: {_reason(error)}") from None
        else:
            # The attempt's log and the post's remote id: one transaction.
            return await _commit(db, post_id, published, attempt_started=started)
        if attempt < MAX_ATTEMPTS:
            notify(Event("waiting", request.index, total, delay=delay))
            await sleep(delay)
    raise _Stop(f"post {request.index}: gave up after {MAX_ATTEMPTS} attempts")


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
        except Retryable as error:
            _log(db, post_id, started, AttemptOutcome.ERROR, error)
            delay = _delay(error, attempt)
            if delay > LONGEST_WAIT:
                break
            await sleep(delay)
            continue
        except PlatformError as error:
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


def _keep_containers(db: Database, client: PlatformClient, posts: list[PostRecord]) -> None:
    """Platforms that publish from a container (Threads) get back the containers the ledger
    kept, and every new one is written to the ledger before it is published from."""
    containers = getattr(client, "containers", None)
    if not isinstance(containers, dict) or not hasattr(client, "on_container"):
        return
    by_key = {post.idempotency_key: _id(post) for post in posts}
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
    await off_loop(
        db,
        record_post_sent,
        db,
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
            await off_loop(db, renew, db, edition_id, holder)
        await sleep(remaining)
        await off_loop(db, renew, db, edition_id, holder)

    return sleep_holding


def _lost(db: Database, edition_id: int, reason: str, notify: Listener) -> Outcome:
    """The claim went to another daemon, or this one is stopping: leave the edition's
    status (publishing) to whoever resumes it, and say so."""
    posts = edition_posts(db, edition_id)
    sent = sum(p.status is PostStatus.SENT for p in posts)
    notify(Event("stopped", sent, len(posts), detail=reason))
    urls = [p.remote_url for p in posts]
    return Outcome(edition_id, EditionStatus.PUBLISHING, sent, len(posts), urls, reason)


def _stopped(db: Database, edition_id: int, reason: str, notify: Listener) -> Outcome:
    posts = edition_posts(db, edition_id)
    sent = sum(p.status is PostStatus.SENT for p in posts)
    status = EditionStatus.PARTIAL if sent else EditionStatus.FAILED
    set_edition_status(db, edition_id, status, last_error=reason)
    notify(Event("stopped", sent, len(posts), detail=reason))
    return Outcome(edition_id, status, sent, len(posts), [p.remote_url for p in posts], reason)


def _published(post: PostRecord) -> PublishedPost:
    assert post.remote_id is not None, "a sent post has its remote id"
    return PublishedPost(post.remote_id, post.remote_url, post.remote_uri, post.remote_cid)


def _delay(error: PlatformError, attempt: int) -> float:
    if error.retry_after is not None:
        return max(error.retry_after, 0.0)
    if isinstance(error, RateLimited):
        return BACKOFF_CAP  # a 429 without a reset: wait a minute
    return _backoff(attempt)


def _backoff(attempt: int) -> float:
    base = min(BACKOFF_START * 2.0 ** (attempt - 1), BACKOFF_CAP)
    return base * (0.5 + random.random() / 2)  # jitter, so accounts do not retry in step


def _reason(error: PlatformError) -> str:
    return error.reason or str(error)


def _log(
    db: Database,
    post_id: int,
    started: datetime,
    outcome: AttemptOutcome,
    error: PlatformError | None,
) -> None:
    record_attempt(
        db,
        post_id,
        outcome=outcome,
        started_at=started,
        http_status=error.status if error else None,
        error=f"{type(error).__name__}: {_reason(error)}" if error else None,
    )


def _id(post: PostRecord) -> int:
    assert post.id is not None
    return post.id


def _now() -> datetime:
    return datetime.now(UTC)


# --- publishing a draft now, to several accounts at once ----------------------------------


class PublishError(ComposerError, ValueError):
    """A draft that cannot be published as asked (no account, no accounts file...)."""


@dataclass(frozen=True, slots=True)
class FollowUp:
    """A draft published as the continuation of an edition's thread: on its account, its
    numbering continued from `first_number`, or marked as an update (`first_number` None)."""

    edition_id: int
    account: str
    first_number: int | None

    @property
    def overrides(self) -> Overrides:
        # No hook post: a continuation's first post shows that it is one.
        if self.first_number is None:
            return Overrides(numbering=UPDATE_PRESET, hook=False)
        return Overrides(first_number=self.first_number, hook=False)


def follow_up(
    db: Database,
    edition_id: int,
    *,
    update: bool = False,
    account_names: Sequence[str] = (),
    published: bool = False,
) -> FollowUp:
    """How a draft continues edition `edition_id`; PublishError (one line) when it cannot: an
    unknown edition, another account, an edition that will never be published, or (with
    `published`, for publishing now) one that is not published yet."""
    others = list(dict.fromkeys(account_names))
    try:
        followed = followable(db, edition_id, others[0] if len(others) == 1 else None)
    except StoreError as error:
        raise PublishError(str(error)) from None
    if len(others) > 1:
        raise PublishError(
            f"a follow-up goes on the account of edition {edition_id} ({followed.account}) only"
        )
    if published and followed.status is not EditionStatus.PUBLISHED:
        raise PublishError(
            f"edition {edition_id} is {followed.status.value}, not published yet: schedule the "
            "follow-up instead (it waits for that edition)"
        )
    first = None if update else last_number(db, edition_id) + 1
    return FollowUp(edition_id, followed.account, first)


@dataclass(frozen=True, slots=True)
class EditionPlan:
    """One account's thread of a draft, as it will be (or would be) sent."""

    account: Account
    thread: Thread
    draft: Draft
    draft_path: str
    config: Config
    follows: FollowUp | None = None
    overrides: Overrides = NO_OVERRIDES


def plan_editions(
    draft: Draft,
    path: Path,
    config: Config | None,
    account_names: Sequence[str],
    *,
    for_real: bool = True,
    follows: FollowUp | None = None,
) -> list[EditionPlan]:
    """Each account's thread, composed exactly as the preview composes it. A follow-up goes
    to the followed edition's account only, numbered on from it or marked as an update.
    Raises PublishError, whatever the reason (accounts, contacts, numbering, limits)."""
    if config is None:
        raise PublishError(f"no {DEFAULT_CONFIG_NAME}: publishing needs your accounts")
    if for_real and config.path is not None and config.path.name == EXAMPLE_CONFIG_NAME:
        raise PublishError(
            f"{EXAMPLE_CONFIG_NAME} holds example accounts: copy it to {DEFAULT_CONFIG_NAME} "
            "and fill in yours to publish (use --dry-run to see what would be sent)"
        )
    names = list(dict.fromkeys(account_names or draft.accounts))
    if follows is not None:
        names = [follows.account]
    if not names:
        raise PublishError(
            "no account to publish to: give --account NAME or list accounts in the draft"
        )
    plans: list[EditionPlan] = []
    for name in names:
        try:
            account = config.account(name)
            limit = account.max_characters if account.platform == "mastodon" else None
            overrides = follows.overrides if follows is not None else NO_OVERRIDES
            thread = compose(draft, account.platform, config, replace(overrides, limit=limit))
        except (ConfigError, SplitError, NumberingError, EnrichError) as error:
            # One error type for every front end: an unknown account, a contact, a
            # numbering or a limit that cannot work is a plan that cannot be made.
            raise PublishError(str(error)) from error
        if not thread.posts:
            raise PublishError(f"{path}: the draft has no text to publish")
        plans.append(
            EditionPlan(account, thread, draft, str(path.resolve()), config, follows, overrides)
        )
    return plans


async def fit_to_instances(plans: Sequence[EditionPlan]) -> list[EditionPlan]:
    """Mastodon threads recomposed for the instance's own limit, read from the instance
    (an account's `max_characters` wins; an instance that cannot be asked keeps 500)."""
    fitted: list[EditionPlan] = []
    for plan in plans:
        if plan.account.platform == "mastodon" and not plan.account.max_characters:
            client = make_client(plan.account)
            try:
                info = await client.verify()
            except PlatformError:
                info = None  # publishing will say what is wrong with the account
            finally:
                await client.aclose()
            limit = info.max_characters if info else None
            if limit and limit != plan.thread.limit:
                overrides = replace(plan.overrides, limit=limit)
                try:
                    thread = compose(plan.draft, "mastodon", plan.config, overrides)
                except (SplitError, NumberingError, EnrichError) as error:
                    raise PreflightError(
                        f"{plan.account.name}: the instance allows {limit} characters a post: "
                        f"{error}"
                    ) from None
                plan = replace(plan, thread=thread)
        fitted.append(plan)
    return fitted


AccountListener = Callable[[str, Event], None]
QUOTA_WARNING_SHARE = 0.8  # warn when a thread takes more than this share of what is left


PUBLISH_AGAIN = "use --again to publish it once more"


def check_not_published(
    db: Database, plans: Sequence[EditionPlan], *, again_hint: str = PUBLISH_AGAIN
) -> None:
    """Refuse to publish a thread an account already has (`held_edition`: scheduled or
    published; one being published is resumed instead), unless asked to again."""
    with db.read_session() as session:
        for plan in plans:
            texts = [p.text for p in plan.thread.posts]
            held = held_edition(session, plan.draft_path, plan.account.name, texts, resuming=True)
            if held is not None:
                raise PublishError(f"{already_has(plan.account.name, held)}; {again_hint}")


def already_has(account: str, edition: Edition) -> str:
    """ "ank-x already has this thread (edition 5, scheduled for 2026-12-24 09:00 ...)": what
    `publish`, `schedule` and the schedule dialog say of a thread an account has."""
    if edition.status is EditionStatus.SCHEDULED and edition.scheduled_at is not None:
        state = f"scheduled for {format_local(edition.scheduled_at, edition.timezone or 'UTC')}"
        if edition.scheduled_at < _now():
            state += ", overdue: no daemon has sent it"
    elif edition.status is EditionStatus.PUBLISHED:
        state = f"published {edition.updated_at.astimezone().strftime('%Y-%m-%d %H:%M')}"
    else:
        state = f"{edition.status.value} now"
    return f"{account} already has this thread (edition {edition.id}, {state})"


async def run_editions(
    db: Database,
    plans: Sequence[EditionPlan],
    listener: AccountListener,
    *,
    atomic: bool = False,
    holder: Holder | None = None,
) -> list[Outcome]:
    """Publish each plan's edition (resuming an unfinished one), accounts concurrently.

    Every account passes the pre-flight first: a PreflightError writes and claims nothing.
    Then every edition is claimed for `holder` before anything is sent; EditionBusy
    (nothing sent, nothing kept claimed) when another live process publishes one of them.
    An account that fails later (the database stops taking writes) never cuts another
    account's thread short: every account runs to its end, then the first error is raised.
    """
    clients = await preflight_plans(plans)
    holder = holder or Holder.for_this_process("publish")
    claimed: list[int] = []
    try:
        for plan in plans:
            claimed.append(_edition_for(db, plan, holder, _for_account(listener, plan)))
    except BaseException:
        for edition_id in claimed:
            release(db, edition_id, holder.worker)
        for client in clients:
            await client.aclose()
        raise
    runs = (
        _run_one(db, plan, edition_id, client, listener, atomic, holder)
        for plan, edition_id, client in zip(plans, claimed, clients, strict=True)
    )
    results = await asyncio.gather(*runs, return_exceptions=True)
    for result in results:
        if isinstance(result, BaseException):
            raise result
    return [result for result in results if isinstance(result, Outcome)]


def _for_account(listener: AccountListener, plan: EditionPlan) -> Listener:
    return lambda event: listener(plan.account.name, event)


async def _run_one(
    db: Database,
    plan: EditionPlan,
    edition_id: int,
    client: PlatformClient,
    listener: AccountListener,
    atomic: bool,
    holder: Holder,
) -> Outcome:
    try:
        return await _publish_one(db, plan, edition_id, client, listener, atomic, holder)
    finally:
        await off_loop(db, release, db, edition_id, holder.worker)


async def _publish_one(
    db: Database,
    plan: EditionPlan,
    edition_id: int,
    client: PlatformClient,
    listener: AccountListener,
    atomic: bool,
    holder: Holder,
) -> Outcome:
    name = plan.account.name
    notify = _for_account(listener, plan)
    try:
        try:
            info = await client.verify()
        except PlatformError as error:
            return _stopped(db, edition_id, f"{name}: {_reason(error)}", notify)
        remaining = info.remaining_quota
        needed = sum(p.status is not PostStatus.SENT for p in edition_posts(db, edition_id))
        if remaining is not None and needed > QUOTA_WARNING_SHARE * remaining:
            notify(
                Event(
                    "warning",
                    0,
                    needed,
                    detail=f"{needed} posts will use most of the {remaining} left today",
                )
            )
        return await publish_edition(
            db,
            edition_id,
            client,
            language=plan.draft.language,
            listener=notify,
            atomic=atomic,
            holder=holder,
        )
    finally:
        await client.aclose()


# --- pre-flight: everything that can fail before a request, checked before any write ------


class PreflightError(PublishError):
    """An account that cannot be published to, found before anything was written, claimed
    or set publishing: a secret that cannot be read (`_env` unset, a `_cmd` that fails), a
    platform without a client, an edition whose account is gone, a thread that does not fit
    its instance. One line, naming the account and the cause."""


async def preflight(account: Account, http: httpx.AsyncClient | None = None) -> PlatformClient:
    """The account's client, built once every secret of the account is read (and cached, so
    publishing never reads one again): the one check every front end makes before an
    edition is written, claimed or set publishing. Secrets are read in a worker thread: a
    `_cmd` may wait on a password manager."""
    try:
        await asyncio.to_thread(_read_secrets, account)
        return _client(account, http)
    except ConfigError as error:  # its message names the file, line, account and key
        raise PreflightError(str(error)) from None
    except (UnsupportedPlatform, OSError) as error:
        raise PreflightError(f"{account.name}: {error}") from None


def _read_secrets(account: Account) -> None:
    for key in account.secret_sources:
        account.secret_value(key)


async def preflight_plans(plans: Sequence[EditionPlan]) -> list[PlatformClient]:
    """Each plan's client, in order; the first PreflightError closes those already built."""
    clients: list[PlatformClient] = []
    try:
        for plan in plans:
            clients.append(await preflight(plan.account))
    except BaseException:
        for client in clients:
            await client.aclose()
        raise
    return clients


async def preflight_edition(
    db: Database, edition_id: int, config: Config, http: httpx.AsyncClient | None = None
) -> PlatformClient:
    """The pre-flight of an edition already in the ledger: its account still configured,
    on the platform its posts were written for, with every secret readable. StoreError
    for an edition that does not exist."""
    edition = await off_loop(db, find_edition, db, edition_id)
    try:
        account = config.account(edition.account)
    except ConfigError as error:
        raise PreflightError(f"edition {edition_id}: {error}") from None
    if account.platform != edition.platform:
        raise PreflightError(
            f"edition {edition_id} was written for {edition.platform}, but account "
            f"{account.name} is a {account.platform} account now"
        )
    return await preflight(account, http)


def refuse_edition(db: Database, edition_id: int, reason: str) -> Outcome:
    """An edition whose pre-flight failed where no one can be asked (the daemon): stopped
    with the reason, failed (or partial, if a run before sent some), so it is shown in the
    queue and not tried again until someone fixes the account and resumes it."""
    return _stopped(db, edition_id, f"not published: {reason}", lambda event: None)


def _client(account: Account, http: httpx.AsyncClient | None = None) -> PlatformClient:
    """The account's client, with its stored session or tokens (Bluesky, X OAuth 2.0); on
    `http` when given (one connection pool and TLS setup shared by many editions)."""
    options: dict[str, Any] = {} if http is None else {"http": http}
    if account.platform == "bluesky":
        identity = f"bluesky {account.api_url} {account.handle}"
        options["session_store"] = SessionFile(account.name, identity=identity)
    elif account.platform == "x" and account.x_auth == "oauth2":
        identity = f"x {account.api_url} {account.client_id}"
        options["token_store"] = SessionFile(account.name, identity=identity)
    return make_client(account, **options)


def _snapshot_in(session: Session, plan: EditionPlan) -> int:
    """The draft as it is now, kept with the edition (in the caller's transaction); its id."""
    thread = add_thread(
        session,
        title=plan.draft.title,
        body=plan.draft.body,
        draft_path=plan.draft_path,
        language=plan.draft.language,
    )
    assert thread.id is not None
    return thread.id


def _edition_for(db: Database, plan: EditionPlan, holder: Holder, notify: Listener) -> int:
    """The unfinished edition of this draft on this account, or a new one: claimed for
    `holder` (EditionBusy when another live process publishes it)."""
    texts = [post.text for post in plan.thread.posts]
    follows = plan.follows

    def create(session: Session) -> Edition:
        return add_edition(
            session,
            _snapshot_in(session, plan),
            account=plan.account.name,
            platform=plan.account.platform,
            posts=texts,
            status=EditionStatus.PUBLISHING,
            follows_edition_id=follows.edition_id if follows else None,
            numbering_start=follows.first_number if follows else None,
        )

    edition, created = claim_draft_edition(
        db,
        holder,
        draft_path=plan.draft_path,
        account=plan.account.name,
        follows_edition_id=follows.edition_id if follows else None,
        create=create,
    )
    assert edition.id is not None
    if not created and [post.text for post in edition_posts(db, edition.id)] != texts:
        notify(
            Event(
                "warning",
                0,
                len(texts),
                detail="the draft changed since this edition started: resuming it "
                "with the posts it was started with",
            )
        )
    return edition.id


# --- publishing an edition already in the ledger (publish-now, resume, the daemon) ---------


async def publish_existing(
    db: Database,
    edition_id: int,
    config: Config,
    listener: Listener | None = None,
    *,
    holder: Holder,
    language: str | None = None,
    http: httpx.AsyncClient | None = None,
    sleep: Sleep = asyncio.sleep,
    client: PlatformClient | None = None,
) -> Outcome:
    """Publish an edition already in the ledger (a scheduled one, now) to its account, under
    the claim of `holder` (taken with `claims.claim`, or the daemon's `claim_due`), which is
    released when it ends, however it ends. A daemon passes a `sleep` that ends its waits
    when it stops. `client` is the one `preflight_edition` built (closed here); without it,
    the pre-flight runs first (PreflightError: nothing sent)."""
    try:
        if client is None:
            client = await preflight_edition(db, edition_id, config, http)
        try:
            return await publish_edition(
                db,
                edition_id,
                client,
                language=language,
                listener=listener,
                holder=holder,
                sleep=sleep,
            )
        finally:
            await client.aclose()
    finally:
        await off_loop(db, release, db, edition_id, holder.worker)
