"""Recurring editions: a draft published on a cron-like rule, each occurrence its own edition.

A rule is a 5-field cron expression or one of a few forms people type (see `parse_rule`),
read in an IANA zone. APScheduler 3's `CronTrigger` computes the fire times (it walks the
calendar in the zone); on top of it two DST decisions are made here and written down:

- a wall time the clocks skip (02:30 on the night the clocks jump from 02:00 to 03:00) runs
  once, as long after the jump as it would have been after 02:00 (03:30): never dropped;
- a wall time the clocks repeat (02:30 on the night they go back) runs once, at the first
  of the two: never published twice.

The daemon calls `materialize_due` each round: every occurrence that is due becomes an edition
composed from the draft file as it is at that moment, and the rule's `next_at` moves on in
the same transaction (a conditional UPDATE on the old value, plus a unique index on the
occurrence), so two daemons make exactly one edition per occurrence.
"""

from __future__ import annotations

import functools
import logging
import re
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

import composer.store as store
from composer.errors import ComposerError
from composer.publishing import PublishError, plan_editions, with_link_cards
from composer.store import Database, DatabaseFailure, Recurrence, StoreError
from composer.text import SplitError
from composer.text.enrich import EnrichError
from composer.text.numbering import NumberingError
from composer.workspace.config import Config, ConfigError
from composer.workspace.drafts import Draft, DraftError, load_draft
from composer.workspace.when import WhenError, resolve_zone, slot_days, zone_info

log = logging.getLogger("composer.daemon")

RULE_FORMS = (
    "a cron expression 'MIN HOUR DAY MONTH WEEKDAY' like '0 9 * * mon', or "
    "'daily 09:00', 'weekdays 17:00', 'weekends 10:00', 'Mon 09:00', 'Mon-Fri 17:00', "
    "'mon,wed,fri 08:30', 'monthly 1 09:00', 'monthly last 18:00'"
)
MISSED_RECORDED = 20  # occurrences recorded as missed after a downtime; older ones are counted
WALK_LIMIT = 2_000  # occurrences walked one by one when catching up; then it jumps
HORIZON = timedelta(days=8 * 366)  # far enough for a Feb 29 rule; a rule beyond it has ended
_WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_CLOCK = re.compile(r"(\d{1,2}):(\d{2})")
_MAX_TEXT = 200  # the column's length


class RuleError(ComposerError, ValueError):
    """A rule, zone or account that cannot be used; the message is one line for the user."""


@dataclass(frozen=True, slots=True)
class Rule:
    """A recurrence rule: cron fields (weekdays by name, never by number) in a zone."""

    cron: str
    zone: str

    def trigger(self) -> CronTrigger:
        return _trigger(self.cron, self.zone)

    def times(self, after: datetime) -> Iterator[datetime]:
        """The occurrences strictly after `after` (aware), soonest first, in UTC."""
        return (instant for instant, _ in self._walk(after))

    def next_after(self, after: datetime) -> datetime | None:
        return next(self.times(after), None)

    def upcoming(self, after: datetime, count: int) -> list[datetime]:
        found: list[datetime] = []
        if count <= 0:
            return found
        for instant in self.times(after):
            found.append(instant)
            if len(found) == count:
                break
        return found

    def dst_notes(self, after: datetime, days: int = 366) -> list[str]:
        """What the DST rules do to this rule's occurrences over the next `days`, in words."""
        notes: list[str] = []
        until = after + timedelta(days=days)
        for count, (instant, shifted_from) in enumerate(self._walk(after)):
            if instant > until or count > WALK_LIMIT:
                break
            if shifted_from is not None:
                local = instant.astimezone(ZoneInfo(self.zone))
                notes.append(
                    f"{shifted_from:%Y-%m-%d %H:%M} does not exist in {self.zone} (the clocks "
                    f"jump forward): that occurrence runs at {local:%H:%M}"
                )
        for repeated in self._repeated(after, until):
            notes.append(
                f"{repeated:%Y-%m-%d %H:%M} happens twice in {self.zone} (the clocks go back): "
                "it runs once, at the first"
            )
        return notes

    def _walk(self, after: datetime) -> Iterator[tuple[datetime, datetime | None]]:
        """(instant in UTC, the skipped wall time it stands for, or None), strictly after
        `after`, each wall time once."""
        if after.tzinfo is None or after.utcoffset() is None:
            raise ValueError("after must be an aware datetime")
        tz = ZoneInfo(self.zone)
        trigger = self.trigger()
        cursor = after.astimezone(UTC)
        horizon = cursor + HORIZON  # a rule with no time within it has ended
        while True:
            fire = trigger.get_next_fire_time(None, cursor + timedelta(microseconds=1))
            if fire is None or fire > horizon:
                return
            instant = fire.astimezone(UTC)
            cursor = instant
            if instant <= after:
                continue  # a gap time that lands on an instant already given
            if _second_of_a_fold(fire, tz):
                continue  # the repeated wall time: the first one ran
            wall = fire.replace(tzinfo=None)
            shifted = wall if instant.astimezone(tz).replace(tzinfo=None) != wall else None
            yield instant, shifted

    def _repeated(self, after: datetime, until: datetime) -> Iterator[datetime]:
        """Wall times of this rule that fall in a fold between `after` and `until`."""
        tz = ZoneInfo(self.zone)
        trigger = self.trigger()
        cursor = after.astimezone(UTC)
        for _ in range(WALK_LIMIT):
            fire = trigger.get_next_fire_time(None, cursor + timedelta(microseconds=1))
            if fire is None or fire.astimezone(UTC) > until:
                return
            cursor = fire.astimezone(UTC)
            if _second_of_a_fold(fire, tz):
                yield fire.replace(tzinfo=None)


