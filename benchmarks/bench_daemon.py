"""One daemon round under load: 1,000 editions of 5 posts, due in the same minute, on 50
Mastodon accounts (loopback fakes answering each request after 20 ms).

Prints the round's wall time against the critical path (the longest chain of one account:
its requests one after another, 20 ms each), how late each edition's first post went out,
peak memory, and whether every thread arrived whole and in order, and whether one
account's editions were interleaved.

uv run python -m benchmarks.bench_daemon            # 1,000 editions on 50 accounts
uv run python -m benchmarks.bench_daemon 200 10     # a smaller load: editions, accounts
uv run python -m benchmarks.bench_daemon 1000 50 5  # and four more rounds: the ratio's median

A shared machine moves one round's ratio by 10% or more; the median of several rounds, each
checked whole, is the figure to compare.

The fakes run in a process of their own (benchmarks/fake_fleet.py: one asyncio loop for
every account), so the figures are the daemon's own: its wall time, and its CPU time
beside the fakes'.
"""

from __future__ import annotations

import asyncio
import os
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlmodel import col

from benchmarks.fake_fleet import fleet
from benchmarks.timing import arguments
from composer.daemon import run_round
from composer.store import (
    DraftText,
    Edition,
    EditionStatus,
    PostRecord,
    open_database,
    record_thread,
    schedule_edition,
)
from composer.workspace.config import parse_config

LATENCY = 0.020  # seconds each fake takes to answer a request
POSTS = 5
MINUTE = timedelta(seconds=60)


@dataclass
class Load:
    editions: int
    accounts: int

    @property
    def names(self) -> list[str]:
        return [f"acct{number:02d}" for number in range(self.accounts)]


def setup(folder: Path, load: Load, urls: dict[str, str]) -> tuple[Any, Any, datetime]:
    """Config, database and the schedule; the round's `now` (end of the minute)."""
    lines = []
    for number, name in enumerate(load.names):
        env = f"BENCH_DAEMON_TOKEN_{number}"
        os.environ[env] = f"tok-{name}"
        lines.append(
            f'[accounts.{name}]\nplatform = "mastodon"\ninstance = "{urls[name]}"\n'
            f'access_token_env = "{env}"\n'
        )
    config = parse_config("\n".join(lines), name="bench-accounts.toml")
    db = open_database(str(folder / "history.sqlite3"))
    now = datetime.now(UTC) + timedelta(seconds=5)  # the round starts about now
    start = now - MINUTE
    names = load.names
    for number in range(load.editions):
        account = names[number % load.accounts]
        title = f"Report {number}"
        texts = [
            f"{title}, part {p} of {POSTS}: what the monitors saw at the polling station."
            for p in range(1, POSTS + 1)
        ]
        thread = record_thread(db, DraftText(title=title, body="\n\n".join(texts)))
        assert thread.id is not None
        at = start + MINUTE * (number / load.editions)
        schedule_edition(
            db, thread.id, account=account, platform="mastodon", posts=texts, at_utc=at, zone="UTC"
        )
    return db, config, now


def percentiles(values: list[float]) -> str:
    ordered = sorted(values)
    if not ordered:
        return "n/a"

    def at(q: float) -> float:
        return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]

    return (
        f"p50 {at(0.50):7.3f} s   p95 {at(0.95):7.3f} s   p99 {at(0.99):7.3f} s   "
        f"max {ordered[-1]:7.3f} s"
    )


def ledger(db: Any) -> tuple[dict[int, tuple[str, EditionStatus, datetime]], dict[int, list[Any]]]:
    with db.engine.connect() as connection:
        editions = {
            row.id: (row.account, EditionStatus(row.status), row.scheduled_at)
            for row in connection.execute(
                sa.select(
                    col(Edition.id),
                    col(Edition.account),
                    col(Edition.status),
                    col(Edition.scheduled_at),
                )
            )
        }
        posts: dict[int, list[Any]] = defaultdict(list)
        for row in connection.execute(
            sa.select(
                col(PostRecord.edition_id),
                col(PostRecord.position),
                col(PostRecord.text),
                col(PostRecord.idempotency_key),
                col(PostRecord.remote_id),
                col(PostRecord.sent_at),
            ).order_by(col(PostRecord.edition_id), col(PostRecord.position))
        ):
            posts[row.edition_id].append(row)
    return editions, posts


