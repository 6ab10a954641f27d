"""When to publish: times and durations as people type them, checked against the tz database.

Times are entered in the user's zone and stored as UTC with the zone name (docs/DESIGN.md,
"Scheduling"). Nothing here reads the clock: callers pass `now` (aware) in.

A wall-clock time that a zone skips (the DST gap) or repeats (the DST fold) is refused with
the two times that would work, never guessed: a thread that goes out an hour early or late
is the kind of mistake this tool exists to prevent.
"""

from __future__ import annotations

import difflib
import os
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from composer.errors import ComposerError

ACCEPTED_FORMS = (
    "'YYYY-MM-DD HH:MM' or 'YYYY-MM-DD HH:MM:SS' in the time zone, "
    "or ISO 8601 with an offset like '2026-12-01T09:00:00+05:00' or '2026-12-01T04:00:00Z'"
)
MAX_DURATION = timedelta(days=366)

_LOCAL = re.compile(r"(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?")
_WITH_OFFSET = re.compile(
    r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:[zZ]|[+-]\d{2}(?::?\d{2})?)"
)
_DURATION = re.compile(
    r"(?:(?P<d>\d+)\s*d)?\s*(?:(?P<h>\d+)\s*h)?\s*(?:(?P<m>\d+)\s*m)?\s*(?:(?P<s>\d+)\s*s)?"
)
_UNIT_SECONDS = {"d": 86400, "h": 3600, "m": 60, "s": 1}
_MAX_TEXT = 64  # longer input is not a time or a duration; also bounds int() on digits


class WhenError(ComposerError, ValueError):
    """A time, duration or zone the user gave cannot be used; the message is one sentence."""


@dataclass(frozen=True, slots=True)
class Scheduled:
    """A moment to publish: the instant (UTC), the zone it was given in, and its wall time."""

    at_utc: datetime  # aware, UTC
    zone: str  # IANA name, kept for display
    local: datetime  # aware, in `zone`

    def display(self) -> str:
        return format_local(self.at_utc, self.zone)


def parse_when(text: str, zone: str, now: datetime) -> Scheduled:
    """The moment `text` names, read in `zone`; it must be after `now` (aware).

    Accepts `YYYY-MM-DD HH:MM[:SS]` (wall time in `zone`) or ISO 8601 with an offset
    (`2026-12-01T09:00:00+05:00`, `...Z`), whose instant is taken as is; `zone` is then
    still recorded, for showing the time back. Raises WhenError.
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be an aware datetime")
    tz = zone_info(zone)
    given = text.strip()
    if len(given) <= _MAX_TEXT and (match := _LOCAL.fullmatch(given)):
        at_utc = _from_wall_time(given, match, zone, tz)
    elif len(given) <= _MAX_TEXT and _WITH_OFFSET.fullmatch(given):
        at_utc = _from_iso(given)
    else:
        raise WhenError(f"cannot read {_shown(text)} as a time: use {ACCEPTED_FORMS}")
    try:
        local = at_utc.astimezone(tz)
    except OverflowError:
        raise WhenError(f"{text.strip()!r} is too far in the future") from None
    if at_utc < now:
        ago = humanize(now - at_utc)
        raise WhenError(
            f"{_wall(local)} {zone} is in the past ({ago} ago); it is now {format_local(now, zone)}"
        )
    return Scheduled(at_utc=at_utc, zone=zone, local=local)


def parse_duration(text: str) -> timedelta:
    """A positive duration of at most 366 days: `90s`, `15m`, `2h`, `1d`, `1h30m`, `1d 2h`."""
    given = text.strip().lower()
    match = _DURATION.fullmatch(given) if len(given) <= _MAX_TEXT else None
    if not match or not any(match.groupdict().values()):
        raise WhenError(
            f"cannot read {_shown(text)} as a duration: use whole numbers with the units d, h, m "
            "and s in that order, like 90s, 15m, 2h, 1d or 1h30m"
        )
    seconds = sum(
        int(value) * _UNIT_SECONDS[unit] for unit, value in match.groupdict().items() if value
    )
    if seconds <= 0:
        raise WhenError(f"the duration {text.strip()!r} is zero: give a positive one, like 15m")
    if seconds > MAX_DURATION.total_seconds():
        raise WhenError(
            f"the duration {text.strip()!r} is longer than {MAX_DURATION.days} days: "
            "give a date and time instead"
        )
    return timedelta(seconds=seconds)


def resolve_zone(explicit: str | None, draft_zone: str | None, config_zone: str | None) -> str:
    """The zone to read times in: `--tz`, else the draft's, else the config default, else
    the system's own zone (tzlocal, else the /etc/localtime link, else UTC).

    The name is not checked here; `parse_when` and `zone_info` say if it is unknown.
    """
    for zone in (explicit, draft_zone, config_zone):
        if zone is not None and zone.strip():
            return zone.strip()
    return system_zone()


def system_zone() -> str:
    """The IANA name of this machine's zone, or "UTC" when it cannot be told."""
    try:
        import tzlocal

        name = tzlocal.get_localzone_name()
    except Exception:  # not installed, or a system configuration it cannot read
        name = None
    if name and _is_zone(name):
        return name
    try:
        link = os.readlink("/etc/localtime")
    except OSError:
        return "UTC"
    _, found, name = link.rpartition("zoneinfo/")
    return name if found and _is_zone(name) else "UTC"