@functools.lru_cache(maxsize=256)
def _trigger(cron: str, zone: str) -> CronTrigger:
    """APScheduler's trigger for the fields (it keeps no state between calls: shared)."""
    minute, hour, day, month, weekday = cron.split()
    return CronTrigger(
        minute=minute,
        hour=hour,
        day=day,
        month=month,
        day_of_week=weekday,
        timezone=ZoneInfo(zone),
    )


def _second_of_a_fold(fire: datetime, tz: ZoneInfo) -> bool:
    wall = fire.replace(tzinfo=None)
    first = wall.replace(tzinfo=tz, fold=0).astimezone(UTC)
    return first != fire.astimezone(UTC) and first.astimezone(tz).replace(tzinfo=None) == wall


def parse_rule(text: str, zone: str) -> Rule:
    """A rule as typed: a 5-field cron expression (weekday numbers as in cron: 0 or 7 is
    Sunday, 1 Monday), or one of the forms in RULE_FORMS. Raises RuleError."""
    try:
        zone_info(zone)
    except WhenError as error:
        raise RuleError(str(error)) from None
    given = " ".join(text.split()).lower()
    if not given or len(given) > _MAX_TEXT:
        raise RuleError(f"cannot read {text!r} as a rule: use {RULE_FORMS}")
    parts = given.split(" ")
    try:
        cron = _cron(parts) if len(parts) == 5 else _friendly(parts)
        rule = Rule(cron, zone)
        rule.trigger()  # APScheduler checks every field
    except (ValueError, KeyError) as error:
        raise RuleError(
            f"cannot read {text.strip()!r} as a rule ({error}): use {RULE_FORMS}"
        ) from None
    return rule


def _friendly(parts: list[str]) -> str:
    if len(parts) == 3 and parts[0] == "monthly":
        day = parts[1]
        if day != "last" and not (day.isdigit() and 1 <= int(day) <= 31):
            raise ValueError(f"the day of the month {day!r} is not 1 to 31 or 'last'")
        hour, minute = _clock(parts[2])
        return f"{minute} {hour} {int(day) if day.isdigit() else day} * *"
    if len(parts) == 2:
        hour, minute = _clock(parts[1])
        try:  # daily, weekdays, weekends, Mon-Fri, mon,wed,fri, fri-mon
            days = sorted(slot_days(parts[0]))
        except ValueError:
            raise ValueError(f"{parts[0]!r} is not a day like Mon, Mon-Fri or daily") from None
        weekday = "*" if len(days) == 7 else ",".join(_WEEKDAY_NAMES[d] for d in days)
        return f"{minute} {hour} * * {weekday}"
    raise ValueError("not a known form")