def run(load: Load, *, trace: bool) -> dict[str, Any]:
    with fleet(load.names, LATENCY) as fakes, tempfile.TemporaryDirectory() as tmp:
        db, config, now = setup(Path(tmp), load, fakes.urls)
        try:
            rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            if trace:
                tracemalloc.start()
            round_start = datetime.now(UTC)
            cpu_before = _cpu_seconds()
            started = time.perf_counter()
            result = asyncio.run(run_round(db, config, now=now, grace=timedelta(hours=1)))
            wall = time.perf_counter() - started
            cpu = _cpu_seconds() - cpu_before
            peak = 0
            if trace:
                peak = tracemalloc.get_traced_memory()[1]
                tracemalloc.stop()
            rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            editions, posts = ledger(db)
        finally:
            db.close()
        stored, fakes_cpu = fakes.report()
        return {
            "wall": wall,
            "cpu": (cpu, fakes_cpu),
            "round_start": round_start,
            "result": result,
            "editions": editions,
            "posts": posts,
            "peak": peak,
            "rss": (rss_before, rss_after),
            "requests": {name: fake.requests for name, fake in stored.items()},
            "statuses": {name: fake.statuses for name, fake in stored.items()},
            "stored_at": {name: fake.stored_at for name, fake in stored.items()},
        }


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def check_threads(
    run_: dict[str, Any],
) -> tuple[int, int, int, int, float]:
    """(editions whole and in order, statuses stored more than once, accounts whose editions
    interleave, editions interleaved with another, mean editions in flight per account)."""
    editions, posts = run_["editions"], run_["posts"]
    by_key: dict[str, dict[str, Any]] = {}
    duplicates = 0
    for statuses in run_["statuses"].values():
        for status in statuses:
            if status["idempotency_key"] in by_key:
                duplicates += 1
            by_key[status["idempotency_key"]] = status
    whole = 0
    edition_of: dict[str, int] = {}
    for edition_id, rows in posts.items():
        chain = [by_key.get(row.idempotency_key) for row in rows]
        for row in rows:
            edition_of[row.idempotency_key] = edition_id
        ok = all(status is not None for status in chain) and len(chain) == POSTS
        if ok:
            previous = None
            for row, status in zip(rows, chain, strict=True):
                assert status is not None
                ok = ok and status["text"] == row.text and status["id"] == row.remote_id
                ok = ok and status["in_reply_to_id"] == previous
                ok = ok and (previous is None or int(status["id"]) > int(previous))
                previous = status["id"]
        whole += ok
    accounts_interleaved = 0
    interleaved: set[int] = set()
    in_flight: list[float] = []
    for name, statuses in run_["statuses"].items():
        order = [edition_of[s["idempotency_key"]] for s in statuses]
        span: dict[int, tuple[int, int]] = {}
        for index, edition_id in enumerate(order):
            first, _ = span.get(edition_id, (index, index))
            span[edition_id] = (first, index)
        mixed = {e for e, (a, b) in span.items() if any(x != e for x in order[a : b + 1])}
        interleaved |= mixed
        accounts_interleaved += bool(mixed)
        # editions open (first post stored, last not yet) when each status was stored
        open_counts = [
            sum(1 for a, b in span.values() if a <= index <= b) for index in range(len(order))
        ]
        if open_counts:
            in_flight.append(statistics.mean(open_counts))
        assert all(editions[e][0] == name for e in span)
    return whole, duplicates, accounts_interleaved, len(interleaved), statistics.mean(in_flight)


