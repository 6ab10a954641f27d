"""Times and durations as people type them: zones, DST gaps and folds, the past."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from composer.workspace.when import (
    Scheduled,
    WhenError,
    format_local,
    parse_duration,
    parse_when,
    resolve_zone,
)

# A fixed "now": every test reads this, never the clock.
NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "zone", "expected_utc"),
    [
        pytest.param("2026-12-01 09:00", "Asia/Almaty", utc(2026, 12, 1, 4, 0), id="almaty-local"),
        pytest.param(
            "2026-07-01 09:00:30", "Asia/Almaty", utc(2026, 7, 1, 4, 0, 30), id="with-seconds"
        ),
        pytest.param(
            "  2026-12-01 09:00 ", "Asia/Almaty", utc(2026, 12, 1, 4, 0), id="surrounding-space"
        ),
        pytest.param(
            "2026-12-01T09:00", "Asia/Almaty", utc(2026, 12, 1, 4, 0), id="t-without-offset-local"
        ),
        pytest.param(
            "2026-12-01T09:00:00+05:00", "Asia/Almaty", utc(2026, 12, 1, 4), id="iso-offset"
        ),
        pytest.param(
            "2026-12-01T09:00:00+05:00", "Europe/Berlin", utc(2026, 12, 1, 4), id="iso-other-zone"
        ),
        pytest.param("2026-12-01T04:00:00Z", "Asia/Almaty", utc(2026, 12, 1, 4), id="iso-z"),
        pytest.param("2026-12-01T04:00z", "UTC", utc(2026, 12, 1, 4), id="iso-lower-z"),
        pytest.param("2026-12-01 09:00+0500", "UTC", utc(2026, 12, 1, 4), id="iso-compact-offset"),
        pytest.param(
            "2026-12-01T09:00:00.250-05:00",
            "UTC",
            datetime(2026, 12, 1, 14, 0, 0, 250000, tzinfo=UTC),
            id="iso-fraction-negative",
        ),
        pytest.param("2026-07-01 09:00", "Europe/Berlin", utc(2026, 7, 1, 7), id="berlin-summer"),
        pytest.param("2026-12-01 09:00", "Europe/Berlin", utc(2026, 12, 1, 8), id="berlin-winter"),
        pytest.param("2026-07-01 09:00", "America/New_York", utc(2026, 7, 1, 13), id="ny-summer"),
        pytest.param("2026-12-01 09:00", "America/New_York", utc(2026, 12, 1, 14), id="ny-winter"),
        pytest.param(
            "2026-12-01 09:00", "Pacific/Chatham", utc(2026, 11, 30, 19, 15), id="chatham-summer"
        ),
        pytest.param(
            "2026-06-01 09:00", "Pacific/Chatham", utc(2026, 5, 31, 20, 15), id="chatham-winter"
        ),
        # Just outside the gap and the fold: real, unique times.
        pytest.param("2026-03-29 03:00", "Europe/Berlin", utc(2026, 3, 29, 1), id="berlin-gap-end"),
        pytest.param(
            "2026-03-29 01:59", "Europe/Berlin", utc(2026, 3, 29, 0, 59), id="berlin-before-gap"
        ),
        pytest.param(
            "2026-10-25 03:00", "Europe/Berlin", utc(2026, 10, 25, 2), id="berlin-after-fold"
        ),
        pytest.param(
            "2026-10-25 01:59", "Europe/Berlin", utc(2026, 10, 24, 23, 59), id="berlin-before-fold"
        ),
        # The fold chosen with an explicit offset, as the error message asks.
        pytest.param(
            "2026-10-25T02:30+02:00", "Europe/Berlin", utc(2026, 10, 25, 0, 30), id="fold-first"
        ),
        pytest.param(
            "2026-10-25T02:30+01:00", "Europe/Berlin", utc(2026, 10, 25, 1, 30), id="fold-second"
        ),
        pytest.param("2026-01-15 12:00", "UTC", NOW, id="exactly-now"),
    ],
)
def test_parse_when(text: str, zone: str, expected_utc: datetime) -> None:
    scheduled = parse_when(text, zone, NOW)
    assert scheduled.at_utc == expected_utc
    assert scheduled.at_utc.utcoffset() == timedelta(0)
    assert scheduled.zone == zone
    assert scheduled.local.astimezone(UTC) == expected_utc  # (== across zones is False in a fold)
    assert scheduled.local.tzinfo == ZoneInfo(zone)


def test_local_form_keeps_the_wall_time() -> None:
    scheduled = parse_when("2026-12-01 09:00", "Asia/Almaty", NOW)
    assert (scheduled.local.hour, scheduled.local.minute) == (9, 0)
    assert scheduled == Scheduled(
        at_utc=utc(2026, 12, 1, 4), zone="Asia/Almaty", local=scheduled.local
    )
    assert scheduled.display() == "2026-12-01 09:00 Asia/Almaty (+05)"


@pytest.mark.parametrize(
    ("text", "zone", "fragments"),
    [
        pytest.param(
            "2026-03-29 02:30",
            "Europe/Berlin",
            ["does not exist in Europe/Berlin", "jump from 02:00 to 03:00", "2026-03-29 03:30"],
            id="berlin-spring-forward",
        ),
        pytest.param(
            "2026-03-29 02:00",
            "Europe/Berlin",
            ["does not exist", "2026-03-29 03:00 or 2026-03-29 01:00"],
            id="berlin-gap-start",
        ),
        pytest.param(
            "2026-03-08 02:30",
            "America/New_York",
            ["does not exist in America/New_York", "jump from 02:00 to 03:00", "03:30 or"],
            id="new-york-spring-forward",
        ),
        pytest.param(
            "2026-09-27 03:00",
            "Pacific/Chatham",
            ["jump from 02:45 to 03:45", "2026-09-27 04:00 or 2026-09-27 02:00"],
            id="chatham-spring-forward",
        ),
        pytest.param(
            "2026-10-04 02:15",
            "Australia/Lord_Howe",
            ["jump from 02:00 to 02:30", "2026-10-04 02:45 or 2026-10-04 01:45"],
            id="lord-howe-half-hour-gap",
        ),
    ],
)
def test_nonexistent_local_time(text: str, zone: str, fragments: list[str]) -> None:
    with pytest.raises(WhenError) as caught:
        parse_when(text, zone, NOW)
    message = str(caught.value)
    for fragment in fragments:
        assert fragment in message
    assert "\n" not in message


@pytest.mark.parametrize(
    ("text", "zone", "first", "second"),
    [
        pytest.param(
            "2026-10-25 02:30",
            "Europe/Berlin",
            "2026-10-25T02:30+02:00",
            "2026-10-25T02:30+01:00",
            id="berlin-fall-back",
        ),
        pytest.param(
            "2026-11-01 01:30",
            "America/New_York",
            "2026-11-01T01:30-04:00",
            "2026-11-01T01:30-05:00",
            id="new-york-fall-back",
        ),
        pytest.param(
            "2026-04-05 03:00:15",
            "Pacific/Chatham",
            "2026-04-05T03:00:15+13:45",
            "2026-04-05T03:00:15+12:45",
            id="chatham-fall-back-seconds",
        ),
    ],
)
def test_ambiguous_local_time(text: str, zone: str, first: str, second: str) -> None:
    with pytest.raises(WhenError) as caught:
        parse_when(text, zone, NOW)
    message = str(caught.value)
    assert f"happens twice in {zone}" in message
    assert f"{first} for the first" in message
    assert f"{second} for the second" in message
    # The suggested offsets are the two real readings, an hour (or so) apart.
    earlier = parse_when(first, zone, NOW)
    later = parse_when(second, zone, NOW)
    assert later.at_utc - earlier.at_utc == timedelta(hours=1)
    assert earlier.local.replace(tzinfo=None) == later.local.replace(tzinfo=None)


def test_fold_message_says_which_way_the_clocks_go() -> None:
    with pytest.raises(WhenError, match=r"go back from 03:00 to 02:00"):
        parse_when("2026-10-25 02:30", "Europe/Berlin", NOW)


@pytest.mark.parametrize(
    ("text", "zone", "pattern"),
    [
        pytest.param(
            "2026-01-15 16:00",
            "Asia/Almaty",
            r"in the past \(1 hour ago\); it is now 2026-01-15 17:00 Asia/Almaty \(\+05\)",
            id="an-hour-ago",
        ),
        pytest.param(
            "2026-01-13 09:30",
            "UTC",
            r"\(2 days 2 hours ago\)",
            id="days-ago",
        ),
        pytest.param("2026-01-15 11:59:15", "UTC", r"\(45 seconds ago\)", id="seconds-ago"),
        pytest.param(
            "2026-01-15T11:59:59.5+00:00", "UTC", r"less than a second ago", id="half-a-second"
        ),
        pytest.param(
            "2026-01-15T16:00+05:00", "Europe/Berlin", r"1 hour ago.*13:00 Europe/Berlin", id="iso"
        ),
    ],
)
def test_past(text: str, zone: str, pattern: str) -> None:
    with pytest.raises(WhenError, match=pattern):
        parse_when(text, zone, NOW)


@pytest.mark.parametrize(
    ("text", "pattern"),
    [
        pytest.param("tomorrow 9am", r"cannot read 'tomorrow 9am' as a time: use", id="words"),
        pytest.param("2026-12-01", r"YYYY-MM-DD HH:MM", id="date-only"),
        pytest.param("01.12.2026 09:00", r"ISO 8601 with an offset", id="european-order"),
        pytest.param("2026-12-01 9:00", r"cannot read", id="one-digit-hour"),
        pytest.param("", r"cannot read '' as a time", id="empty"),
        pytest.param("2026-02-30 10:00", r"not a valid date and time", id="no-such-day"),
        pytest.param("2026-12-01 24:00", r"not a valid date and time", id="hour-24"),
        pytest.param("2026-12-01T09:00+25:00", r"not a valid date and time", id="bad-offset"),
        pytest.param("9999-12-31T23:59Z", r"too far in the future", id="overflow"),
        pytest.param("2026-12-01 09:00" + "0" * 100, r"cannot read", id="long"),
    ],
)
def test_unparseable(text: str, pattern: str) -> None:
    with pytest.raises(WhenError, match=pattern):
        parse_when(text, "Asia/Almaty", NOW)


@pytest.mark.parametrize(
    ("zone", "suggestion"),
    [
        pytest.param("Asia/Almat", "'Asia/Almaty'", id="typo"),
        pytest.param("europe/berlin", "did you mean 'Europe/Berlin'?", id="case"),
        pytest.param("America/New York", "did you mean 'America/New_York'?", id="space"),
        pytest.param("Almaty", "'Asia/Almaty'", id="city-alone"),
        pytest.param("Nowhere/Atlantis", "use an IANA name like 'Asia/Almaty'", id="no-match"),
        pytest.param("../../etc/passwd", "unknown time zone", id="path"),
        pytest.param("", "unknown time zone ''", id="empty"),
    ],
)
def test_unknown_zone(zone: str, suggestion: str) -> None:
    with pytest.raises(WhenError) as caught:
        parse_when("2026-12-01 09:00", zone, NOW)
    message = str(caught.value)
    assert message.startswith(f"unknown time zone {zone!r}")
    assert suggestion in message


def test_naive_now_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="aware"):
        parse_when("2026-12-01 09:00", "UTC", datetime(2026, 1, 1))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("90s", timedelta(seconds=90), id="seconds"),
        pytest.param("15m", timedelta(minutes=15), id="minutes"),
        pytest.param("2h", timedelta(hours=2), id="hours"),
        pytest.param("1d", timedelta(days=1), id="day"),
        pytest.param("1h30m", timedelta(hours=1, minutes=30), id="hours-minutes"),
        pytest.param("1d 2h", timedelta(days=1, hours=2), id="spaced"),
        pytest.param("2H", timedelta(hours=2), id="upper-case"),
        pytest.param("1d2h3m4s", timedelta(days=1, hours=2, minutes=3, seconds=4), id="all"),
        pytest.param("366d", timedelta(days=366), id="longest"),
        pytest.param("0h5m", timedelta(minutes=5), id="leading-zero-part"),
    ],
)
def test_parse_duration(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    ("text", "pattern"),
    [
        pytest.param("", "cannot read", id="empty"),
        pytest.param("15", "cannot read", id="no-unit"),
        pytest.param("1.5h", "cannot read", id="fraction"),
        pytest.param("30m1h", "in that order", id="wrong-order"),
        pytest.param("-5m", "cannot read", id="negative"),
        pytest.param("5 minutes", "cannot read", id="words"),
        pytest.param("1w", "cannot read", id="weeks"),
        pytest.param("0s", "is zero", id="zero"),
        pytest.param("367d", "longer than 366 days", id="too-long"),
        pytest.param("366d1s", "longer than 366 days", id="just-too-long"),
        pytest.param("9" * 60 + "s", "longer than 366 days", id="huge"),
        pytest.param("9" * 5000 + "s", "cannot read", id="absurd"),
    ],
)
def test_parse_duration_refuses(text: str, pattern: str) -> None:
    with pytest.raises(WhenError, match=pattern):
        parse_duration(text)


@pytest.mark.parametrize(
    ("explicit", "draft", "config", "expected"),
    [
        pytest.param("Europe/Berlin", "Asia/Almaty", "UTC", "Europe/Berlin", id="explicit"),
        pytest.param(None, "Asia/Almaty", "UTC", "Asia/Almaty", id="draft"),
        pytest.param(None, None, "America/New_York", "America/New_York", id="config"),
        pytest.param("", " ", "UTC", "UTC", id="blank-is-not-given"),
    ],
)
def test_resolve_zone(
    explicit: str | None, draft: str | None, config: str | None, expected: str
) -> None:
    assert resolve_zone(explicit, draft, config) == expected


def test_resolve_zone_falls_back_to_the_system_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "Asia/Almaty")
    try:
        import tzlocal
    except ImportError:
        pytest.skip("tzlocal is not installed")
    tzlocal.reload_localzone()
    try:
        assert resolve_zone(None, None, None) == "Asia/Almaty"
    finally:
        monkeypatch.delenv("TZ")
        tzlocal.reload_localzone()
    ZoneInfo(resolve_zone(None, None, None))  # whatever the machine's zone, it is a real one


@pytest.mark.parametrize(
    ("at_utc", "zone", "expected"),
    [
        pytest.param(
            utc(2026, 12, 1, 4), "Asia/Almaty", "2026-12-01 09:00 Asia/Almaty (+05)", id="almaty"
        ),
        pytest.param(
            utc(2026, 7, 1, 7), "Europe/Berlin", "2026-07-01 09:00 Europe/Berlin (CEST)", id="cest"
        ),
        pytest.param(
            utc(2026, 10, 25, 1, 30),
            "Europe/Berlin",
            "2026-10-25 02:30 Europe/Berlin (CET)",
            id="fold-second",
        ),
        pytest.param(
            utc(2026, 11, 30, 19, 15),
            "Pacific/Chatham",
            "2026-12-01 09:00 Pacific/Chatham (+1345)",
            id="chatham",
        ),
        pytest.param(
            utc(2026, 12, 1, 4, 0, 30),
            "UTC",
            "2026-12-01 04:00:30 UTC (UTC)",
            id="seconds-shown",
        ),
        pytest.param(
            datetime(2026, 12, 1, 9, tzinfo=ZoneInfo("Asia/Almaty")),
            "America/New_York",
            "2026-11-30 23:00 America/New_York (EST)",
            id="any-aware-input",
        ),
        pytest.param(
            utc(2026, 12, 1, 4),
            "Gone/Zone",
            "2026-12-01 04:00 UTC (unknown zone 'Gone/Zone')",
            id="unknown-zone-still-shown",
        ),
    ],
)
def test_format_local(at_utc: datetime, zone: str, expected: str) -> None:
    assert format_local(at_utc, zone) == expected


# --- properties ---------------------------------------------------------------------------

ZONES = [
    "UTC",
    "Asia/Almaty",
    "Europe/Berlin",
    "America/New_York",
    "Pacific/Chatham",
    "Australia/Lord_Howe",
    "America/St_Johns",
    "Asia/Kolkata",
]
# Days with a transition in one of ZONES, so the wall-time property meets gaps and folds.
TRANSITION_DAYS = [
    datetime(2026, 3, 8),
    datetime(2026, 3, 29),
    datetime(2026, 4, 5),
    datetime(2026, 9, 27),
    datetime(2026, 10, 4),
    datetime(2026, 10, 25),
    datetime(2026, 11, 1),
    datetime(2027, 3, 14),
    datetime(2027, 3, 28),
]

instants = st.datetimes(
    min_value=datetime(2026, 1, 16), max_value=datetime(2035, 12, 31), timezones=st.just(UTC)
).map(lambda value: value.replace(microsecond=0))

near_transitions = st.builds(
    lambda day, minutes: day + timedelta(minutes=minutes),
    st.sampled_from(TRANSITION_DAYS),
    st.integers(min_value=0, max_value=24 * 60 - 1),
)
wall_times = st.one_of(
    near_transitions,
    st.datetimes(min_value=datetime(2026, 1, 16), max_value=datetime(2035, 12, 31)).map(
        lambda value: value.replace(microsecond=0)
    ),
)


def readings(naive: datetime, zone: str) -> list[datetime]:
    """Every UTC instant whose wall time in `zone` is `naive`, found without `fold`: try each
    offset the zone uses within two days and keep those that read back as `naive`."""
    tz = ZoneInfo(zone)
    around = naive.replace(tzinfo=UTC)
    offsets = {(around + timedelta(hours=h)).astimezone(tz).utcoffset() for h in range(-48, 49)}
    found = set()
    for offset in offsets:
        assert offset is not None
        candidate = around - offset
        if candidate.astimezone(tz).replace(tzinfo=None) == naive:
            found.add(candidate)
    return sorted(found)


@given(at=instants, zone=st.sampled_from(ZONES))
def test_formatted_local_time_round_trips(at: datetime, zone: str) -> None:
    local = at.astimezone(ZoneInfo(zone))
    text = local.strftime("%Y-%m-%d %H:%M:%S")
    if len(readings(local.replace(tzinfo=None), zone)) > 1:
        with pytest.raises(WhenError, match="happens twice"):
            parse_when(text, zone, NOW)
    else:
        scheduled = parse_when(text, zone, NOW)
        assert scheduled.at_utc == at
        assert scheduled.local.replace(tzinfo=None) == local.replace(tzinfo=None)
        # The display form names the same instant when read back with its offset.
        assert format_local(scheduled.at_utc, zone).startswith(text[:16])


@given(naive=wall_times, zone=st.sampled_from(ZONES))
def test_wall_time_is_read_once_or_refused(naive: datetime, zone: str) -> None:
    found = readings(naive, zone)
    text = naive.strftime("%Y-%m-%d %H:%M:%S")
    if not found:
        with pytest.raises(WhenError, match="does not exist") as caught:
            parse_when(text, zone, NOW)
        # Both suggested times exist and are unique.
        suggested = str(caught.value).rsplit("so use ", 1)[1].split(" or ")
        for option in suggested:
            wall = parse_when(option, zone, NOW).local.replace(tzinfo=None)
            assert wall == datetime.fromisoformat(option)
            assert abs(wall - naive) <= timedelta(hours=1)
    elif len(found) > 1:
        with pytest.raises(WhenError, match="happens twice"):
            parse_when(text, zone, NOW)
    else:
        assert parse_when(text, zone, NOW).at_utc == found[0]


def test_the_property_generators_reach_gaps_and_folds() -> None:
    kinds = {
        len(readings(day + timedelta(minutes=minutes), zone))
        for day in TRANSITION_DAYS
        for zone in ZONES
        for minutes in range(0, 24 * 60, 15)
    }
    assert kinds == {0, 1, 2}


def test_slot_times() -> None:
    from composer.workspace.when import slot_days, slot_times

    assert slot_days("Mon-Fri") == {0, 1, 2, 3, 4}
    assert slot_days("sat,sun") == {5, 6}
    assert slot_days("Fri-Mon") == {4, 5, 6, 0}
    assert slot_days("daily") == set(range(7))
    after = datetime(2030, 1, 10, 5, 0, tzinfo=UTC)  # Thursday 10:00 in Almaty
    times = slot_times(["Mon-Fri 09:00", "Sat 11:30"], "Asia/Almaty", after)
    assert times[:3] == [
        datetime(2030, 1, 11, 4, 0, tzinfo=UTC),  # Friday 09:00 (+05)
        datetime(2030, 1, 12, 6, 30, tzinfo=UTC),  # Saturday 11:30
        datetime(2030, 1, 14, 4, 0, tzinfo=UTC),  # Monday 09:00
    ]
    # 02:30 does not exist in Berlin on 2030-03-31: the slot moves to 03:30 CEST.
    berlin = slot_times(["daily 02:30"], "Europe/Berlin", datetime(2030, 3, 30, 12, 0, tzinfo=UTC))
    assert berlin[0] == datetime(2030, 3, 31, 1, 30, tzinfo=UTC)