def describe_rule(cron: str) -> str:
    """A stored rule as a person would type it: "Mon-Fri 09:00", "daily 17:30",
    "monthly last 18:00"; a cron expression no friendly form writes stays as it is."""
    fields = cron.split(" ")
    if len(fields) != 5 or not (fields[0].isdigit() and fields[1].isdigit()):
        return cron
    minute, hour, day, month, weekday = fields
    clock = f"{int(hour):02d}:{int(minute):02d}"
    if month != "*":
        return cron
    if weekday == "*" and day == "*":
        return f"daily {clock}"
    if weekday == "*" and (day == "last" or day.isdigit()):
        return f"monthly {day} {clock}"
    names = weekday.split(",")
    if day != "*" or not set(names) <= set(_WEEKDAY_NAMES):
        return cron
    return f"{_day_ranges(sorted(_WEEKDAY_NAMES.index(n) for n in set(names)))} {clock}"


def _day_ranges(days: list[int]) -> str:
    """Mon..Sun numbers (sorted) as "Mon-Fri", "Mon,Wed,Fri" or "Sat-Sun"."""
    runs: list[list[int]] = []
    for day in days:
        if runs and runs[-1][-1] == day - 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    if len(runs) > 1 and runs[0][0] == 0 and runs[-1][-1] == 6:  # Fri-Mon: round the week
        runs = [runs[-1] + runs[0], *runs[1:-1]]
    name = [n.capitalize() for n in _WEEKDAY_NAMES]
    return ",".join(
        name[run[0]] if len(run) == 1 else f"{name[run[0]]}-{name[run[-1]]}" for run in runs
    )


def _clock(text: str) -> tuple[int, int]:
    match = _CLOCK.fullmatch(text)
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        raise ValueError(f"{text!r} is not a time of day HH:MM")
    return int(match[1]), int(match[2])


def _cron(parts: list[str]) -> str:
    """The five fields with cron's weekday numbers turned into names (APScheduler 3 counts
    from Monday = 0, cron from Sunday = 0: names mean the same to both)."""
    *first, weekday = parts
    return " ".join([*first, _weekday_names(weekday)])


def _weekday_names(weekday: str) -> str:
    names: list[str] = []
    for part in weekday.split(","):
        match = re.fullmatch(r"(\*|\d+(?:-\d+)?)(?:/(\d+))?", part)
        if not match:
            names.append(part)  # names, ranges of names, '*': the same in both
            continue
        span, step = match[1], int(match[2] or 1)
        if step < 1:
            raise ValueError("a step must be at least 1")
        first, _, last = ("0-6" if span == "*" else span).partition("-")
        low, high = int(first), int(last or first)
        if match[2] and not last and span != "*":
            high = 6  # "1/2": from Monday on, every other day
        if not (0 <= low <= 7 and 0 <= high <= 7) or low > high:
            raise ValueError(f"the weekday {part!r} is not within 0-7 (0 and 7 are Sunday)")
        if span == "*" and step == 1:
            names.append("*")
            continue
        names += [_WEEKDAY_NAMES[(n - 1) % 7] for n in range(low, high + 1, step)]
    return ",".join(dict.fromkeys(names))


# --- creating rules -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CreatedRule:
    id: int
    account: str
    rule: Rule
    next_times: list[datetime]  # UTC
    notes: list[str] = field(default_factory=list)


def rule_zone(draft: Draft, config: Config | None, explicit: str | None = None) -> str:
    """The zone a rule is read in: the one given, then the draft's, the config's, the
    system's (as `schedule --at` does)."""
    return resolve_zone(
        explicit, draft.meta.get("timezone"), config.defaults.timezone if config else None
    )


