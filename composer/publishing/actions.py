"""Publishing now and resuming, one function each, for the CLI, the TUI and the daemon:
every account passes the pre-flight, then every edition is claimed, before anything is
sent (run_editions for a draft's plans, publish_existing for an edition in the ledger,
refuse_edition for one whose pre-flight failed where no one can be asked); and taking
editions back (retract), claimed the same way."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Sequence

import httpx
from sqlmodel import Session

from composer.media import default_cache
from composer.platforms.base import PlatformClient, PlatformError
from composer.publishing.connect import preflight_accounts, preflight_edition
from composer.publishing.errors import PublishError
from composer.publishing.plans import PUBLISH_AGAIN, EditionPlan, already_has
from composer.publishing.retraction import RetractPlan, RetractResult, retract_edition
from composer.publishing.sender import (
    Event,
    Listener,
    PublishResult,
    Sleep,
    _reason,
    _stopped,
    publish_edition,
)
from composer.store import (
    AlreadyHeld,
    Database,
    Edition,
    EditionStatus,
    Holder,
    PostStatus,
    add_edition,
    claim_draft_edition,
    claim_retraction,
    edition_posts,
    ledger_step,
    off_loop,
    release,
    snapshot_id,
)
from composer.text.display import plural
from composer.workspace.config import Config

AccountListener = Callable[[str, Event], None]
QUOTA_WARNING_SHARE = 0.8  # warn when a thread takes more than this share of what is left


async def run_editions(
    db: Database,
    plans: Sequence[EditionPlan],
    listener: AccountListener,
    *,
    atomic: bool = False,
    holder: Holder | None = None,
    again: bool = False,
    sleep: Sleep = asyncio.sleep,
) -> list[PublishResult]:
    """Publish each plan's edition (resuming an unfinished one), accounts concurrently.

    Every account passes the pre-flight first: a PreflightError writes and claims nothing.
    Then every edition is claimed for `holder` before anything is sent; EditionBusy
    (nothing sent, nothing kept claimed) when another live process publishes one of them,
    PublishError when an account has the thread already (published or scheduled, unless
    `again`), decided in the transaction that would write the new edition.
    An account that fails later (the database stops taking writes) never cuts another
    account's thread short: every account runs to its end, then the first error is raised.
    A `sleep` that raises Interrupted when the process is stopping (`stoppable_sleep`) ends
    each account's run after its post in flight; cancelling ends them at once. Either way
    every claim is released.
    """
    clients = await preflight_accounts([plan.account for plan in plans])
    holder = holder or Holder.for_this_process("publish")
    claimed: list[int] = []
    try:
        for plan in plans:
            notify = _for_account(listener, plan)
            claimed.append(_edition_for(db, plan, holder, notify, again=again))
    except BaseException:
        for edition_id in claimed:
            release(db, edition_id, holder.worker)
        for client in clients:
            await client.aclose()
        raise
    runs = (
        _publish_one(db, plan, edition_id, client, listener, atomic, holder, sleep)
        for plan, edition_id, client in zip(plans, claimed, clients, strict=True)
    )
    results = await asyncio.gather(*runs, return_exceptions=True)
    await prune_media()
    for result in results:
        if isinstance(result, BaseException):
            raise result
    return [result for result in results if isinstance(result, PublishResult)]


def _for_account(listener: AccountListener, plan: EditionPlan) -> Listener:
    return lambda event: listener(plan.account.name, event)


async def _publish_one(
    db: Database,
    plan: EditionPlan,
    edition_id: int,
    client: PlatformClient,
    listener: AccountListener,
    atomic: bool,
    holder: Holder,
    sleep: Sleep,
) -> PublishResult:
    """One account's claimed edition published; then its client closed and the claim
    released, whatever happened."""
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
                    detail=f"{plural(needed, 'post')} will use most of the {remaining} left today",
                )
            )
        return await publish_edition(
            db,
            edition_id,
            client,
            listener=notify,
            atomic=atomic,
            holder=holder,
            sleep=sleep,
        )
    finally:
        try:
            await client.aclose()
        finally:
            await ledger_step(db, release, edition_id, holder.worker)


def refuse_edition(db: Database, edition_id: int, reason: str) -> PublishResult:
    """An edition whose pre-flight failed where no one can be asked (the daemon): stopped
    with the reason, failed (or partial, if a run before sent some), so it is shown in the
    queue and not tried again until someone fixes the account and resumes it."""
    return _stopped(db, edition_id, f"not published: {reason}", lambda event: None)


def _edition_for(
    db: Database, plan: EditionPlan, holder: Holder, notify: Listener, *, again: bool
) -> int:
    """The unfinished edition of this draft on this account, or a new one: claimed for
    `holder` (EditionBusy when another live process publishes it; PublishError when the
    account has the thread already, unless `again`)."""
    texts = [post.text for post in plan.thread.posts]
    follows = plan.follows

    def create(session: Session) -> Edition:
        new = plan.new_edition(status=EditionStatus.PUBLISHING)
        return add_edition(session, snapshot_id(session, plan.draft_text), new)

    try:
        edition, created = claim_draft_edition(
            db,
            holder,
            draft_path=plan.draft_path,
            account=plan.account.name,
            follows_edition_id=follows.edition_id if follows else None,
            create=create,
            texts=None if again else texts,
        )
    except AlreadyHeld as held:
        raise PublishError(f"{already_has(held.account, held.edition)}; {PUBLISH_AGAIN}") from None
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
    http: httpx.AsyncClient | None = None,
    sleep: Sleep = asyncio.sleep,
    client: PlatformClient | None = None,
) -> PublishResult:
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
                listener=listener,
                holder=holder,
                sleep=sleep,
            )
        finally:
            await client.aclose()
    finally:
        await ledger_step(db, release, edition_id, holder.worker)
        await prune_media(daily=True)


# --- taking editions back (retract, the history screen) -----------------------------------


async def retract(
    db: Database,
    plan: RetractPlan,
    config: Config,
    listener: Listener | None = None,
    *,
    holder: Holder,
    sleep: Sleep = asyncio.sleep,
    http: httpx.AsyncClient | None = None,
) -> list[RetractResult]:
    """Take back every edition of `plan` (`retract_plan`, asked about first), in its order:
    each passes the pre-flight, is claimed for `holder` (`claim_retraction`: EditionBusy
    when another live process holds it, and nothing is deleted), then its sent posts are
    deleted last first, every deletion written to the ledger (`retract_edition`); the claim
    is released however it ends. It stops at the first edition that does not finish (the
    same call resumes it); PreflightError or StoreError before anything is deleted."""
    results: list[RetractResult] = []
    for target in plan.targets:
        client = await preflight_edition(db, target.edition_id, config, http)
        try:
            try:
                await off_loop(db, claim_retraction, db, target.edition_id, holder)
            except BaseException:
                await client.aclose()
                raise
            try:
                result = await retract_edition(
                    db, target.edition_id, client, holder=holder, listener=listener, sleep=sleep
                )
            finally:
                await client.aclose()
        finally:
            await ledger_step(db, release, target.edition_id, holder.worker)
        results.append(result)
        if not result.finished:
            break
    return results


async def prune_media(*, daily: bool = False) -> None:
    """The cache of prepared images pruned (`MediaCache.prune`), after publishing; with
    `daily`, only if it was not pruned in the last day (the daemon's rounds). The cache only
    saves time: a failure here is never a publication's."""
    cache = default_cache()
    with contextlib.suppress(OSError):
        await asyncio.to_thread(cache.prune_if_due if daily else cache.prune)
