"""Recurring editions: rules and their times (DST included), occurrences turned into editions
on a fake clock, two materializers racing, downtime and broken drafts."""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st
from sqlmodel import col, select

import composer.store as store
from composer.daemon import run_round
from composer.recurring import (
    RuleError,
    create_rules,
    describe_rule,
    materialize_due,
    parse_rule,
)
from composer.store import Database, Edition, EditionStatus, edition_posts, open_database
from composer.store.models import Recurrence
from composer.workspace.config import Config, load_config
from composer.workspace.drafts import load_draft
from tests.fakes.mastodon import FakeMastodon
from tests.helpers import mastodon_account, write_accounts

BERLIN = ZoneInfo("Europe/Berlin")
GRACE = timedelta(minutes=15)
T0 = datetime(2030, 1, 6, 12, 0, tzinfo=UTC)  # a Sunday
PG_URL = os.environ.get("COMPOSER_TEST_POSTGRES")


# --- rules and their times ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "cron"),
    [
        ("0 9 * * mon", "0 9 * * mon"),
        ("0 9 * * 1", "0 9 * * mon"),  # cron counts from Sunday = 0; APScheduler 3 from Monday
        ("0 9 * * 0", "0 9 * * sun"),
        ("0 9 * * 7", "0 9 * * sun"),
        ("0 9 * * 1-5", "0 9 * * mon,tue,wed,thu,fri"),
        ("0 9 * * */2", "0 9 * * sun,tue,thu,sat"),
        ("Mon 09:00", "0 9 * * mon"),
        ("Mon-Fri 17:00", "0 17 * * mon,tue,wed,thu,fri"),
        ("fri-mon 8:30", "30 8 * * mon,fri,sat,sun"),
        ("mon,wed,fri 08:30", "30 8 * * mon,wed,fri"),
        ("daily 09:00", "0 9 * * *"),
        ("weekdays 17:00", "0 17 * * mon,tue,wed,thu,fri"),
        ("weekends 10:00", "0 10 * * sat,sun"),
        ("monthly 1 09:00", "0 9 1 * *"),
        ("Monthly  last 18:00", "0 18 last * *"),
    ],
)
def test_rules_as_people_type_them(typed: str, cron: str) -> None:
    assert parse_rule(typed, "Europe/Berlin").cron == cron


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ("blah", "cannot read 'blah' as a rule"),
        ("daily 25:00", "'25:00' is not a time of day"),
        ("someday 09:00", "'someday' is not a day"),
        ("monthly 32 09:00", "'32' is not 1 to 31"),
        ("60 9 * * *", "higher than the maximum"),
        ("0 9 * * 8", "not within 0-7"),
        ("0 9 * *", "cannot read"),
    ],
)
def test_bad_rules_are_one_clear_error(typed: str, words: str) -> None:
    with pytest.raises(RuleError, match=words) as error:
        parse_rule(typed, "UTC")
    assert "\n" not in str(error.value)


def test_an_unknown_zone_is_refused_with_a_hint() -> None:
    with pytest.raises(RuleError, match="did you mean 'Europe/Berlin'"):
        parse_rule("daily 09:00", "Europe/Berln")


def test_weekday_numbers_mean_what_cron_means() -> None:
    monday = parse_rule("0 9 * * 1", "Asia/Almaty").next_after(T0)
    assert monday is not None
    local = monday.astimezone(ZoneInfo("Asia/Almaty"))
    assert (local.strftime("%a %H:%M"), local.date().isoformat()) == ("Mon 09:00", "2030-01-07")


def local_days(times: list[datetime]) -> list[str]:
    return [t.astimezone(BERLIN).strftime("%m-%d %H:%M %Z") for t in times]


def test_a_daily_time_the_clocks_skip_runs_once_after_the_jump() -> None:
    # 2026-03-29: Berlin's clocks jump from 02:00 to 03:00; 02:30 does not exist that night.
    rule = parse_rule("daily 02:30", "Europe/Berlin")
    times = rule.upcoming(datetime(2026, 3, 27, tzinfo=UTC), 4)
    assert local_days(times) == [
        "03-27 02:30 CET",
        "03-28 02:30 CET",
        "03-29 03:30 CEST",  # not skipped: as long after the jump as 02:30 is after 02:00
        "03-30 02:30 CEST",
    ]