def create_rules(
    db: Database,
    draft: Draft,
    path: Path,
    config: Config | None,
    accounts: Sequence[str],
    *,
    every: str,
    now: datetime,
    zone: str | None = None,
    shown: int = 3,
) -> list[CreatedRule]:
    """One rule per account (the draft's own list when none is given). The draft must
    compose for each account now; each occurrence is composed again when it comes due."""
    rule = parse_rule(every, rule_zone(draft, config, zone))
    try:
        plans = plan_editions(draft, path, config, accounts, for_real=False)
    except PublishError as error:
        raise RuleError(str(error)) from error
    first = rule.next_after(now)
    if first is None:
        raise RuleError(f"the rule {every.strip()!r} never comes due (check its day and month)")
    notes = rule.dst_notes(now)
    day = rule.cron.split()[2]
    if day.isdigit() and int(day) >= 29:
        notes.insert(0, f"a month without day {day} has no occurrence; 'monthly last' never skips")
    created: list[CreatedRule] = []
    for plan in plans:
        try:
            row = store.create_recurrence(
                db,
                draft_path=plan.draft_path,
                account=plan.account.name,
                rule=rule.cron,
                zone=rule.zone,
                next_at=first,
            )
        except DatabaseFailure:  # the database failing is not a bad rule: it stays what it is
            raise
        except StoreError as error:
            raise RuleError(str(error)) from error
        assert row.id is not None
        created.append(
            CreatedRule(row.id, plan.account.name, rule, rule.upcoming(now, shown), notes)
        )
    return created


def next_times(recurrence: Recurrence, count: int = 3) -> list[datetime]:
    """A rule's next `count` occurrences, starting with its stored `next_at`."""
    if recurrence.next_at is None or not recurrence.active:
        return []
    try:
        rule = Rule(recurrence.rule, recurrence.timezone)
        later = rule.upcoming(recurrence.next_at, count - 1)
    except Exception:  # a zone the tz database no longer knows: show what is stored
        later = []
    return [recurrence.next_at, *later]


# --- turning due occurrences into editions --------------------------------------------------


@dataclass(slots=True)
class Materialized:
    """What one call of `materialize_due` did."""

    scheduled: list[int] = field(default_factory=list)  # edition ids, to be claimed and sent
    failed: list[int] = field(default_factory=list)  # editions recorded as failed (bad draft)
    missed: list[int] = field(default_factory=list)  # editions recorded as missed (downtime)
    skipped: int = 0  # missed occurrences counted but not recorded (the cap)
    lost: int = 0  # occurrences another daemon made first


def materialize_due(
    db: Database,
    config: Config,
    *,
    now: datetime,
    grace: timedelta,
    missed_cap: int = MISSED_RECORDED,
) -> Materialized:
    """Every due occurrence of every active rule becomes an edition: scheduled (composed from
    the draft now), failed (the draft cannot be composed: the reason is kept, the rule goes
    on) or, older than `grace`, missed."""
    result = Materialized()
    for recurrence in store.due_recurrences(db, now):
        try:
            _materialize_one(db, config, recurrence, now, grace, missed_cap, result)
        except Exception as error:  # one broken rule must not stop the round for the rest
            assert recurrence.id is not None
            reason = f"{type(error).__name__}: {error}"
            store.set_last_error(db, recurrence.id, reason)
            log.error("recurrence", extra={"fields": {"rule": recurrence.id, "error": reason}})
    return result


def _materialize_one(
    db: Database,
    config: Config,
    recurrence: Recurrence,
    now: datetime,
    grace: timedelta,
    missed_cap: int,
    result: Materialized,
) -> None:
    assert recurrence.id is not None and recurrence.next_at is not None
    rule_id, expected = recurrence.id, recurrence.next_at
    try:
        rule = Rule(recurrence.rule, recurrence.timezone)
        rule.trigger()
    except Exception as error:  # e.g. the zone left the tz database
        store.set_last_error(db, rule_id, f"the rule cannot be read any more: {error}")
        return
    account = config.accounts.get(recurrence.account)
    platform = account.platform if account else "unknown"  # an account since removed
    cutoff = now - grace
    if expected < cutoff:
        recorded, skipped, exact, resume = _missed(rule, expected, cutoff, missed_cap)
        reason = (
            f"missed: not published within {_minutes(grace)} of its time "
            "(the daemon was not running)"
        )
        missed = _occurrence_of(recurrence, expected, resume, recurrence.account, platform)
        ids = store.record_missed(
            db, missed, recorded, reason, skipped=skipped, skipped_exact=exact
        )
        if ids is None:
            result.lost += 1
            return
        result.missed += ids
        result.skipped += skipped
        fields = {"rule": rule_id, "recorded": len(ids), "skipped": skipped}
        log.warning("recurrence missed", extra={"fields": fields})
        if skipped:
            log.warning(
                "recurrence missed: older occurrences not recorded",
                extra={
                    "fields": {
                        "rule": rule_id,
                        "not_recorded": skipped if exact else f"at least {skipped}",
                        "cap": missed_cap,
                    }
                },
            )
        if resume is None:
            return
        expected = resume
    while expected <= now:
        following = rule.next_after(expected)
        edition = _occurrence(db, config, recurrence, expected, following, platform)
        if edition is None:
            result.lost += 1
            return
        edition_id, failed = edition
        (result.failed if failed else result.scheduled).append(edition_id)
        if following is None:
            return
        expected = following


