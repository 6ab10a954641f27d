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
    MAX_ATTEMPTS,
    Event,
    Interrupted,
    Listener,
    Sleep,
    _delay_or_stop,
    _holding,
    _published,
    _reason,
    _Stop,
    _wait_or_give_up,
)
from composer.store import (
    WENT_OUT,
    ClaimLost,
    Database,
    EditionStatus,
    Holder,
    LedgerPost,
    PostStatus,
    StoreError,
    check_retractable,
    edition_posts,
    find_edition,
    follow_ups_of,
    mark_post_retracted,
    off_loop,
    set_edition_status,
)
from composer.text.platform_facts import FACTS


@dataclass(frozen=True, slots=True)
class RetractTarget:
    """One edition a retraction takes back."""

    edition_id: int
    account: str
    platform: str
    up: int  # its posts still up (sent, not retracted yet)


@dataclass(frozen=True, slots=True)
class RetractPlan:
    """What `retract` would take back, asked about before anything is deleted: the
    editions in the order they are taken back (a follow-up before what it follows), and
    the follow-ups with posts up that it leaves (without `with_follow_ups`)."""

    targets: tuple[RetractTarget, ...]
    follow_ups_left: tuple[int, ...] = ()

    @property
    def posts(self) -> int:
        return sum(target.up for target in self.targets)

    def question(self) -> str:
        """The confirmation, naming each account and platform and the number of posts."""
        parts = [
            f"{target.up} post{'s' if target.up != 1 else ''} of edition {target.edition_id} "
            f"from {target.account} ({FACTS[target.platform].label})"
            if target.platform in FACTS
            else f"{target.up} posts of edition {target.edition_id} from {target.account}"
            for target in self.targets
            if target.up
        ]
        return f"Delete {' and '.join(parts)}? This cannot be undone."

    def note(self, how: str = "add --with-follow-ups to take them back too") -> str | None:
        """A warning about follow-ups left up, replying to posts about to go, and `how` to
        take them back too (the front end's own way)."""
        if not self.follow_ups_left:
            return None
        ids = ", ".join(str(edition_id) for edition_id in self.follow_ups_left)
        return f"edition(s) {ids} continue this thread and stay up ({how})"


def retract_plan(db: Database, edition_id: int, *, with_follow_ups: bool) -> RetractPlan:
    """The editions a retraction of `edition_id` takes back (none: retracted already).
    StoreError (one line) for an edition that does not exist, was never published, or is
    cancelled, missed, or being published."""
    ids: list[int] = []
    left: list[int] = []
    for follow_up in follow_ups_of(db, edition_id):
        assert follow_up.id is not None
        try:
            takes = check_retractable(db, follow_up.id)
        except StoreError:  # scheduled, cancelled, never sent: nothing of it is up
            continue
        if takes and with_follow_ups:
            ids.append(follow_up.id)
        elif takes:
            left.append(follow_up.id)
    if check_retractable(db, edition_id):
        ids.append(edition_id)
    targets = []
    for target in ids:
        edition = find_edition(db, target)
        up = sum(post.status is PostStatus.SENT for post in edition_posts(db, target))
        targets.append(RetractTarget(target, edition.account, edition.platform, up))
    return RetractPlan(tuple(targets), tuple(left))


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
    still_up: tuple[str, ...] = ()  # the links of its posts still up, when it stopped

    @property
    def finished(self) -> bool:
        return self.status is EditionStatus.RETRACTED


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
    return RetractResult(
        edition_id, edition.account, EditionStatus.RETRACTED, total, total, deleted
    )


async def _delete(
    client: PlatformClient,
    post: LedgerPost,
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
            delay, last = _delay_or_stop(error, attempt, post.position), error
        except errors.PlatformError as error:  # Refused: 401/403, the platform's reason
            raise _Stop(f"post {post.position}: {_reason(error)}") from None
        await _wait_or_give_up(attempt, delay, post.position, total, last, notify, sleep)


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
    up = tuple(p.remote_url or p.remote_id or "" for p in posts if p.status is PostStatus.SENT)
    status = EditionStatus.RETRACTING
    return RetractResult(edition_id, account, status, retracted, total, deleted, reason, up)
