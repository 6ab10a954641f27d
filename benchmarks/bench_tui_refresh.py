"""What the queue and history screens do every two seconds, on a busy database: 1,000
scheduled editions and 1,000 published ones of 5 posts (the screens show the first 50 of
the history and the whole queue).

uv run python -m benchmarks.bench_tui_refresh [--scheduled N] [--published N]

Prints each screen's refresh (store queries plus rebuilding its tables, in a headless app),
the share of the two-second interval it takes on the UI thread, and a baseline in the same
process: one `find_edition` by primary key on the same database.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from benchmarks.timing import best_time, human
from composer.store import (
    DraftText,
    EditionStatus,
    create_edition,
    edition_posts,
    find_edition,
    mark_post_sent,
    open_database,
    record_thread,
    schedule_edition,
    set_edition_status,
)
from composer.tui.history import REFRESH_SECONDS, HistoryScreen
from composer.tui.queue import QueueScreen
from composer.tui.services import Services
from tests.tui.data_fixtures import ScreenApp

NOW = datetime(2026, 12, 1, 4, 0, tzinfo=UTC)
POSTS = [f"{i}/5 The count in Almaty was slow; observers were not admitted." for i in range(1, 6)]


def build(path: Path, scheduled: int, published: int) -> None:
    db = open_database(str(path))
    try:
        for n in range(scheduled):
            thread = record_thread(db, DraftText(title=f"Scheduled report {n}", body="x"))
            assert thread.id is not None
            schedule_edition(
                db, thread.id, account=f"acct-{n % 20}", platform="mastodon", posts=POSTS,
                at_utc=NOW + timedelta(minutes=n), zone="Asia/Almaty",
            )  # fmt: skip
        for n in range(published):
            thread = record_thread(db, DraftText(title=f"Published report {n}", body="x"))
            assert thread.id is not None
            edition = create_edition(
                db, thread.id, account=f"acct-{n % 20}", platform="mastodon", posts=POSTS
            )
            assert edition.id is not None
            for post in edition_posts(db, edition.id):
                assert post.id is not None
                mark_post_sent(db, post.id, remote_id=f"{edition.id}-{post.position}",
                               remote_url=f"https://fake.social/@m/{post.id}")  # fmt: skip
            set_edition_status(db, edition.id, EditionStatus.PUBLISHED)
    finally:
        db.close()


async def measure(path: Path) -> None:
    services = Services(db_url=str(path), workdir=path.parent, now=lambda: NOW)
    baseline = best_time(lambda: find_edition(services.database(), 1))
    print(f"baseline: find_edition by id        {human(baseline)}")
    for name, screen_type in (("queue", QueueScreen), ("history", HistoryScreen)):
        app = ScreenApp(services, screen_type)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            screen = app.screen

            def unchanged() -> None:
                if isinstance(screen, QueueScreen):
                    screen.refresh_entries()
                elif isinstance(screen, HistoryScreen):
                    screen.refresh_all()

            same = best_time(unchanged, repeat=5)
            print(
                f"{name:8} refresh (nothing changed)   {human(same)}  "
                f"{same / baseline:7.0f}x baseline, "
                f"{same / REFRESH_SECONDS:.1%} of the 2 s interval"
            )

            def refresh() -> None:
                if isinstance(screen, QueueScreen):
                    screen._shown.forget()  # force the table to be rebuilt, as after a change
                    screen.refresh_entries()
                elif isinstance(screen, HistoryScreen):
                    screen._shown_hits.forget()
                    screen._shown_outcomes.forget()
                    screen.refresh_all()

            took = best_time(refresh, repeat=5)
            share = took / REFRESH_SECONDS
            print(
                f"{name:8} refresh (tables rebuilt)    {human(took)}  "
                f"{took / baseline:7.0f}x baseline, {share:.1%} of the 2 s interval"
            )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scheduled", type=int, default=1000)
    parser.add_argument("--published", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "history.sqlite3"
        build(path, args.scheduled, args.published)
        print(f"{args.scheduled} scheduled editions, {args.published} published (5 posts each)")
        asyncio.run(measure(path))


if __name__ == "__main__":
    main()
