"""Scheduling a draft, as the CLI and the TUI both do it: when, in which zone, to which
accounts, and each account's next free posting slot.

Front ends parse their own input and show their own output; every decision about a time
lives here (and in `workspace.when`), so `schedule --at` and the TUI's dialog cannot differ.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import composer.store as store
from composer.errors import ComposerError
from composer.store import (
    CALLED_OFF,
    AlreadyHeld,
    Database,
    DatabaseFailure,
    DraftEdition,
    EditionStatus,
    StoreError,
    find_edition,
    schedule_new,
)
from composer.text.options import NO_OPTIONS, PostOptions
from composer.workspace.config import Account, Config
from composer.workspace.drafts import Draft

if TYPE_CHECKING:
    from composer.publishing import EditionPlan
from composer.workspace.when import (
    WhenError,
    format_local,
    parse_duration,
    parse_when,
    resolve_zone,
    slot_times,
)

SCHEDULE_AGAIN = "use --again to schedule it once more"
SCHEDULE_KEY = "schedule"  # the draft's own time, used when none is given


class ScheduleError(ComposerError, ValueError):
    """A schedule that cannot be made as asked; the message is one line for the user."""


@dataclass(frozen=True, slots=True)
class ScheduledEdition:
    """One account's edition, written to the queue."""

    id: int
    account: str
    at_utc: datetime
    zone: str
    posts: int
    warnings: tuple[str, ...] = ()  # pages that gave no link card (plain links instead)


@dataclass(frozen=True, slots=True)
class ScheduleChoice:
    """What the user chose, in `schedule` or the schedule dialog: when (`at`, a wall time in
    the zone or ISO 8601; `delay` from `now`; each account's next free slot; with none of
    them the draft's `schedule` key), the zone (`zone` over the draft's and the config's),
    and whether an account that already has the thread gets it `again` (`again_hint` says
    how, in the words of the front end)."""

    now: datetime
    at: str | None = None
    delay: str | None = None
    next_slot: bool = False
    zone: str | None = None
    again: bool = False
    again_hint: str = SCHEDULE_AGAIN
    options: PostOptions = NO_OPTIONS  # publishing options chosen over the draft's


def draft_schedule(draft: Draft) -> str | None:
    """The time in the draft's `schedule = "2026-12-24 09:00"` key (read in the draft's zone,
    or ISO 8601 with an offset, as `--at`), or None when it has none."""
    value = draft.meta.get(SCHEDULE_KEY)
    return value.strip() if isinstance(value, str) and value.strip() else None


def when_given(draft: Draft, path: Path, zone: str, choice: ScheduleChoice) -> datetime | None:
    """The instant asked for: `at` read in `zone`, `delay` from now, or None for each
    account's next free slot; with none of them, the draft's `schedule` key (a bad one is
    refused naming the file and the key)."""
    at, delay, next_slot, now = choice.at, choice.delay, choice.next_slot, choice.now
    given = sum((at is not None, delay is not None, next_slot))
    if given > 1:
        raise ScheduleError("give only one of a time, a delay or the next free slot")
    try:
        if at is not None:
            return parse_when(at, zone, now).at_utc
        if delay is not None:
            return (now + parse_duration(delay)).replace(microsecond=0)
    except WhenError as error:
        raise ScheduleError(str(error)) from error
    if next_slot:
        return None
    from_draft = draft_schedule(draft)
    if from_draft is None:
        raise ScheduleError(
            f"{path}: give a time, a delay or the next free slot (the draft has no "
            f'{SCHEDULE_KEY} = "YYYY-MM-DD HH:MM" key)'
        )
    try:
        return parse_when(from_draft, zone, now).at_utc
    except WhenError as error:
        raise ScheduleError(f"{path}: {SCHEDULE_KEY} = {from_draft!r}: {error}") from error


def draft_zone(draft: Draft, config: Config | None, explicit: str | None = None) -> str:
    """The zone times are read in: the one given, then the draft's, the config's, the
    system's."""
    try:
        return resolve_zone(
            explicit, draft.meta.get("timezone"), config.defaults.timezone if config else None
        )
    except WhenError as error:
        raise ScheduleError(str(error)) from error


def schedule_draft(
    db: Database,
    draft: Draft,
    path: Path,
    config: Config | None,
    accounts: Sequence[str],
    choice: ScheduleChoice,
) -> list[ScheduledEdition]:
    """Schedule `draft` for each account (the draft's own list when none is given) at one
    of: `at` (wall time in the zone, or ISO 8601), `delay` from now, or each account's next
    free slot. The texts are fixed now, exactly as previewed. An account that already has
    this thread (scheduled, being published or published) refuses the lot, naming the
    edition and ending with `again_hint`, unless `again`."""
    # Imported here: `queue` and `history` read this module, and publishing (httpx, the
    # platforms' clients) would double their start-up for nothing.
    from composer.publishing import PublishError, plan_editions, with_link_cards

    tz = draft_zone(draft, config, choice.zone)
    at_utc = when_given(draft, path, tz, choice)
    try:
        plans = plan_editions(draft, path, config, accounts, for_real=False, options=choice.options)
    except PublishError as error:
        raise ScheduleError(str(error)) from error
    # Every account's time first: one without a free slot must not leave the others
    # scheduled (a partial schedule the user did not ask for).
    times = [at_utc or next_free_slot(db, p.account, tz, choice.now) for p in plans]
    plans = with_link_cards(plans)  # fetched now: the author sees the warnings
    ids = _schedule_editions(db, plans, times, tz, choice)
    return [
        ScheduledEdition(
            edition_id, plan.account.name, when, tz, len(plan.thread.posts), plan.card_warnings
        )
        for edition_id, plan, when in zip(ids, plans, times, strict=True)
    ]