def format_local(at_utc: datetime, zone: str) -> str:
    """`2026-12-01 09:00 Asia/Almaty (+05)`: an instant as wall time in a zone, for display.

    Seconds are shown only when not zero. A zone the tz database no longer knows is not an
    error here (showing the queue must not fail): the time is shown in UTC instead.
    """
    try:
        tz = zone_info(zone)
    except WhenError:
        return f"{_wall(at_utc.astimezone(UTC))} UTC (unknown zone {zone!r})"
    local = at_utc.astimezone(tz)
    return f"{_wall(local)} {zone} ({local.tzname()})"


def zone_info(zone: str) -> ZoneInfo:
    """The tz database entry for an IANA zone name; WhenError suggests near names."""
    try:
        return ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        pass
    raise WhenError(f"unknown time zone {zone!r}: {_zone_hint(zone)}")


def _shown(text: str) -> str:
    """The user's text quoted for an error message, cut short if it is long."""
    text = text.strip()
    return repr(text if len(text) <= _MAX_TEXT else text[: _MAX_TEXT - 1] + "…")


def _is_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


def _zone_hint(zone: str) -> str:
    names = sorted(available_timezones())
    by_folded = {name.casefold(): name for name in names}
    wanted = zone.strip().replace(" ", "_")
    exact = by_folded.get(wanted.casefold())
    if exact is not None:
        return f"did you mean {exact!r}?"
    close = difflib.get_close_matches(wanted, names, n=3, cutoff=0.6)
    if not close:
        # Match the city alone: "Almaty" -> "Asia/Almaty".
        cities = {name.rpartition("/")[2].casefold(): name for name in names}
        city = difflib.get_close_matches(wanted.casefold(), list(cities), n=3, cutoff=0.75)
        close = [cities[match] for match in city]
    if close:
        return "did you mean " + " or ".join(repr(name) for name in close) + "?"
    return "use an IANA name like 'Asia/Almaty' or 'Europe/Berlin'"


def _from_iso(text: str) -> datetime:
    try:
        # 3.11 reads Z and +HH:MM; normalise the rest (+HHMM, +HH) to be sure.
        value = datetime.fromisoformat(_normalise_offset(text))
        return value.astimezone(UTC)
    except (ValueError, OverflowError) as error:
        raise WhenError(f"{text!r} is not a valid date and time ({error})") from None


def _normalise_offset(text: str) -> str:
    text = re.sub(r"[zZ]$", "+00:00", text)
    text = re.sub(r"([+-]\d{2})(\d{2})$", r"\1:\2", text)
    return re.sub(r"([+-]\d{2})$", r"\1:00", text)


def _from_wall_time(text: str, match: re.Match[str], zone: str, tz: ZoneInfo) -> datetime:
    year, month, day, hour, minute, second = (int(part or 0) for part in match.groups())
    try:
        naive = datetime(year, month, day, hour, minute, second)
        first = naive.replace(tzinfo=tz, fold=0).astimezone(UTC)
        second_reading = naive.replace(tzinfo=tz, fold=1).astimezone(UTC)
        exists = first.astimezone(tz).replace(tzinfo=None) == naive
    except (ValueError, OverflowError) as error:
        raise WhenError(f"{text!r} is not a valid date and time ({error})") from None
    if not exists:
        raise WhenError(_gap_message(naive, zone, tz))
    if first != second_reading:  # both UTC: compared as instants
        raise WhenError(_fold_message(naive, zone, tz))
    return first


def _gap_message(naive: datetime, zone: str, tz: ZoneInfo) -> str:
    # In a gap, fold=0 reads the time with the offset before the jump, fold=1 after.
    before = _offset(naive.replace(tzinfo=tz, fold=0))
    after = _offset(naive.replace(tzinfo=tz, fold=1))
    jump = _transition(tz, naive - after, naive - before)
    skipped = after - before
    start, end = jump + before, jump + after
    day = naive.date()
    return (
        f"{_wall(naive)} does not exist in {zone}: the clocks jump from "
        f"{_clock(start, day)} to {_clock(end, day)} there, so use "
        f"{_wall(naive + skipped)} or {_wall(naive - skipped)}"
    )