def test_a_daily_time_the_clocks_repeat_runs_once_at_the_first() -> None:
    # 2026-10-25: the clocks go back from 03:00 to 02:00; 02:30 happens twice.
    rule = parse_rule("daily 02:30", "Europe/Berlin")
    times = rule.upcoming(datetime(2026, 10, 23, 12, 0, tzinfo=UTC), 4)
    assert local_days(times) == [
        "10-24 02:30 CEST",
        "10-25 02:30 CEST",  # the first 02:30; the second (CET) one does not run
        "10-26 02:30 CET",
        "10-27 02:30 CET",
    ]
    # Asked from between the two 02:30s, it is still not run again.
    between = datetime(2026, 10, 25, 0, 45, tzinfo=UTC)
    assert local_days(rule.upcoming(between, 1)) == ["10-26 02:30 CET"]


def test_the_dst_decisions_are_said_in_words() -> None:
    notes = parse_rule("daily 02:30", "Europe/Berlin").dst_notes(datetime(2026, 1, 1, tzinfo=UTC))
    assert notes == [
        "2026-03-29 02:30 does not exist in Europe/Berlin (the clocks jump forward): "
        "that occurrence runs at 03:30",
        "2026-10-25 02:30 happens twice in Europe/Berlin (the clocks go back): "
        "it runs once, at the first",
    ]
    assert parse_rule("daily 09:00", "Europe/Berlin").dst_notes(T0) == []


def test_a_rule_that_never_comes_due_ends() -> None:
    assert parse_rule("0 9 31 2 *", "UTC").next_after(T0) is None


# --- occurrences as editions ----------------------------------------------------------------


def write_workspace(tmp_path: Path, url: str = "https://mastodon.social") -> tuple[Path, Config]:
    (tmp_path / "drafts").mkdir(exist_ok=True)
    draft = tmp_path / "drafts" / "weekly.md"
    write_draft(draft, "First week. " * 5)
    accounts = write_accounts(tmp_path, {"m": mastodon_account(url, "TOK")})
    return draft, load_config(accounts)


def write_draft(path: Path, body: str) -> None:
    path.write_text(
        f'+++\ntitle = "Weekly"\ntimezone = "Europe/Berlin"\n+++\n{body}\n', encoding="utf-8"
    )


def make_rule(db: Database, draft: Path, config: Config, every: str = "Mon 09:00") -> int:
    [created] = create_rules(db, load_draft(str(draft)), draft, config, ["m"], every=every, now=T0)
    return created.id


def a_weekly_rule(db: Database, tmp_path: Path) -> tuple[Path, Config, int, datetime]:
    """The workspace's draft and accounts, a "Mon 09:00" rule on it, and its first time."""
    draft, config = write_workspace(tmp_path)
    rule_id = make_rule(db, draft, config)
    first = store.find_recurrence(db, rule_id).next_at
    assert first is not None
    return draft, config, rule_id, first


def editions_of(db: Database, rule_id: int) -> list[Edition]:
    with db.read_session() as session:
        return list(
            session.exec(
                select(Edition)
                .where(col(Edition.recurrence_id) == rule_id)
                .order_by(col(Edition.scheduled_at))
            )
        )


def texts(db: Database, edition: Edition) -> list[str]:
    assert edition.id is not None
    return [p.text for p in edition_posts(db, edition.id)]