def next_free_slot(db: Database, account: Account, zone: str, now: datetime) -> datetime:
    """The first of the account's slots after now that no live edition of it has taken."""
    if not account.slots:
        raise ScheduleError(
            f"account {account.name!r} has no posting slots: add slots = "
            '["Mon-Fri 09:00", "Mon-Fri 17:00"] to its table in the accounts file'
        )
    taken = {
        e.scheduled_at
        for e in store.upcoming(db, account=account.name, include_done=True, done_limit=500)
        if e.status not in CALLED_OFF
    }
    try:
        for when in slot_times(account.slots, zone, now):
            if when not in taken:
                return when
    except WhenError as error:
        raise ScheduleError(str(error)) from error
    raise ScheduleError(f"account {account.name!r}: every slot of the next two months is taken")


def move_edition(
    db: Database, edition_id: int, at: str, *, now: datetime, zone: str | None = None
) -> ScheduledEdition:
    """Move a scheduled edition to `at`, read in `zone` or the edition's own zone."""
    try:
        edition = find_edition(db, edition_id)
        tz = resolve_zone(zone, edition.timezone, None)
        when = parse_when(at, tz, now).at_utc
        moved = store.move(db, edition_id, when, tz)
    except DatabaseFailure:  # the database failing is not a bad move: it stays what it is
        raise
    except (StoreError, WhenError) as error:
        raise ScheduleError(str(error)) from error
    return ScheduledEdition(edition_id, moved.account, when, tz, 0)


# --- follow-ups -------------------------------------------------------------------------------


def schedule_follow_up(
    db: Database,
    draft: Draft,
    path: Path,
    config: Config | None,
    follows: int,
    choice: ScheduleChoice,
    *,
    update: bool = False,
    accounts: Sequence[str] = (),
) -> ScheduledEdition:
    """Schedule `draft` as the continuation of edition `follows` (published or scheduled):
    on its account (another one named in `accounts` is refused), numbered on from its last
    post or, with `update`, marked "UPDATE". The daemon sends it once `follows` is
    published, not before; it fails, naming it, if that edition never is."""
    from composer.publishing import PublishError, follow_up, plan_editions, with_link_cards

    tz = draft_zone(draft, config, choice.zone)
    given = when_given(draft, path, tz, choice)
    try:
        plan_follow = follow_up(db, follows, update=update, account_names=accounts)
        [plan] = plan_editions(
            draft, path, config, (), for_real=False, follows=plan_follow, options=choice.options
        )
    except PublishError as error:
        raise ScheduleError(str(error)) from error
    when = given or next_free_slot(db, plan.account, tz, choice.now)
    # Before its parent it would only wait, and be missed once past the grace period.
    parent = find_edition(db, follows)
    parent_at = parent.scheduled_at
    if parent.status is EditionStatus.SCHEDULED and parent_at is not None and when < parent_at:
        raise ScheduleError(
            f"edition {follows} goes out at {format_local(parent_at, tz)}: "
            "schedule its follow-up at that time or later"
        )
    [plan] = with_link_cards([plan])
    [edition_id] = _schedule_editions(db, [plan], [when], tz, choice)
    return ScheduledEdition(
        edition_id, plan.account.name, when, tz, len(plan.thread.posts), plan.card_warnings
    )


def _schedule_editions(
    db: Database,
    plans: Sequence[EditionPlan],
    times: Sequence[datetime],
    zone: str,
    choice: ScheduleChoice,
) -> list[int]:
    """Each plan's edition written to the ledger as scheduled, at its time: the texts are
    fixed now, as previewed; the daemon sends them then. All or none: unless `again`, an
    account that already has the thread refuses the lot with one ScheduleError naming the
    edition (checked in the transaction that writes them, so two runs cannot both write)."""
    new = [
        DraftEdition(plan.draft_text, plan.new_edition(scheduled_at=at_utc, timezone=zone))
        for plan, at_utc in zip(plans, times, strict=True)
    ]
    try:
        editions = schedule_new(db, new, again=choice.again)
    except AlreadyHeld as error:
        from composer.publishing import already_has

        held = already_has(error.account, error.edition)
        raise ScheduleError(f"{held}; {choice.again_hint}") from None
    return [edition.id for edition in editions if edition.id is not None]
