"""The cost of follow-ups in the daemon's claim: `claim_due` on N due editions with no
follow-ups (the baseline), then on N due editions of which half follow the other half
(parents scheduled later, so every follow-up is filtered out as waiting), plus the query
that fails follow-ups of ended editions. Same process, same database kind.

uv run python -m benchmarks.bench_follow_ups          # 1,000 editions
uv run python -m benchmarks.bench_follow_ups 5000
"""

from __future__ import annotations

import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from benchmarks.timing import arguments
from composer.store import (
    Database,
    DraftText,
    claim_due,
    open_database,
    record_thread,
    schedule_edition,
)
from composer.store.follow_ups import fail_stranded

NOW = datetime(2030, 1, 10, 4, 0, tzinfo=UTC)


def fill(db: Database, count: int, *, follow_ups: bool) -> None:
    thread = record_thread(db, DraftText(title="T", body="Body."))
    assert thread.id is not None
    parents = count // 2 if follow_ups else count
    ids: list[int] = []
    for n in range(parents):
        # With follow-ups, the parents are not due yet: their follow-ups must wait.
        at = NOW + timedelta(hours=1) if follow_ups else NOW - timedelta(seconds=n % 60)
        made = schedule_edition(
            db, thread.id, account=f"a{n % 50}", platform="mastodon", posts=["1/2 A.", "2/2 B."],
            at_utc=at, zone="UTC",
        )  # fmt: skip
        assert made.id is not None
        ids.append(made.id)
    for n, parent in enumerate(ids[: count - parents]):
        schedule_edition(
            db, thread.id, account=f"a{n % 50}", platform="mastodon", posts=["3/3 C."],
            at_utc=NOW - timedelta(seconds=n % 60), zone="UTC", follows_edition_id=parent,
            numbering_start=3,
        )  # fmt: skip


def timed_claim(count: int, *, follow_ups: bool) -> tuple[float, int]:
    with tempfile.TemporaryDirectory() as folder:
        db = open_database(str(Path(folder) / "h.sqlite3"))
        try:
            fill(db, count, follow_ups=follow_ups)
            start = time.perf_counter()
            claimed = claim_due(db, NOW, "bench", timedelta(minutes=30))
            return time.perf_counter() - start, len(claimed)
        finally:
            db.close()


def timed_fail_stranded(count: int) -> float:
    with tempfile.TemporaryDirectory() as folder:
        db = open_database(str(Path(folder) / "h.sqlite3"))
        try:
            fill(db, count, follow_ups=True)
            start = time.perf_counter()
            fail_stranded(db)
            return time.perf_counter() - start
        finally:
            db.close()


def main() -> None:
    count = arguments("Claiming due editions with follow-ups.", count=1000).count
    base, base_claimed = timed_claim(count, follow_ups=False)
    print(f"claim_due, {count} due editions, no follow-ups: {base * 1000:.1f} ms, "
          f"{base_claimed} claimed")  # fmt: skip
    mixed, mixed_claimed = timed_claim(count, follow_ups=True)
    print(f"claim_due, {count // 2} due follow-ups of {count - count // 2} editions not yet due: "
          f"{mixed * 1000:.1f} ms, {mixed_claimed} claimed")  # fmt: skip
    stranded = timed_fail_stranded(count)
    print(f"fail_stranded alone (nothing to fail): {stranded * 1000:.1f} ms")
    print(f"ratio of the stranded check to the baseline claim: {stranded / base:.3f}")


if __name__ == "__main__":
    main()