def report(load: Load, run_: dict[str, Any]) -> None:
    wall = run_["wall"]
    editions, posts = run_["editions"], run_["posts"]
    statuses = {s: sum(1 for e in editions.values() if e[1] is s) for s in EditionStatus}
    requests = run_["requests"]
    busiest = max(requests, key=requests.__getitem__)
    total_requests = sum(requests.values())
    per_account = load.editions // load.accounts
    critical = requests[busiest] * LATENCY
    theoretical = per_account * POSTS * LATENCY
    print(
        f"{load.editions:,} editions x {POSTS} posts on {load.accounts} accounts "
        f"({per_account} editions, {per_account * POSTS} posts an account), "
        f"{LATENCY * 1e3:.0f} ms a request"
    )
    print(
        "  outcome: "
        + ", ".join(f"{s.value} {n}" for s, n in statuses.items() if n)
        + f"; {len(run_['result'].outcomes)} outcomes, {len(run_['result'].missed)} missed"
    )
    print(f"  total wall time            {wall:8.2f} s")
    cpu, fakes_cpu = run_["cpu"]
    print(
        f"  CPU time                   {cpu:8.2f} s   (the daemon's process; "
        f"the fakes' {fakes_cpu:.2f} s)"
    )
    print(
        f"  critical path (requests)   {critical:8.2f} s   "
        f"({requests[busiest]} requests to {busiest} x {LATENCY * 1e3:.0f} ms; "
        f"{requests[busiest] / (per_account * POSTS):.2f} a post)"
    )
    print(
        f"  critical path (posts)      {theoretical:8.2f} s   "
        f"({per_account * POSTS} posts x {LATENCY * 1e3:.0f} ms)"
    )
    print(f"  total / critical path      {ratio(run_):8.2f}x")
    print(
        f"  requests                   {total_requests:,} ({total_requests / wall:,.0f}/s; "
        f"statuses {sum(len(s) for s in run_['statuses'].values()):,}, "
        f"{sum(len(s) for s in run_['statuses'].values()) / wall:,.0f}/s)"
    )

    round_start = run_["round_start"]
    stored_at = {k: v for times in run_["stored_at"].values() for k, v in times.items()}
    late_ledger, late_fake, after_start, last_after_start = [], [], [], []
    for edition_id, rows in posts.items():
        scheduled = editions[edition_id][2]
        first = rows[0]
        if first.sent_at is not None:
            late_ledger.append((first.sent_at - scheduled).total_seconds())
        if first.idempotency_key in stored_at:
            arrived = stored_at[first.idempotency_key]
            late_fake.append((arrived - scheduled).total_seconds())
            after_start.append((arrived - round_start).total_seconds())
        if rows[-1].sent_at is not None:
            last_after_start.append((rows[-1].sent_at - round_start).total_seconds())
    print("  start delay of each edition (first post), all due within the minute before the round:")
    print(f"    since scheduled_at, ledger sent_at  {percentiles(late_ledger)}")
    print(f"    since scheduled_at, fake stored     {percentiles(late_fake)}")
    print(f"    since the round began, fake stored  {percentiles(after_start)}")
    print("  end of each edition (last post, ledger) since the round began:")
    print(f"                                        {percentiles(last_after_start)}")

    whole, duplicates, accounts_mixed, editions_mixed, in_flight = check_threads(run_)
    print(
        f"  threads whole and in order (each reply to the previous post): "
        f"{whole}/{len(posts)}; statuses stored twice: {duplicates}"
    )
    print(
        f"  one account's editions interleaved: {accounts_mixed}/{load.accounts} accounts, "
        f"{editions_mixed}/{len(posts)} editions; {in_flight:.1f} editions of an account "
        f"in flight on average"
    )
    rss_before, rss_after = run_["rss"]
    scale = 1 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS, else KiB
    print(
        f"  peak RSS (ru_maxrss)       {rss_after * scale / 2**20:8.1f} MiB "
        f"(before the round {rss_before * scale / 2**20:.1f} MiB; the daemon's alone)"
    )


def ratio(run_: dict[str, Any]) -> float:
    """The round's wall time over its critical path (the busiest account's requests, one
    after another)."""
    requests = run_["requests"]
    return float(run_["wall"]) / (float(max(requests.values())) * LATENCY)


def more_rounds(load: Load, first: dict[str, Any], rounds: int) -> None:
    """`rounds` rounds in all (the first already reported): one line each, then the median."""
    ratios = [ratio(first)]
    for number in range(2, rounds + 1):
        run_ = run(load, trace=False)
        whole, duplicates, *_ = check_threads(run_)
        ratios.append(ratio(run_))
        print(
            f"  round {number}: wall {run_['wall']:.2f} s, CPU {run_['cpu'][0]:.2f} s, "
            f"{ratios[-1]:.2f}x; whole {whole}/{load.editions}, stored twice {duplicates}"
        )
    print(
        f"  total / critical path over {rounds} rounds: median {statistics.median(ratios):.2f}x "
        f"(from {min(ratios):.2f}x to {max(ratios):.2f}x)"
    )


def main() -> None:
    numbers = arguments("A daemon round under load.", editions=1_000, accounts=50, rounds=1)
    editions, accounts, rounds = numbers.editions, numbers.accounts, numbers.rounds
    print("Daemon round: editions due in the same minute, published concurrently")
    print("  fakes: separate process (one asyncio loop for every account)")
    run(Load(accounts, accounts), trace=False)  # warm-up: imports, first connections
    load = Load(editions, accounts)
    first = run(load, trace=False)
    report(load, first)
    if rounds > 1:
        more_rounds(load, first, rounds)
    # tracemalloc slows the round about threefold: trace a fifth of the load, to stay in
    # a few minutes (ru_maxrss above is the full load's).
    small = max(accounts, editions // 5)
    traced = run(Load(small, accounts), trace=True)
    print(
        f"  peak Python memory (tracemalloc, a separate run of {small:,} editions) "
        f"{traced['peak'] / 2**20:.1f} MiB "
        f"(that run took {traced['wall']:.2f} s under tracing)"
    )


if __name__ == "__main__":
    main()