def _occurrence(
    db: Database,
    config: Config,
    recurrence: Recurrence,
    at: datetime,
    following: datetime | None,
    platform: str,
) -> tuple[int, bool] | None:
    """One occurrence as an edition composed from the draft file now; (id, failed), or None
    when another daemon made it first."""
    assert recurrence.id is not None
    try:
        draft = load_draft(recurrence.draft_path)
        # Its images are checked now (file, alt text), as for any edition: a problem fails
        # this occurrence with the reason, and the rule goes on.
        [plan] = plan_editions(draft, Path(recurrence.draft_path), config, [recurrence.account])
        # Its link cards are fetched now, once: the occurrence sends what was fetched.
        [plan] = with_link_cards([plan])
    except (
        DraftError,
        OSError,
        PublishError,
        ConfigError,
        SplitError,
        NumberingError,
        EnrichError,
    ) as error:
        reason = f"the draft could not be composed at {at:%Y-%m-%d %H:%M} UTC: {error}"
        failed = _occurrence_of(recurrence, at, following, recurrence.account, platform)
        edition_id = store.record_failed(db, failed, reason)
        if edition_id is not None:
            log.error(
                "recurrence failed",
                extra={"fields": {"rule": recurrence.id, "edition": edition_id, "error": reason}},
            )
        return None if edition_id is None else (edition_id, True)
    edition_id = store.record_occurrence(
        db,
        _occurrence_of(recurrence, at, following, plan.account.name, plan.account.platform),
        plan.draft_text,
        plan.new_edition(),
    )
    if edition_id is not None:
        log.info(
            "recurrence",
            extra={"fields": {"rule": recurrence.id, "edition": edition_id, "at": at.isoformat()}},
        )
        for warning in plan.card_warnings:
            log.warning("link card", extra={"fields": {"edition": edition_id, "warning": warning}})
    return None if edition_id is None else (edition_id, False)


def _occurrence_of(
    recurrence: Recurrence, at: datetime, following: datetime | None, account: str, platform: str
) -> store.Occurrence:
    """The occurrence of `recurrence` at `at` (the rule then goes on to `following`)."""
    assert recurrence.id is not None
    return store.Occurrence(
        recurrence.id,
        expected=at,
        next_at=following,
        account=account,
        platform=platform,
        zone=recurrence.timezone,
        draft_path=recurrence.draft_path,
    )


def _missed(
    rule: Rule, start: datetime, cutoff: datetime, cap: int
) -> tuple[list[datetime], int, bool, datetime | None]:
    """The occurrences from `start` (included) to before `cutoff`: the latest `cap` of them
    to record, how many older ones are only counted, whether that count is exact, and the
    first occurrence at or after `cutoff` (None if the rule has ended). A frequent rule after
    a long downtime is walked WALK_LIMIT occurrences at most, then from a day before the
    cutoff: the count is then a lower bound."""
    late: deque[datetime] = deque([start], maxlen=max(cap, 1))
    counted = 1
    jumped = False

    def walk() -> Iterator[datetime]:
        nonlocal jumped
        walked = 1
        for instant in rule.times(start):
            yield instant
            walked += 1
            if walked == WALK_LIMIT:
                jumped = True
                yield from rule.times(max(instant, cutoff - timedelta(days=1)))
                return

    resume: datetime | None = None
    for instant in walk():
        if instant >= cutoff:
            resume = instant
            break
        late.append(instant)
        counted += 1
    recorded = list(late)[-cap:] if cap else []
    return recorded, counted - len(recorded), not jumped, resume


def _minutes(span: timedelta) -> str:
    minutes = int(span.total_seconds() // 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"
