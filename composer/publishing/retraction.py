"""Take one edition back (`retract`): delete each of its sent posts on its platform, last
post first, under the claim that `claim_retraction` took.

Each deletion is written to the ledger before the next request (the post becomes
`retracted`, with the time), in the transaction that renews the claim, so a run stopped at
any point (a crash, Ctrl-C, a rate limit too long to wait out, a refusal) leaves a ledger
that says exactly what is still up, and the next run deletes only that. A post the platform
no longer has counts as retracted. Deleting is harmless to repeat, so a request without an
answer is simply made again. The ledger keeps every post's text, remote id and link.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from composer.platforms import errors
from composer.platforms.base import PlatformClient
from composer.publishing.sender import (
    LONGEST_WAIT,
    MAX_ATTEMPTS,
    Event,
    Interrupted,
    Listener,
    Sleep,
    _delay,
    _holding,
    _published,
    _reason,
)
from composer.store import (
    WENT_OUT,
    ClaimLost,
    Database,
    EditionStatus,
    Holder,
    PostRecord,
    PostStatus,
    edition_posts,
    find_edition,
    mark_post_retracted,
    off_loop,
    set_edition_status,
)


@dataclass(slots=True)
class RetractResult:
    """How a retraction of one edition left it this time."""

    edition_id: int
    account: str
    status: EditionStatus  # RETRACTED, or RETRACTING when it stopped (resumable)
    retracted: int  # posts of it retracted now, by this run or an earlier one
    total: int  # posts of it that went out
    deleted: int = 0  # deleted by this run (a post found gone counts as deleted)
    error: str | None = None

    @property
    def finished(self) -> bool:
        return self.status is EditionStatus.RETRACTED


class _Stop(Exception):
    """The retraction stops here, resumable; the message says why."""


async def retract_edition(
    db: Database,
    edition_id: int,
    client: PlatformClient,
    *,
    holder: Holder,
    listener: Listener | None = None,
    sleep: Sleep = asyncio.sleep,
) -> RetractResult:
    """Delete the edition's sent posts, last first, under `holder`'s claim (renewed beside
    the requests by a heartbeat, and with every ledger write); the edition becomes
    `retracted` once none is left. A refusal, or a wait longer than LONGEST_WAIT, stops it
    with the reason (it stays `retracting`: the same command resumes it); a lost claim or
    an interrupting `sleep` leaves it as it is."""
    notify = listener or (lambda event: None)
    lost = asyncio.Event()
    beat = asyncio.create_task(holder.heartbeat(db, edition_id, lost))
    waiting = _holding(db, edition_id, holder, lost, sleep)
    edition = await off_loop(db, find_edition, db, edition_id)
    posts = await off_loop(db, edition_posts, db, edition_id)
    total = sum(post.status in WENT_OUT for post in posts)
    deleted = 0
    # The conversation's first post carries its threadgate and postgate (Bluesky).
    starts_conversation = edition.follows_edition_id is None
    try:
        for post in reversed(posts):
            if post.status is not PostStatus.SENT:
                continue
            await waiting(0)  # a stopping process starts no new deletion
            root = starts_conversation and post.position == 1
            await _delete(client, post, root, total, notify, waiting)
            assert post.id is not None
            await off_loop(db, mark_post_retracted, db, post.id, holder=holder)
            deleted += 1
            notify(Event("retracted", post.position, total, url=post.remote_url))
    except _Stop as stop:
        return await _ended(db, edition_id, edition.account, deleted, str(stop), notify)
    except (ClaimLost, Interrupted) as left:
        return await _ended(db, edition_id, edition.account, deleted, str(left), notify, keep=True)
    finally:
        beat.cancel()
    await off_loop(db, set_edition_status, db, edition_id, EditionStatus.RETRACTED)
    notify(Event("done", total, total))
    return RetractResult(edition_id, edition.account, EditionStatus.RETRACTED, total, total, deleted)


async def _delete(
    client: PlatformClient,
    post: PostRecord,
    root: bool,
    total: int,
    notify: Listener,
    sleep: Sleep,
) -> None:
    """One post deleted (or found gone), retried while the platform asks to wait."""
    for attempt in range(1, MAX_ATTEMPTS + 1):
        try:
            await client.delete_post(_published(post), root=root)
            return
        except (errors.Retryable, errors.Unclear) as error:  # deleting again is harmless
            delay = _delay(error, attempt)
            if delay > LONGEST_WAIT:
                raise _Stop(
                    f"post {post.position}: {_reason(error)}; try again in "
                    f"{delay / 60:.0f} minutes"
                ) from None
        except errors.PlatformError as error:  # Refused: 401/403, the platform's reason
            raise _Stop(f"post {post.position}: {_reason(error)}") from None
        if attempt < MAX_ATTEMPTS:
            notify(Event("waiting", post.position, total, delay=delay))
            await sleep(delay)
    raise _Stop(f"post {post.position}: gave up after {MAX_ATTEMPTS} attempts")


async def _ended(
    db: Database,
    edition_id: int,
    account: str,
    deleted: int,
    reason: str,
    notify: Listener,
    *,
    keep: bool = False,
) -> RetractResult:
    """Stopped midway: `retracting` with the reason (unless `keep`: the claim went to
    another process, or this one is stopping, and the edition is left as it is)."""
    if not keep:
        await off_loop(
            db, set_edition_status, db, edition_id, EditionStatus.RETRACTING, last_error=reason
        )
    posts = await off_loop(db, edition_posts, db, edition_id)
    retracted = sum(post.status is PostStatus.RETRACTED for post in posts)
    total = sum(post.status in WENT_OUT for post in posts)
    notify(Event("stopped", retracted, total, detail=reason))
    status = EditionStatus.RETRACTING
    return RetractResult(edition_id, account, status, retracted, total, deleted, reason)
