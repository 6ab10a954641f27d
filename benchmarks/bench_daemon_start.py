"""How close to its scheduled time a running daemon publishes: N single editions.

A foreground daemon (`python -m composer daemon`, a subprocess, looking at the schedule every
`--interval` seconds) and a loopback FakeMastodon in this process. The editions are
scheduled at times that fall between the daemon's looks (0.37 s apart, each known to the
daemon at least one look ahead); the delay of each is the time the fake stored its first
post minus its scheduled time. A daemon that only polled would be late by up to one
interval (half of one on average, the baseline printed); one that wakes at the due time
is late by the time a round takes to claim and send.

uv run python -m benchmarks.bench_daemon_start            # 20 editions, --interval 1
uv run python -m benchmarks.bench_daemon_start 40 5       # 40 editions, --interval 5
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from benchmarks.timing import arguments
from composer.store import DraftText, open_database, record_thread, schedule_edition
from tests.fakes.mastodon import FakeMastodon

SPACING = 0.37  # seconds between editions: out of step with any whole-second interval


def main() -> None:
    numbers = arguments("A running daemon's delay past each due time.", count=20, interval=1.0)
    count, interval = numbers.count, numbers.interval
    fake = FakeMastodon(token="tok-start", username="start")
    stored: dict[str, datetime] = {}  # text -> when the fake stored it

    def note(post: dict[str, Any]) -> None:
        stored[post["text"]] = datetime.now(UTC)

    fake.on_store = note
    with tempfile.TemporaryDirectory() as tmp, fake.running():
        folder = Path(tmp)
        (folder / "accounts.toml").write_text(
            f'[accounts.m]\nplatform = "mastodon"\ninstance = "{fake.url}"\n'
            'access_token_env = "BENCH_START_TOKEN"\n',
            encoding="utf-8",
        )
        database = str(folder / "history.sqlite3")
        db = open_database(database)
        env = {**os.environ, "BENCH_START_TOKEN": "tok-start", "COMPOSER_DB": database}
        env.pop("COMPOSER_CONFIG", None)
        log = (folder / "daemon.log").open("wb")
        daemon = subprocess.Popen(
            [sys.executable, "-m", "composer", "daemon", "--interval", str(interval)],
            cwd=folder,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
        try:
            time.sleep(3)  # the daemon starts and has its first look
            first = datetime.now(UTC) + timedelta(seconds=interval + 1)
            firsts: dict[str, datetime] = {}
            for number in range(count):
                at = first + timedelta(seconds=SPACING * number)
                text = f"Edition {number}: what the monitors saw at the polling station."
                thread = record_thread(db, DraftText(title=f"E{number}", body=text))
                assert thread.id is not None
                schedule_edition(
                    db, thread.id, account="m", platform="mastodon", posts=[text],
                    at_utc=at, zone="UTC",
                )  # fmt: skip
                firsts[text] = at
            deadline = time.monotonic() + interval + 30 + SPACING * count
            while time.monotonic() < deadline and len(stored) < count:
                time.sleep(0.05)
        finally:
            daemon.send_signal(signal.SIGTERM)
            daemon.wait(timeout=60)
            log.close()
            db.close()
    delays = sorted((stored[t] - at).total_seconds() for t, at in firsts.items() if t in stored)
    early = sum(d < 0 for d in delays)

    def quantile(q: float) -> float:
        return delays[min(len(delays) - 1, round(q * (len(delays) - 1)))]

    print(f"Start delay of {count} single editions {SPACING} s apart, daemon --interval {interval}")
    print(f"  published             {len(delays)}/{count}; before their time: {early}")
    if delays:
        print(
            f"  delay (first post stored - scheduled_at)   p50 {quantile(0.5) * 1e3:7.1f} ms   "
            f"p95 {quantile(0.95) * 1e3:7.1f} ms   max {delays[-1] * 1e3:7.1f} ms"
        )
    print(
        f"  polling only (baseline: uniform over the interval)   mean {interval / 2 * 1e3:7.1f} ms"
        f"   max {interval * 1e3:7.1f} ms"
    )


if __name__ == "__main__":
    main()