def test_each_occurrence_is_its_own_edition_composed_when_due(db: Database, tmp_path: Path) -> None:
    draft, config = write_workspace(tmp_path)
    rule_id = make_rule(db, draft, config)
    first = store.find_recurrence(db, rule_id).next_at
    assert first == datetime(2030, 1, 7, 8, 0, tzinfo=UTC)  # Monday 09:00 CET

    assert (
        materialize_due(db, config, now=first - timedelta(minutes=1), grace=GRACE).scheduled == []
    )
    done = materialize_due(db, config, now=first, grace=GRACE)
    assert len(done.scheduled) == 1
    # Asked again at the same moment (another round): nothing new.
    assert (
        materialize_due(db, config, now=first + timedelta(seconds=5), grace=GRACE).scheduled == []
    )

    write_draft(draft, "Second week, with news. " * 5)  # edited between occurrences
    second = first + timedelta(days=7)
    assert store.find_recurrence(db, rule_id).next_at == second
    materialize_due(db, config, now=second + timedelta(minutes=3), grace=GRACE)

    one, two = editions_of(db, rule_id)
    assert (one.scheduled_at, two.scheduled_at) == (first, second)
    assert one.status is two.status is EditionStatus.SCHEDULED
    assert one.timezone == "Europe/Berlin" and one.account == "m" and one.platform == "mastodon"
    assert "First week." in texts(db, one)[0] and "Second week" in texts(db, two)[0]
    assert store.find_recurrence(db, rule_id).next_at == second + timedelta(days=7)


def test_each_occurrence_records_the_draft_s_settings_as_they_are_then(
    db: Database, tmp_path: Path
) -> None:
    draft, config, rule_id, first = a_weekly_rule(db, tmp_path)
    draft.write_text(
        '+++\ntitle = "Weekly"\ncontent_warning = "Arrests"\nvisibility = "unlisted"\n+++\n'
        + "First week. " * 5,
        encoding="utf-8",
    )
    materialize_due(db, config, now=first, grace=GRACE)
    write_draft(draft, "Second week. " * 5)  # the settings taken out
    materialize_due(db, config, now=first + timedelta(days=7), grace=GRACE)
    one, two = (store.edition_options(e) for e in editions_of(db, rule_id))
    assert (one.content_warning, one.visibility) == ("Arrests", "unlisted")
    assert (two.content_warning, two.visibility) == (None, "public")


