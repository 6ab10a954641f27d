"""The schedule dialog, driven as a user drives it: accounts, a time and a zone typed in,
scheduling into a temporary database, and publishing now to a loopback Mastodon."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Button, Checkbox, Input, Select, SelectionList, Static

from composer.store import (
    DraftText,
    EditionStatus,
    QueueEntry,
    Recurrence,
    create_edition,
    edition_options,
    edition_posts,
    find_edition,
    open_database,
    record_thread,
    recurrences,
    upcoming,
)
from composer.text.options import PostOptions
from composer.tui.confirm import ConfirmDialog
from composer.tui.schedule import ScheduleDialog
from composer.tui.scheduled import ScheduleResult
from composer.tui.services import Services
from tests.fakes.mastodon import FakeMastodon
from tests.helpers import accounts_toml, linkedin_account, recorded_edition
from tests.tui.dialog_fixtures import (
    MASTODON_TOKEN,
    ROOT,
    DialogApp,
    accounts_file,
    wait_until,
    workspace,
)

SIZES = [(80, 24), (120, 40)]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def services(tmp_path: Path) -> Iterator[Services]:
    services = workspace(tmp_path, accounts_file())
    yield services
    services.close()


@pytest.fixture
def mastodon(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeMastodon]:
    fake = FakeMastodon(token=MASTODON_TOKEN)
    monkeypatch.setenv("FAKE_MASTODON_TOKEN", MASTODON_TOKEN)
    with fake.running():
        yield fake


def dialog_app(services: Services) -> DialogApp:
    return DialogApp(lambda: ScheduleDialog(services, services.drafts_dir / "report.md"))


def queued(services: Services) -> list[QueueEntry]:
    assert services.db_url is not None
    with open_database(services.db_url) as db:
        return upcoming(db, include_done=True)


def rules(services: Services) -> list[Recurrence]:
    assert services.db_url is not None
    with open_database(services.db_url) as db:
        return recurrences(db, include_stopped=True)


def published_edition(services: Services, texts: list[str], status: str = "published") -> int:
    """An edition of ank-masto written to the ledger as the publisher leaves it."""
    assert services.db_url is not None
    with open_database(services.db_url) as db:
        return recorded_edition(
            db,
            texts,
            title="Earlier report",
            account="ank-masto",
            platform="mastodon",
            status=EditionStatus(status),
        )


def text(pilot: Pilot[Any], selector: str) -> str:
    return str(pilot.app.screen.query_one(selector, Static).render())


def confirming(pilot: Pilot[Any]) -> bool:
    screen = pilot.app.screen
    return isinstance(screen, ConfirmDialog) and bool(screen.query("#confirm"))


async def type_in(pilot: Pilot[Any], selector: str, value: str) -> None:
    field = pilot.app.screen.query_one(selector, Input)
    field.value = ""
    field.focus()
    await pilot.press(*value)
    await pilot.pause()


async def choose_accounts(pilot: Pilot[Any], *names: str) -> None:
    accounts = pilot.app.screen.query_one("#accounts", SelectionList)
    accounts.deselect_all()
    for name in names:
        accounts.select(name)
    await pilot.pause()


@pytest.mark.anyio
@pytest.mark.parametrize("size", SIZES)
async def test_schedule_at_a_typed_time_in_the_drafts_zone(
    services: Services, size: tuple[int, int]
) -> None:
    app = dialog_app(services)
    async with app.run_test(size=size) as pilot:
        # The draft's account is checked and its zone (Europe/Berlin) is the default; the
        # time offered is the next quarter-hour after 09:07 there.
        screen = app.screen
        assert screen.query_one("#accounts", SelectionList).selected == ["ank-masto"]
        assert screen.query_one("#zone", Input).value == "Europe/Berlin"
        assert screen.query_one("#when", Input).value == "2026-11-30 09:15"
        await type_in(pilot, "#when", "2027-01-15 09:30")
        assert "2027-01-15 09:30 Europe/Berlin (CET) = 2027-01-15 08:30 UTC" in text(
            pilot, "#summary"
        )
        await pilot.press("ctrl+s")
        await pilot.pause()
    [result] = app.results
    assert isinstance(result, ScheduleResult) and not result.published_now
    [edition] = result.editions
    [entry] = queued(services)
    assert entry.edition_id == edition.id and entry.account == "ank-masto"
    assert entry.scheduled_at == datetime(2027, 1, 15, 8, 30, tzinfo=UTC)
    assert entry.timezone == "Europe/Berlin" and entry.status.value == "scheduled"
    assert "2027-01-15 09:30 Europe/Berlin (CET)" in result.message


@pytest.mark.anyio
async def test_another_zone_and_two_accounts(services: Services) -> None:
    app = dialog_app(services)
    async with app.run_test(size=(80, 24)) as pilot:
        await choose_accounts(pilot, "ank-x", "ank-masto")
        await type_in(pilot, "#zone", "Asia/Almaty")
        await type_in(pilot, "#when", "2027-01-15 09:00")
        assert "= 2027-01-15 04:00 UTC" in text(pilot, "#summary")
        await pilot.press("ctrl+s")
        await pilot.pause()
    [result] = app.results
    entries = queued(services)
    assert sorted(e.account for e in entries) == ["ank-masto", "ank-x"]
    assert {e.scheduled_at for e in entries} == {datetime(2027, 1, 15, 4, 0, tzinfo=UTC)}
    assert {e.timezone for e in entries} == {"Asia/Almaty"}
    assert len(result.editions) == 2


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("when", "zone", "message"),
    [
        (
            "2026-11-29 09:00",
            "Europe/Berlin",
            "2026-11-29 09:00 Europe/Berlin is in the past (1 day ago); "
            "it is now 2026-11-30 09:07 Europe/Berlin (CET)",
        ),
        (
            "2027-03-28 02:30",
            "Europe/Berlin",
            "2027-03-28 02:30 does not exist in Europe/Berlin: the clocks jump from 02:00 to "
            "03:00 there, so use 2027-03-28 03:30 or 2027-03-28 01:30",
        ),
        (
            "2027-10-31 02:30",
            "Europe/Berlin",
            "2027-10-31 02:30 happens twice in Europe/Berlin",
        ),
        (
            "2027-01-15 09:00",
            "Europe/Berlinn",
            "unknown time zone 'Europe/Berlinn': did you mean 'Europe/Berlin'",
        ),
        ("next tuesday", "Europe/Berlin", "cannot read 'next tuesday' as a time"),
    ],
)
async def test_a_time_that_cannot_be_used_is_refused_inline(
    services: Services, when: str, zone: str, message: str
) -> None:
    app = dialog_app(services)
    async with app.run_test(size=(80, 24)) as pilot:
        await type_in(pilot, "#zone", zone)
        await type_in(pilot, "#when", when)
        assert message in text(pilot, "#error")  # as you type
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert message in text(pilot, "#error")  # and when asked to schedule
        assert isinstance(app.screen, ScheduleDialog)  # still open
    assert app.results == []
    assert queued(services) == []


@pytest.mark.anyio
async def test_next_free_slot_of_an_account_with_slots(services: Services) -> None:
    app = dialog_app(services)
    async with app.run_test(size=(80, 24)) as pilot:
        await choose_accounts(pilot, "ank-x")
        app.screen.query_one("#next-slot", Checkbox).value = True
        await pilot.pause()
        # 09:00 Berlin is past at 09:07: the next slot is 17:00.
        assert "ank-x: 2026-11-30 17:00 Europe/Berlin (CET)" in text(pilot, "#summary")
        await pilot.press("ctrl+s")
        await pilot.pause()
        # The thread scheduled again (Again) goes to the slot after it.
        app.push_screen(
            ScheduleDialog(services, services.drafts_dir / "report.md"), app.results.append
        )
        await pilot.pause()
        await choose_accounts(pilot, "ank-x")
        app.screen.query_one("#next-slot", Checkbox).value = True
        app.screen.query_one("#again", Checkbox).value = True
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
    times = [e.scheduled_at for e in queued(services)]
    assert times == [
        datetime(2026, 11, 30, 16, 0, tzinfo=UTC),
        datetime(2026, 12, 1, 8, 0, tzinfo=UTC),
    ]
    assert len(app.results) == 2


@pytest.mark.anyio
async def test_next_free_slot_of_an_account_without_slots_is_refused(services: Services) -> None:
    app = dialog_app(services)
    async with app.run_test(size=(80, 24)) as pilot:
        await choose_accounts(pilot, "ank-x", "ank-masto")
        app.screen.query_one("#next-slot", Checkbox).value = True
        await pilot.pause()
        assert "account 'ank-masto' has no posting slots" in text(pilot, "#error")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "account 'ank-masto' has no posting slots" in text(pilot, "#error")
    assert app.results == [] and queued(services) == []


@pytest.mark.anyio
async def test_escape_cancels_and_schedules_nothing(services: Services) -> None:
    app = dialog_app(services)
    async with app.run_test(size=(80, 24)) as pilot:
        await type_in(pilot, "#when", "2027-01-15 09:30")
        await pilot.press("escape")
        await pilot.pause()
    assert app.results == [None]
    assert queued(services) == []


@pytest.mark.anyio
async def test_no_account_chosen_is_refused(services: Services) -> None:
    app = dialog_app(services)
    async with app.run_test(size=(80, 24)) as pilot:
        await choose_accounts(pilot)
        assert "choose at least one account" in text(pilot, "#error")
        assert app.screen.query_one("#publish", Button).disabled
        await pilot.press("ctrl+s")
        await pilot.pause()
    assert app.results == [] and queued(services) == []


@pytest.mark.anyio
async def test_the_example_accounts_file_schedules_but_does_not_publish(tmp_path: Path) -> None:
    config = (ROOT / "accounts.example.toml").read_text(encoding="utf-8")
    services = workspace(tmp_path, config, "accounts.example.toml")
    app = dialog_app(services)
    async with app.run_test(size=(80, 24)) as pilot:
        assert app.screen.query_one("#publish", Button).disabled
        assert "accounts.example.toml holds example accounts: copy it to accounts.toml" in text(
            pilot, "#publish-note"
        )
        await type_in(pilot, "#when", "2027-01-15 09:30")
        await pilot.press("ctrl+s")
        await pilot.pause()
    services.close()
    [result] = app.results
    assert [e.account for e in result.editions] == ["ank-masto"]


@pytest.mark.anyio
async def test_publish_now_after_confirming(services: Services, mastodon: FakeMastodon) -> None:
    services.config_path = _with_mastodon(services, mastodon)
    app = dialog_app(services)
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = app.screen
        assert not dialog.query_one("#publish", Button).disabled
        dialog.query_one("#publish", Button).press()
        await wait_until(pilot, lambda: confirming(pilot))
        question = text(pilot, "#question")
        assert "ank-masto (" in question and "posts)" in question
        app.screen.query_one("#confirm", Button).press()
        await wait_until(pilot, lambda: bool(app.results))
    [result] = app.results
    statuses = mastodon.thread()
    assert len(statuses) >= 2
    assert statuses[0]["in_reply_to_id"] is None
    assert all(b["in_reply_to_id"] == a["id"] for a, b in itertools.pairwise(statuses))
    assert result.published_now
    assert f"ank-masto: published {len(statuses)} posts" in result.message
    for status in statuses:  # each post's URL is in the message
        assert f"https://fake.social/@monitor/{status['id']}" in result.message
    [entry] = queued(services)
    assert entry.status.value == "published"


@pytest.mark.anyio
async def test_a_stopped_edition_shows_its_progress_and_resumes(
    services: Services, mastodon: FakeMastodon
) -> None:
    services.config_path = _with_mastodon(services, mastodon)

    def revoke_after_the_first(post: dict[str, Any]) -> None:
        mastodon.token = "revoked"  # the next request is answered 401

    mastodon.on_store = revoke_after_the_first
    app = dialog_app(services)
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = app.screen

        def on_dialog(selector: str) -> str:
            return str(dialog.query_one(selector, Static).render())

        dialog.query_one("#publish", Button).press()
        await wait_until(pilot, lambda: confirming(pilot))
        app.screen.query_one("#confirm", Button).press()
        await wait_until(pilot, lambda: "not every edition" in on_dialog("#error"))
        assert on_dialog("#progress").startswith("ank-masto: 1/2 sent, stopped:")
        assert MASTODON_TOKEN not in on_dialog("#progress") + on_dialog("#error")
        assert len(mastodon.statuses) == 1 and app.results == []

        # Fixed: Publish now again sends the rest, as a reply to the first post.
        mastodon.on_store = None
        mastodon.token = MASTODON_TOKEN
        dialog.query_one("#publish", Button).press()
        await wait_until(pilot, lambda: confirming(pilot))
        app.screen.query_one("#confirm", Button).press()
        await wait_until(pilot, lambda: bool(app.results))
    statuses = mastodon.thread()
    assert len(statuses) == 2 and statuses[1]["in_reply_to_id"] == statuses[0]["id"]
    assert app.results[0].published_now


@pytest.mark.anyio
async def test_cancelling_the_confirmation_sends_nothing(
    services: Services, mastodon: FakeMastodon
) -> None:
    services.config_path = _with_mastodon(services, mastodon)
    app = dialog_app(services)
    async with app.run_test(size=(80, 24)) as pilot:
        app.screen.query_one("#publish", Button).press()
        await wait_until(pilot, lambda: confirming(pilot))
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, ScheduleDialog))
        await pilot.pause()
        assert not app.screen.query_one("#publish", Button).disabled
    assert mastodon.statuses == {}
    assert app.results == []
    assert queued(services) == []


def _with_mastodon(services: Services, mastodon: FakeMastodon) -> str:
    """The accounts file with ank-masto on the loopback Mastodon."""
    assert services.config_path is not None
    path = Path(services.config_path)
    path.write_text(accounts_file(mastodon.url), encoding="utf-8")
    return str(path)


@pytest.mark.parametrize("size", SIZES)
def test_snapshot_of_the_schedule_dialog(
    services: Services, size: tuple[int, int], snap_compare: Any
) -> None:
    assert snap_compare(dialog_app(services), terminal_size=size)


def test_snapshot_with_the_example_accounts_file(tmp_path: Path, snap_compare: Any) -> None:
    config = (ROOT / "accounts.example.toml").read_text(encoding="utf-8")
    services = workspace(tmp_path, config, "accounts.example.toml")
    assert snap_compare(dialog_app(services), terminal_size=(120, 40))
    services.close()


@pytest.mark.anyio
async def test_a_draft_that_cannot_be_read_is_said_and_nothing_can_be_done(
    services: Services,
) -> None:
    app = DialogApp(lambda: ScheduleDialog(services, services.drafts_dir / "missing.md"))
    async with app.run_test(size=(80, 24)) as pilot:
        assert "missing.md" in text(pilot, "#error")
        assert app.screen.query_one("#schedule", Button).disabled
        assert app.screen.query_one("#publish", Button).disabled
        await pilot.press("ctrl+s", "escape")
        await pilot.pause()
    assert app.results == [None] and queued(services) == []


@pytest.mark.anyio
async def test_without_an_accounts_file_the_dialog_says_so(tmp_path: Path) -> None:
    drafts = workspace(tmp_path, "").drafts_dir
    services = Services(drafts_dir=drafts, db_url=str(tmp_path / "h.sqlite3"), workdir=drafts)
    app = DialogApp(lambda: ScheduleDialog(services, drafts / "report.md"))
    async with app.run_test(size=(80, 24)) as pilot:
        assert "no accounts.toml: publishing needs your accounts" in text(pilot, "#error")
        assert app.screen.query_one("#publish", Button).disabled
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ScheduleDialog)
    services.close()
    assert app.results == [] and queued(services) == []


@pytest.mark.anyio
async def test_the_time_offered_follows_the_zone_until_one_is_typed(services: Services) -> None:
    app = dialog_app(services)
    async with app.run_test(size=(80, 24)) as pilot:
        when = app.screen.query_one("#when", Input)
        await type_in(pilot, "#zone", "Asia/Almaty")  # 08:07 UTC is 13:07 there
        assert when.value == "2026-11-30 13:15"
        assert "= 2026-11-30 08:15 UTC" in text(pilot, "#summary")
        await type_in(pilot, "#when", "2027-02-01 10:00")
        await type_in(pilot, "#zone", "America/New_York")
        assert when.value == "2027-02-01 10:00"
        assert "= 2027-02-01 15:00 UTC" in text(pilot, "#summary")


@pytest.mark.anyio
async def test_an_account_of_the_draft_missing_from_the_accounts_file_is_said(
    services: Services,
) -> None:
    draft = services.drafts_dir / "report.md"
    draft.write_text(
        draft.read_text(encoding="utf-8").replace('["ank-masto"]', '["ank-masto", "ank-mastd"]'),
        encoding="utf-8",
    )
    app = dialog_app(services)
    async with app.run_test(size=(80, 24)) as pilot:
        assert app.screen.query_one("#accounts", SelectionList).selected == ["ank-masto"]
        assert "unknown account 'ank-mastd' (did you mean 'ank-masto'?)" in text(pilot, "#note")


def test_snapshot_of_a_time_in_the_dst_gap(services: Services, snap_compare: Any) -> None:
    async def type_the_gap(pilot: Pilot[Any]) -> None:
        await type_in(pilot, "#when", "2027-03-28 02:30")

    assert snap_compare(dialog_app(services), terminal_size=(80, 24), run_before=type_the_gap)


# --- Repeat: a recurring rule instead of one edition -----------------------------------------
@pytest.mark.anyio
async def test_a_rule_typed_shows_its_next_three_times_and_schedule_makes_it(
    services: Services,
) -> None:
    app = dialog_app(services)
    async with app.run_test(size=(80, 24)) as pilot:
        await type_in(pilot, "#repeat", "Mon 09:00")
        # Monday 09:07 in Berlin: this week's 09:00 is past.
        summary = text(pilot, "#summary")
        assert "repeats for ank-masto; next: 2026-12-07 09:00 Europe/Berlin (CET)" in summary
        assert "2026-12-14 09:00 Europe/Berlin (CET); 2026-12-21 09:00" in summary
        assert app.screen.query_one("#when", Input).disabled
        assert app.screen.query_one("#next-slot", Checkbox).disabled
        assert app.screen.query_one("#publish", Button).disabled
        await pilot.press("ctrl+s")
        await pilot.pause()
    [result] = app.results
    [rule] = rules(services)
    assert rule.account == "ank-masto" and rule.active
    assert rule.rule == "0 9 * * mon" and rule.timezone == "Europe/Berlin"
    assert rule.next_at == datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
    assert [r.id for r in result.rules] == [rule.id] and result.editions == []
    assert f"rule {rule.id} for ank-masto" in result.message
    assert "next 2026-12-07 09:00 Europe/Berlin (CET)" in result.message
    assert queued(services) == []  # a rule, not an edition


@pytest.mark.anyio
async def test_a_rule_follows_the_zone_typed(services: Services) -> None:
    app = dialog_app(services)
    async with app.run_test(size=(80, 24)) as pilot:
        await type_in(pilot, "#zone", "Asia/Almaty")
        await type_in(pilot, "#repeat", "daily 09:00")
        assert "next: 2026-12-01 09:00 Asia/Almaty (+05)" in text(pilot, "#summary")
        await pilot.press("ctrl+s")
        await pilot.pause()
    [rule] = rules(services)
    assert rule.timezone == "Asia/Almaty" and rule.rule == "0 9 * * *"


@pytest.mark.anyio
async def test_what_the_dst_changes_do_to_a_rule_is_said(services: Services) -> None:
    app = dialog_app(services)
    async with app.run_test(size=(80, 24)) as pilot:
        await type_in(pilot, "#repeat", "daily 02:30")
        summary = text(pilot, "#summary")
        assert (
            "note: 2027-03-28 02:30 does not exist in Europe/Berlin (the clocks jump forward): "
            "that occurrence runs at 03:30" in summary
        )
        assert "note: 2027-10-31 02:30 happens twice in Europe/Berlin" in summary
        await type_in(pilot, "#repeat", "daily 09:00")
        assert "note:" not in text(pilot, "#summary")


@pytest.mark.anyio
async def test_a_rule_that_cannot_be_read_is_said_inline_and_nothing_is_made(
    services: Services,
) -> None:
    app = dialog_app(services)
    async with app.run_test(size=(80, 24)) as pilot:
        await type_in(pilot, "#repeat", "Mon [b]25:00")
        error = text(pilot, "#error")
        assert "cannot read 'Mon [b]25:00' as a rule" in error  # the markup shown, escaped
        assert "'[b]25:00' is not a time of day HH:MM" in error
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "cannot read 'Mon [b]25:00' as a rule" in text(pilot, "#error")
        assert isinstance(app.screen, ScheduleDialog)
    assert app.results == [] and rules(services) == [] and queued(services) == []


# --- Continue: a follow-up of an earlier edition ---------------------------------------------
@pytest.mark.anyio
async def test_a_follow_up_of_a_published_edition_is_scheduled_numbered_on(
    services: Services,
) -> None:
    parent = published_edition(services, ["1/3 One.", "2/3 Two.", "3/3 Three."])
    app = dialog_app(services)
    async with app.run_test(size=(80, 24)) as pilot:
        await type_in(pilot, "#follows", str(parent))
        summary = text(pilot, "#summary")
        assert f"continues edition {parent} on ank-masto:" in summary
        await type_in(pilot, "#when", "2027-01-15 09:30")
        await pilot.press("ctrl+s")
        await pilot.pause()
    [result] = app.results
    [edition] = result.editions
    assert services.db_url is not None
    with open_database(services.db_url) as db:
        row = find_edition(db, edition.id)
        posts = [p.text for p in edition_posts(db, edition.id)]
    assert row.follows_edition_id == parent and row.numbering_start == 4
    assert row.status is EditionStatus.SCHEDULED and row.account == "ank-masto"
    assert row.scheduled_at == datetime(2027, 1, 15, 8, 30, tzinfo=UTC)
    total = 3 + len(posts)
    assert posts[0].startswith(f"4/{total} ") and posts[-1].startswith(f"{total}/{total} ")
    # The summary showed the marks the planning gave the posts.
    assert f"4/{total}–{total}/{total}" in summary
    assert f"following edition {parent}" in result.message


@pytest.mark.anyio
async def test_an_update_follow_up_is_marked_update(services: Services) -> None:
    parent = published_edition(services, ["1/2 One.", "2/2 Two."])
    app = dialog_app(services)
    async with app.run_test(size=(80, 24)) as pilot:
        assert app.screen.query_one("#update", Checkbox).disabled  # until an id is typed
        await type_in(pilot, "#follows", str(parent))
        app.screen.query_one("#update", Checkbox).value = True
        await pilot.pause()
        assert "UPDATE 1/" in text(pilot, "#summary")
        await type_in(pilot, "#when", "2027-01-15 09:30")
        await pilot.press("ctrl+s")
        await pilot.pause()
    [result] = app.results
    assert services.db_url is not None
    with open_database(services.db_url) as db:
        row = find_edition(db, result.editions[0].id)
        posts = [p.text for p in edition_posts(db, result.editions[0].id)]
    assert row.follows_edition_id == parent and row.numbering_start is None
    assert posts[0].startswith("UPDATE")


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("status", "message"),
    [
        (None, "no edition 99 to follow"),
        ("cancelled", "is cancelled: a follow-up cannot continue it"),
    ],
)
async def test_an_edition_that_cannot_be_followed_is_refused_inline(
    services: Services, status: str | None, message: str
) -> None:
    follows = "99" if status is None else str(published_edition(services, ["Hi."], status))
    before = queued(services)
    app = dialog_app(services)
    async with app.run_test(size=(80, 24)) as pilot:
        await type_in(pilot, "#follows", follows)
        assert message in text(pilot, "#error")
        assert message in text(pilot, "#publish-note")
        assert app.screen.query_one("#publish", Button).disabled
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert message in text(pilot, "#error")
    assert app.results == [] and queued(services) == before


@pytest.mark.anyio
async def test_an_edition_of_another_account_is_refused_inline(services: Services) -> None:
    assert services.db_url is not None
    with open_database(services.db_url) as db:
        thread = record_thread(db, DraftText(title="On X", body="Hi."))
        assert thread.id is not None
        on_x = create_edition(
            db,
            thread.id,
            account="ank-x",
            platform="x",
            posts=["Hi."],
            status=EditionStatus.PUBLISHED,
        ).id
    app = dialog_app(services)
    async with app.run_test(size=(80, 24)) as pilot:
        accounts = app.screen.query_one("#accounts", SelectionList)
        assert accounts.selected == ["ank-masto"]  # the draft's account
        await type_in(pilot, "#follows", str(on_x))
        # Typing the id checks the edition's account alone.
        assert accounts.selected == ["ank-x"]
        await type_in(pilot, "#when", "2027-01-15 09:30")
        assert f"continues edition {on_x} on ank-x" in text(pilot, "#summary")
        # Checking another account instead is refused, and nothing is written.
        await choose_accounts(pilot, "ank-masto")
        said = f"edition {on_x} is on account 'ank-x', not 'ank-masto'"
        assert said in text(pilot, "#error")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert said in text(pilot, "#error") and app.results == []
        assert len(queued(services)) == 1  # only the edition on X
        # Both checked: a follow-up goes on one account.
        await choose_accounts(pilot, "ank-x", "ank-masto")
        assert f"goes on the account of edition {on_x} (ank-x) only" in text(pilot, "#error")
        # The edition's account: the X thread is planned and scheduled.
        await choose_accounts(pilot, "ank-x")
        assert f"continues edition {on_x} on ank-x" in text(pilot, "#summary")
        await pilot.press("ctrl+s")
        await pilot.pause()
    [result] = app.results
    assert [e.account for e in result.editions] == ["ank-x"]


@pytest.mark.anyio
async def test_a_follow_up_before_its_scheduled_parent_is_refused_inline(
    services: Services,
) -> None:
    assert services.db_url is not None
    with open_database(services.db_url) as db:
        thread = record_thread(db, DraftText(title="Later", body="One."))
        assert thread.id is not None
        parent = create_edition(
            db,
            thread.id,
            account="ank-x",
            platform="x",
            posts=["1/2 One.", "2/2 Two."],
            scheduled_at=datetime(2027, 1, 15, 8, 30, tzinfo=UTC),
            timezone="Europe/Berlin",
        ).id
    app = dialog_app(services)
    async with app.run_test(size=(80, 24)) as pilot:
        await choose_accounts(pilot, "ank-x")
        await type_in(pilot, "#follows", str(parent))
        # Scheduling can wait for it; publishing now cannot.
        assert f"continues edition {parent} on ank-x" in text(pilot, "#summary")
        assert app.screen.query_one("#publish", Button).disabled
        await type_in(pilot, "#when", "2027-01-10 09:00")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert f"edition {parent} goes out at 2027-01-15 09:30 Europe/Berlin (CET)" in text(
            pilot, "#error"
        )
        assert app.results == [] and len(queued(services)) == 1
        # At the parent's own time it is scheduled.
        await type_in(pilot, "#when", "2027-01-15 09:30")
        await pilot.press("ctrl+s")
        await pilot.pause()
    [result] = app.results
    [edition] = result.editions
    assert edition.account == "ank-x"
    assert edition.at_utc == datetime(2027, 1, 15, 8, 30, tzinfo=UTC)


@pytest.mark.anyio
async def test_repeat_and_continue_together_are_refused(services: Services) -> None:
    parent = published_edition(services, ["1/2 One.", "2/2 Two."])
    app = dialog_app(services)
    async with app.run_test(size=(80, 24)) as pilot:
        await type_in(pilot, "#repeat", "daily 09:00")
        await type_in(pilot, "#follows", str(parent))
        assert "fill in only one of them" in text(pilot, "#error")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "fill in only one of them" in text(pilot, "#error")
        assert isinstance(app.screen, ScheduleDialog)
    assert app.results == [] and rules(services) == []
    assert [e.edition_id for e in queued(services)] == [parent]


@pytest.mark.anyio
async def test_publish_now_continues_a_published_thread(
    services: Services, mastodon: FakeMastodon
) -> None:
    services.config_path = _with_mastodon(services, mastodon)
    app = dialog_app(services)
    async with app.run_test(size=(80, 24)) as pilot:
        app.screen.query_one("#publish", Button).press()
        await wait_until(pilot, lambda: confirming(pilot))
        app.screen.query_one("#confirm", Button).press()
        await wait_until(pilot, lambda: bool(app.results))
        [parent] = queued(services)
        first = len(mastodon.thread())

        app.push_screen(
            ScheduleDialog(services, services.drafts_dir / "report.md"), app.results.append
        )
        await pilot.pause()
        await type_in(pilot, "#follows", str(parent.edition_id))
        app.screen.query_one("#update", Checkbox).value = True
        await pilot.pause()
        app.screen.query_one("#publish", Button).press()
        await wait_until(pilot, lambda: confirming(pilot))
        assert f"continuing edition {parent.edition_id}" in text(pilot, "#question")
        app.screen.query_one("#confirm", Button).press()
        await wait_until(pilot, lambda: len(app.results) == 2)
    statuses = mastodon.thread()  # one chain: the follow-up replies to the last post
    assert len(statuses) > first
    assert all(b["in_reply_to_id"] == a["id"] for a, b in itertools.pairwise(statuses))
    assert statuses[first]["text"].startswith("UPDATE")
    assert app.results[1].published_now
    assert f"following edition {parent.edition_id}" in app.results[1].message
    follow = [e for e in queued(services) if e.edition_id != parent.edition_id]
    assert services.db_url is not None
    with open_database(services.db_url) as db:
        assert find_edition(db, follow[0].edition_id).follows_edition_id == parent.edition_id


@pytest.mark.anyio
async def test_publish_now_refuses_to_continue_an_edition_only_scheduled(
    services: Services,
) -> None:
    parent = published_edition(services, ["1/2 One.", "2/2 Two."], "scheduled")
    app = dialog_app(services)
    async with app.run_test(size=(80, 24)) as pilot:
        await type_in(pilot, "#follows", str(parent))
        assert app.screen.query_one("#publish", Button).disabled
        assert "not published yet: schedule the follow-up instead" in text(pilot, "#publish-note")
        assert f"continues edition {parent}" in text(pilot, "#summary")  # scheduling can


@pytest.mark.parametrize("size", SIZES)
def test_snapshot_of_a_rule_and_its_next_times(
    services: Services, size: tuple[int, int], snap_compare: Any
) -> None:
    async def type_a_rule(pilot: Pilot[Any]) -> None:
        await type_in(pilot, "#repeat", "weekdays 17:00")

    assert snap_compare(dialog_app(services), terminal_size=size, run_before=type_a_rule)


@pytest.mark.anyio
async def test_a_thread_already_scheduled_is_refused_inline_unless_again(
    services: Services,
) -> None:
    async def schedule_once(again: bool = False) -> tuple[list[Any], str]:
        app = dialog_app(services)
        async with app.run_test(size=(120, 40)) as pilot:
            await type_in(pilot, "#when", "2027-01-15 09:30")
            if again:
                app.screen.query_one("#again", Checkbox).value = True
                await pilot.pause()
            await pilot.press("ctrl+s")
            await pilot.pause()
            said = "" if app.results else text(pilot, "#error")
        return app.results, said

    [first], _ = await schedule_once()
    [edition] = first.editions
    results, said = await schedule_once()
    assert results == []  # the dialog stays open, saying why
    assert f"ank-masto already has this thread (edition {edition.id}, scheduled for " in said
    assert "2027-01-15 09:30 Europe/Berlin" in said and "tick Again to schedule it" in said
    assert len(queued(services)) == 1
    [again], _ = await schedule_once(again=True)
    assert again.editions and len(queued(services)) == 2


@pytest.mark.anyio
async def test_the_dialog_says_when_no_daemon_would_send_it(services: Services) -> None:
    from datetime import timedelta

    from composer.store import daemon_seen
    from tests.tui.dialog_fixtures import FIXED_NOW

    app = dialog_app(services)
    async with app.run_test(size=(80, 24)) as pilot:
        assert text(pilot, "#daemon").startswith(
            "no daemon has run yet: scheduled threads will not be sent; start one with"
        )
    assert services.db_url is not None
    with open_database(services.db_url) as db:
        daemon_seen(db, "h:1", host="h", pid=1, now=FIXED_NOW - timedelta(hours=5))
    app = dialog_app(services)
    async with app.run_test(size=(80, 24)) as pilot:
        assert text(pilot, "#daemon").startswith("no daemon has run for 5 hours: ")
    with open_database(services.db_url) as db:
        daemon_seen(db, "h:1", host="h", pid=1, now=FIXED_NOW - timedelta(seconds=30))
    app = dialog_app(services)
    async with app.run_test(size=(80, 24)) as pilot:
        assert not app.screen.query_one("#daemon", Static).display


def _with_schedule_key(services: Services, value: str) -> None:
    draft = services.drafts_dir / "report.md"
    text = draft.read_text(encoding="utf-8")
    draft.write_text(text.replace("+++\n", f'+++\nschedule = "{value}"\n', 1), encoding="utf-8")


@pytest.mark.anyio
async def test_the_drafts_schedule_key_is_the_time_offered(services: Services) -> None:
    _with_schedule_key(services, "2027-02-01 10:00")
    app = dialog_app(services)
    async with app.run_test(size=(120, 40)) as pilot:
        assert app.screen.query_one("#when", Input).value == "2027-02-01 10:00"
        assert "2027-02-01 10:00 Europe/Berlin (CET) = 2027-02-01 09:00 UTC" in text(
            pilot, "#summary"
        )
        await pilot.press("ctrl+s")
        await pilot.pause()
    [result] = app.results
    assert result.editions[0].at_utc == datetime(2027, 2, 1, 9, 0, tzinfo=UTC)


@pytest.mark.anyio
async def test_a_bad_schedule_key_is_said_naming_the_file_and_key(services: Services) -> None:
    _with_schedule_key(services, "2020-01-01 10:00")
    app = dialog_app(services)
    async with app.run_test(size=(120, 40)) as pilot:
        said = text(pilot, "#error")
        assert "report.md: schedule = '2020-01-01 10:00': " in said and "in the past" in said
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.results == [] and queued(services) == []
        await type_in(pilot, "#when", "2027-01-15 09:30")  # a time typed is read as typed
        assert text(pilot, "#error") == ""


@pytest.mark.anyio
async def test_an_unexpected_error_while_publishing_is_shown_not_a_crash(
    services: Services, mastodon: FakeMastodon, monkeypatch: pytest.MonkeyPatch
) -> None:
    import composer.tui.schedule as schedule_module

    async def broken(*args: Any, **kwargs: Any) -> Any:
        raise ValueError("could not parse x-ratelimit-reset: Bearer abcdefgh12345678")

    monkeypatch.setattr(schedule_module, "run_editions", broken)
    services.config_path = _with_mastodon(services, mastodon)
    app = dialog_app(services)
    async with app.run_test(size=(80, 24)) as pilot:
        app.screen.query_one("#publish", Button).press()
        await wait_until(pilot, lambda: confirming(pilot))
        app.screen.query_one("#confirm", Button).press()
        await wait_until(
            pilot, lambda: not confirming(pilot) and "ValueError" in text(pilot, "#error")
        )
        error = text(pilot, "#error")
        assert "could not parse x-ratelimit-reset" in error and "abcdefgh12345678" not in error
        assert app.is_running and not app.screen.query_one("#publish", Button).disabled


@pytest.mark.anyio
async def test_a_report_longer_than_a_linkedin_post_is_refused_inline(tmp_path: Path) -> None:
    linkedin = accounts_toml({"ank-li": linkedin_account()})
    services = workspace(tmp_path, accounts_file() + "\n" + linkedin)
    report = "The count in Almaty was slow and observers were kept away. " * 60
    (services.drafts_dir / "report.md").write_text(report, encoding="utf-8")
    app = dialog_app(services)
    async with app.run_test(size=(120, 40)) as pilot:
        await choose_accounts(pilot, "ank-li")
        await type_in(pilot, "#when", "2027-01-15 09:30")
        await pilot.press("ctrl+s")
        await pilot.pause()
        refusal = text(pilot, "#error")
        # 59 x 60 characters less the last space, and "\n\n#ElectionWatch" (16) added.
        assert "ank-li: the report is 3,555 characters and a LinkedIn post takes 3,000" in refusal
    assert app.results == [] and queued(services) == []
    services.close()


# --- per-network settings --------------------------------------------------------------
@pytest.mark.anyio
async def test_the_settings_chosen_are_scheduled_and_handed_back_for_the_draft(
    services: Services,
) -> None:
    """Who may reply, quotes and a content warning chosen in the dialog: the summary says
    what each account sends and what its platform lacks; the editions are recorded with
    them; the changes come back for the compose screen to write to the draft."""
    app = dialog_app(services)
    async with app.run_test(size=(120, 40)) as pilot:
        await choose_accounts(pilot, "ank-x", "ank-masto")
        screen = app.screen
        assert screen.query_one("#replies", Select).value is Select.NULL  # the draft says none
        screen.query_one("#replies", Select).value = "nobody"
        screen.query_one("#quotes", Select).value = "false"
        await type_in(pilot, "#content-warning", "Detentions")
        summary = text(pilot, "#summary")
        assert "ank-masto: content_warning=Detentions" in summary
        assert 'ank-x: X has no replies = "nobody": using "mentioned"' in summary
        await type_in(pilot, "#language", "Kazakh")
        assert "Language: language must be a language code" in text(pilot, "#error")
        await type_in(pilot, "#language", "kk")
        assert text(pilot, "#error") == ""
        await type_in(pilot, "#when", "2027-01-15 09:30")
        await pilot.press("ctrl+s")
        await pilot.pause()
    [result] = app.results
    assert isinstance(result, ScheduleResult)
    assert result.front_matter == {
        "language": "kk",
        "content_warning": "Detentions",
        "replies": "nobody",
        "quotes": False,
    }
    assert services.db_url is not None
    with open_database(services.db_url) as db:
        options = {e.account: edition_options(find_edition(db, e.id)) for e in result.editions}
    assert options["ank-x"].replies == "mentioned"  # X's closest to "nobody"
    assert options["ank-masto"] == PostOptions(
        "kk", "public", "public", "Detentions", "nobody", "not_first"
    )


@pytest.mark.anyio
async def test_link_cards_have_a_row_preselected_from_the_draft_and_handed_back(
    services: Services,
) -> None:
    """Bluesky's link cards are a setting like the others: the draft's `link_card = false`
    is shown, turning them on again comes back as the front matter's boolean."""
    report = services.drafts_dir / "report.md"
    report.write_text(
        report.read_text(encoding="utf-8").replace("+++\n", "+++\nlink_card = false\n", 1)
    )
    app = dialog_app(services)
    async with app.run_test(size=(120, 40)) as pilot:
        await choose_accounts(pilot, "ank-x")
        row = app.screen.query_one("#link-card", Select)
        assert row.value == "false"
        row.value = "true"
        await type_in(pilot, "#when", "2027-01-15 09:30")
        await pilot.press("ctrl+s")
        await pilot.pause()
    [result] = app.results
    assert isinstance(result, ScheduleResult)
    assert result.front_matter == {"link_card": True}


@pytest.mark.anyio
async def test_a_thread_over_the_accounts_daily_quota_is_warned_about(tmp_path: Path) -> None:
    """X's free tier allows 17 posts a day: the dialog says what happens to a longer thread
    before it is scheduled (here a quota of 1 and the draft's posts)."""
    quota = accounts_file().replace('slots = ["Mon-Fri', 'daily_post_quota = 1\nslots = ["Mon-Fri')
    services = workspace(tmp_path, quota)
    try:
        app = dialog_app(services)
        async with app.run_test(size=(120, 40)) as pilot:
            await choose_accounts(pilot, "ank-x", "ank-masto")
            summary = text(pilot, "#summary")
            assert "⚠ ank-x:" in summary and "may post 1 a day (daily_post_quota)" in summary
            assert "post 2 on will be refused" in summary
            assert "ank-masto: " not in summary.split("⚠ ank-x:")[1]  # no quota there
    finally:
        services.close()