def _fold_message(naive: datetime, zone: str, tz: ZoneInfo) -> str:
    earlier = naive.replace(tzinfo=tz, fold=0)
    later = naive.replace(tzinfo=tz, fold=1)
    before, after = _offset(earlier), _offset(later)
    jump = _transition(tz, naive - before, naive - after)
    day = naive.date()
    iso = naive.isoformat(timespec="minutes" if naive.second == 0 else "seconds")
    return (
        f"{_wall(naive)} happens twice in {zone} (the clocks go back from "
        f"{_clock(jump + before, day)} to {_clock(jump + after, day)}): choose one with an "
        f"explicit offset, {iso}{_iso_offset(before)} for the first ({earlier.tzname()}) or "
        f"{iso}{_iso_offset(after)} for the second ({later.tzname()})"
    )


def _offset(value: datetime) -> timedelta:
    offset = value.utcoffset()
    assert offset is not None  # a ZoneInfo always has one
    return offset


def _transition(tz: ZoneInfo, low: datetime, high: datetime) -> datetime:
    """The first UTC instant (naive, whole seconds) in (low, high] whose offset differs from
    the offset at `low`; `low` and `high` are naive UTC."""
    start = low.replace(tzinfo=UTC)
    offset = _offset(start.astimezone(tz))
    lo, hi = 0, int((high - low).total_seconds())
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if _offset((start + timedelta(seconds=mid)).astimezone(tz)) == offset:
            lo = mid
        else:
            hi = mid
    return low + timedelta(seconds=hi)


def _iso_offset(offset: timedelta) -> str:
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    hours, minutes = divmod(abs(minutes), 60)
    return f"{sign}{hours:02d}:{minutes:02d}"


def _wall(value: datetime) -> str:
    """`YYYY-MM-DD HH:MM`, with `:SS` when the seconds are not zero."""
    return value.strftime("%Y-%m-%d %H:%M:%S" if value.second else "%Y-%m-%d %H:%M")


def _clock(value: datetime, day: date) -> str:
    """The time of day alone when it falls on `day`, else the full date and time."""
    if value.date() != day:
        return _wall(value)
    return value.strftime("%H:%M:%S" if value.second else "%H:%M")


def humanize(span: timedelta) -> str:
    """`2 days 3 hours`, `5 minutes`, `40 seconds`: the two largest units, rounded down."""
    seconds = int(span.total_seconds())
    if seconds < 1:
        return "less than a second"
    parts: list[str] = []
    for name, size in (("day", 86400), ("hour", 3600), ("minute", 60), ("second", 1)):
        count, seconds = divmod(seconds, size)
        if count:
            parts.append(f"{count} {name}{'s' if count != 1 else ''}")
        elif parts:
            break  # "2 days 5 minutes" would read oddly; stop at the first empty unit
        if len(parts) == 2:
            break
    return " ".join(parts)


_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DAY_SETS = {"daily": set(range(7)), "weekdays": set(range(5)), "weekends": {5, 6}}


def slot_days(days: str) -> set[int]:
    """The weekdays (0 = Monday) of a slot's days part: "Mon-Fri", "sat,sun", "daily"."""
    days = days.lower()
    if days in _DAY_SETS:
        return set(_DAY_SETS[days])
    chosen: set[int] = set()
    for part in days.split(","):
        first, _, last = part.partition("-")
        start = _WEEKDAYS.index(first)
        end = _WEEKDAYS.index(last) if last else start
        chosen.update(
            range(start, end + 1) if start <= end else [*range(start, 7), *range(end + 1)]
        )
    return chosen


def slot_times(
    slots: list[str] | tuple[str, ...], zone: str, after: datetime, days: int = 62
) -> list[datetime]:
    """The UTC times of `slots` ("Mon-Fri 09:00", in `zone`) after `after`, soonest first.

    A slot time a DST change skips moves to the same time after the change; one it repeats
    is the first of the two.
    """
    tz = zone_info(zone)
    parsed = []
    for slot in slots:
        day_part, _, clock = slot.strip().rpartition(" ")
        hour, minute = (int(x) for x in clock.split(":"))
        parsed.append((slot_days(day_part), hour, minute))
    start = after.astimezone(tz).date()
    times: set[datetime] = set()
    for offset in range(days):
        day = start + timedelta(days=offset)
        for weekdays, hour, minute in parsed:
            if day.weekday() in weekdays:
                local = datetime(day.year, day.month, day.day, hour, minute, tzinfo=tz)
                at = local.astimezone(UTC)
                if at > after:
                    times.add(at)
    return sorted(times)


def next_quarter_hour(now: datetime, zone: str) -> str:
    """The first round quarter-hour after `now`, as wall time in `zone` (UTC if unknown):
    the time a new schedule starts from."""
    try:
        tz = zone_info(zone)
    except WhenError:
        tz = UTC  # type: ignore[assignment]
    local = now.astimezone(tz).replace(second=0, microsecond=0)
    local += timedelta(minutes=15 - local.minute % 15)
    return local.strftime("%Y-%m-%d %H:%M")