def test_downtime_records_missed_occurrences_up_to_a_cap(
    db: Database, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    draft, config = write_workspace(tmp_path)
    rule_id = make_rule(db, draft, config, every="daily 09:00")
    first = store.find_recurrence(db, rule_id).next_at
    assert first is not None
    now = first + timedelta(days=30, minutes=5)  # 30 missed days, today's due within grace
    done = materialize_due(db, config, now=now, grace=GRACE, missed_cap=5)
    assert len(done.missed) == 5 and done.skipped == 25 and len(done.scheduled) == 1
    editions = editions_of(db, rule_id)
    missed = [e for e in editions if e.status is EditionStatus.MISSED]
    assert [e.scheduled_at for e in missed] == [first + timedelta(days=d) for d in range(25, 30)]
    assert all("the daemon was not running" in (e.last_error or "") for e in missed)
    [today] = [e for e in editions if e.status is EditionStatus.SCHEDULED]
    assert today.scheduled_at == first + timedelta(days=30)
    rule = store.find_recurrence(db, rule_id)
    assert rule.next_at == first + timedelta(days=31)
    assert "25 older occurrences" in (missed[0].last_error or "")  # visible in queue --all
    assert any("not recorded" in r.getMessage() for r in caplog.records)


def test_a_frequent_rule_after_a_long_downtime_is_capped_not_walked_forever(
    db: Database, tmp_path: Path
) -> None:
    draft, config = write_workspace(tmp_path)
    rule_id = make_rule(db, draft, config, every="*/5 * * * *")
    first = store.find_recurrence(db, rule_id).next_at
    assert first is not None
    now = first + timedelta(days=90)  # 25,920 occurrences of five minutes
    done = materialize_due(db, config, now=now, grace=GRACE, missed_cap=3)
    assert len(done.missed) == 3 and done.skipped >= 2_000
    editions = editions_of(db, rule_id)
    missed = [e for e in editions if e.status is EditionStatus.MISSED]
    # The latest ones before the grace period, and the count said as a lower bound.
    assert [e.scheduled_at for e in missed] == [
        now - GRACE - timedelta(minutes=m) for m in (15, 10, 5)
    ]
    assert "at least" in (missed[0].last_error or "")
    # The occurrences within the grace period are due now, each its own edition.
    scheduled = [e.scheduled_at for e in editions if e.status is EditionStatus.SCHEDULED]
    assert scheduled == [now - timedelta(minutes=m) for m in (15, 10, 5, 0)]
    assert store.find_recurrence(db, rule_id).next_at == now + timedelta(minutes=5)


def test_a_broken_draft_fails_one_occurrence_and_the_rule_goes_on(
    db: Database, tmp_path: Path
) -> None:
    draft, config, rule_id, first = a_weekly_rule(db, tmp_path)
    draft.write_text("+++\ntitle = \n+++\nbody\n", encoding="utf-8")  # front matter broken
    done = materialize_due(db, config, now=first, grace=GRACE)
    assert len(done.failed) == 1 and done.scheduled == []
    [failed] = editions_of(db, rule_id)
    assert failed.status is EditionStatus.FAILED
    assert "could not be composed" in (failed.last_error or "")
    assert "could not be composed" in (store.find_recurrence(db, rule_id).last_error or "")

    write_draft(draft, "Fixed. " * 5)
    second = first + timedelta(days=7)
    assert len(materialize_due(db, config, now=second, grace=GRACE).scheduled) == 1
    assert store.find_recurrence(db, rule_id).last_error is None
    draft.unlink()  # gone altogether
    third = second + timedelta(days=7)
    assert len(materialize_due(db, config, now=third, grace=GRACE).failed) == 1
    assert [e.status for e in editions_of(db, rule_id)] == [
        EditionStatus.FAILED,
        EditionStatus.SCHEDULED,
        EditionStatus.FAILED,
    ]


def test_a_stale_materializer_makes_nothing(db: Database, tmp_path: Path) -> None:
    """The two guards, each on its own: the conditional UPDATE on the old next_at, and the
    unique index on (rule, time) when next_at was put back to an occurrence already made."""
    draft, _, rule_id, first = a_weekly_rule(db, tmp_path)
    following = first + timedelta(days=7)
    occurrence = store.Occurrence(
        rule_id,
        expected=first,
        next_at=following,
        account="m",
        platform="mastodon",
        zone="UTC",
        draft_path=str(draft),
    )
    snapshot = (store.DraftText("t", "b"), store.NewEdition("m", "mastodon", ["one"]))
    made = store.record_occurrence(db, occurrence, *snapshot)
    assert made is not None
    # A second daemon read the rule before the first one moved it on.
    assert store.record_occurrence(db, occurrence, *snapshot) is None
    with db.session() as session:  # next_at put back by hand: the unique index still holds
        session.connection().execute(
            sa.update(Recurrence).where(col(Recurrence.id) == rule_id).values(next_at=first)
        )
    assert store.record_occurrence(db, occurrence, *snapshot) is None
    assert len(editions_of(db, rule_id)) == 1


def materialize_together(databases: list[Database], config: Config, now: datetime) -> None:
    """One materializer per database (each its own connection pool), started together."""
    barrier = threading.Barrier(len(databases))
    errors: list[BaseException] = []

    def materialize(database: Database) -> None:
        try:
            barrier.wait()
            materialize_due(database, config, now=now, grace=GRACE)
        except BaseException as error:  # reported by the test thread
            errors.append(error)

    threads = [threading.Thread(target=materialize, args=(d,)) for d in databases]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


def race(url: str, config: Config, moments: list[datetime], workers: int = 4) -> None:
    databases = [open_database(url) for _ in range(workers)]
    try:
        for now in moments:
            materialize_together(databases, config, now)
    finally:
        for database in databases:
            database.close()


def check_one_edition_per_occurrence(db: Database, rule_ids: list[int], days: int) -> None:
    for rule_id in rule_ids:
        editions = editions_of(db, rule_id)
        times = [e.scheduled_at for e in editions]
        assert len(times) == len(set(times)) == days, (rule_id, times)


def test_materializers_racing_on_sqlite_make_one_edition_per_occurrence(
    db: Database, db_path: Path, tmp_path: Path
) -> None:
    draft, config = write_workspace(tmp_path)
    rule_ids = [make_rule(db, draft, config, every=f"daily 09:{m:02d}") for m in range(3)]
    first = store.find_recurrence(db, rule_ids[0]).next_at
    assert first is not None
    moments = [first + timedelta(days=d, minutes=5) for d in range(4)]
    race(str(db_path), config, moments)
    check_one_edition_per_occurrence(db, rule_ids, days=4)


@pytest.fixture
def pg() -> Iterator[Database]:
    if not PG_URL:
        if os.environ.get("COMPOSER_REQUIRE_POSTGRES") == "1":
            pytest.fail("COMPOSER_REQUIRE_POSTGRES=1 but COMPOSER_TEST_POSTGRES is not set")
        pytest.skip("no PostgreSQL server (set COMPOSER_TEST_POSTGRES to a SQLAlchemy URL)")
    engine = sa.create_engine(PG_URL)
    with engine.begin() as connection:  # an empty database for every test
        connection.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()
    database = open_database(PG_URL)
    yield database
    database.close()


def test_materializers_racing_on_postgres_make_one_edition_per_occurrence(
    pg: Database, tmp_path: Path
) -> None:
    assert PG_URL is not None
    draft, config = write_workspace(tmp_path)
    rule_ids = [make_rule(pg, draft, config, every=f"daily 09:{m:02d}") for m in range(3)]
    first = store.find_recurrence(pg, rule_ids[0]).next_at
    assert first is not None
    moments = [first + timedelta(days=d, minutes=5) for d in range(4)]
    race(PG_URL, config, moments)
    check_one_edition_per_occurrence(pg, rule_ids, days=4)


def test_a_daemon_round_publishes_the_occurrence(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TOK", "tok")
    fake = FakeMastodon(token="tok")
    with fake.running():
        draft, config = write_workspace(tmp_path, fake.url)
        write_draft(draft, "The week in review. " * 30)
        rule_id = make_rule(db, draft, config)
        first = store.find_recurrence(db, rule_id).next_at
        assert first is not None
        result = asyncio.run(run_round(db, config, now=first + timedelta(seconds=30)))
        [outcome] = result.outcomes
        assert outcome.finished and outcome.total >= 2
        assert len(fake.thread()) == outcome.total
        [edition] = editions_of(db, rule_id)
        assert edition.status is EditionStatus.PUBLISHED and edition.id == outcome.edition_id
        # The next round at the same moment publishes nothing more.
        again = asyncio.run(run_round(db, config, now=first + timedelta(seconds=40)))
        assert again.outcomes == [] and len(fake.thread()) == outcome.total


def test_stopping_a_rule(db: Database, tmp_path: Path) -> None:
    draft, config = write_workspace(tmp_path)
    rule_id = make_rule(db, draft, config)
    stopped = store.stop_recurrence(db, rule_id)
    assert not stopped.active and stopped.next_at is None
    assert materialize_due(db, config, now=T0 + timedelta(days=30), grace=GRACE).scheduled == []
    assert store.recurrences(db) == [] and len(store.recurrences(db, include_stopped=True)) == 1


def test_a_day_some_months_lack_is_said_when_the_rule_is_made(db: Database, tmp_path: Path) -> None:
    draft, config = write_workspace(tmp_path)
    [created] = create_rules(
        db, load_draft(str(draft)), draft, config, ["m"], every="monthly 31 09:00", now=T0
    )
    assert created.notes[0].startswith("a month without day 31 has no occurrence")
    assert [t.astimezone(BERLIN).strftime("%m-%d") for t in created.next_times] == [
        "01-31",
        "03-31",
        "05-31",
    ]


# --- images ---------------------------------------------------------------------------------

ALT = "Volunteers count ballots at the polling station"


def write_image_draft(tmp_path: Path, draft: Path, alt: str = ALT) -> Path:
    from PIL import Image

    photo = tmp_path / "drafts" / "count.jpg"
    Image.new("RGB", (64, 48), "white").save(photo)
    write_draft(draft, f"The week in review. Read on.\n\n![{alt}](count.jpg)\n")
    return photo


def test_an_occurrence_publishes_the_draft_s_images(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TOK", "tok")
    fake = FakeMastodon(token="tok")
    with fake.running():
        draft, config = write_workspace(tmp_path, fake.url)
        write_image_draft(tmp_path, draft)
        rule_id = make_rule(db, draft, config)
        first = store.find_recurrence(db, rule_id).next_at
        assert first is not None
        result = asyncio.run(run_round(db, config, now=first + timedelta(seconds=30)))
        [outcome] = result.outcomes
        assert outcome.finished, outcome
        [status] = fake.thread()
        [media] = fake.media.values()
        assert status["media_ids"] == [media["id"]] and media["description"] == ALT
        # The next week's occurrence uploads its own copy and posts it too.
        second = first + timedelta(days=7)
        asyncio.run(run_round(db, config, now=second + timedelta(seconds=30)))
        assert len(fake.media) == 2 and len(fake.statuses) == 2
        assert [e.status for e in editions_of(db, rule_id)] == [EditionStatus.PUBLISHED] * 2


def test_an_image_gone_or_without_alt_text_fails_that_occurrence_and_the_rule_goes_on(
    db: Database, tmp_path: Path
) -> None:
    draft, config = write_workspace(tmp_path)
    photo = write_image_draft(tmp_path, draft)
    rule_id = make_rule(db, draft, config)
    first = store.find_recurrence(db, rule_id).next_at
    assert first is not None
    photo.unlink()
    assert len(materialize_due(db, config, now=first, grace=GRACE).failed) == 1
    second = first + timedelta(days=7)
    write_image_draft(tmp_path, draft, alt="")
    assert len(materialize_due(db, config, now=second, grace=GRACE).failed) == 1
    third = second + timedelta(days=7)
    write_image_draft(tmp_path, draft)
    assert len(materialize_due(db, config, now=third, grace=GRACE).scheduled) == 1
    gone, no_alt, good = editions_of(db, rule_id)
    assert "count.jpg: no such file" in (gone.last_error or "")
    assert "has no alt text" in (no_alt.last_error or "")
    assert good.status is EditionStatus.SCHEDULED and good.id is not None
    [post] = edition_posts(db, good.id)
    assert post.id is not None
    [row] = store.post_media(db, post.id)
    assert (row.source_path, row.alt) == (str(photo.resolve()), ALT)


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("daily 09:00", "daily 09:00"),
        ("Mon-Fri 17:00", "Mon-Fri 17:00"),
        ("weekdays 17:00", "Mon-Fri 17:00"),
        ("weekends 10:00", "Sat-Sun 10:00"),
        ("mon,wed,fri 08:05", "Mon,Wed,Fri 08:05"),
        ("fri-mon 09:00", "Fri-Mon 09:00"),
        ("monthly last 18:00", "monthly last 18:00"),
        ("monthly 1 07:00", "monthly 1 07:00"),
        ("0 9 * * 1-5", "Mon-Fri 09:00"),
        ("*/15 9 * * *", "*/15 9 * * *"),
        ("30 8 1 1 *", "30 8 1 1 *"),
    ],
)
def test_a_rule_is_shown_as_a_person_types_it(typed: str, shown: str) -> None:
    cron = parse_rule(typed, "UTC").cron
    assert describe_rule(cron) == shown
    assert parse_rule(shown, "UTC").cron == cron  # and it means the same


@given(
    days=st.sets(st.integers(0, 6), min_size=1),
    hour=st.integers(0, 23),
    minute=st.integers(0, 59),
)
def test_any_weekly_rule_reads_back_to_itself(days: set[int], hour: int, minute: int) -> None:
    names = ",".join(("mon", "tue", "wed", "thu", "fri", "sat", "sun")[d] for d in sorted(days))
    cron = parse_rule(f"{names} {hour:02d}:{minute:02d}", "UTC").cron
    assert parse_rule(describe_rule(cron), "UTC").cron == cron
