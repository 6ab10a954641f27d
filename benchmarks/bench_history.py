"""History search on a database of 1,000,000 published posts (mixed English and Russian).

uv run python -m benchmarks.bench_history [--posts N]

Builds the database through the real schema (migrations, FTS5 triggers) in a temporary
directory, times `search()` for typical queries (best of 5) and deletes it afterwards.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from benchmarks.timing import best_time, human
from composer.store import open_database, open_for_reading, search

POSTS_PER_EDITION = 10
BATCH_POSTS = 100_000  # rows per transaction: keeps the WAL file bounded during the load
ACCOUNTS = ["ank-x", "ank-bsky", "ank-masto", "monitor-x", "monitor-bsky", "newsroom-masto"]
PLATFORMS = {"x": "x", "bsky": "bluesky", "masto": "mastodon"}
RARE_WORD = "Zhanaozen"  # planted in about 1 post in 50,000

ENGLISH = [
    "Observers reported ballot stuffing at {n} polling stations in the region.",
    "The election commission refused to publish the protocols from {n} precincts.",
    "Independent monitors were denied access to the counting in {n} cases.",
    "The OSCE/ODIHR mission noted a lack of genuine political competition.",
    "Journalists covering the protest were detained for {n} hours without charge.",
    "Human rights defenders call for an independent investigation of the events.",
    "Turnout figures differ from our observers' counts by {n} percent.",
    "Read the full report and the methodology on our website.",
    "Parliamentary elections were held without registered opposition parties.",
    "The court sentenced the activist to {n} years under the extremism article.",
    "Freedom of assembly remains restricted: {n} peaceful rallies were refused.",
    "We thank the volunteers who observed the vote across the country.",
]
RUSSIAN = [
    "Наблюдатели зафиксировали вбросы бюллетеней на {n} избирательных участках.",
    "Избирательная комиссия отказалась публиковать протоколы {n} участков.",
    "Независимых наблюдателей не допустили к подсчёту голосов в {n} случаях.",
    "Миссия БДИПЧ ОБСЕ отметила отсутствие реальной политической конкуренции.",
    "Журналистов, освещавших акцию протеста, задержали на {n} часов.",
    "Правозащитники требуют независимого расследования событий.",
    "Данные о явке расходятся с подсчётами наших наблюдателей на {n} процентов.",
    "Полный доклад и методика опубликованы на нашем сайте.",
    "Парламентские выборы прошли без зарегистрированных оппозиционных партий.",
    "Суд приговорил активиста к {n} годам лишения свободы по статье об экстремизме.",
    "Свобода собраний ограничена: в проведении {n} мирных митингов отказано.",
    "Благодарим волонтёров, наблюдавших за голосованием по всей стране.",
]
QUERIES: list[tuple[str, str | None, str | None]] = [
    ("common word (English)", "elections", None),
    ("common word (Russian)", "наблюдатели", None),
    ("rare word", RARE_WORD.lower(), None),
    ("two words", "ballot stuffing", None),
    ("two words (Russian)", "вбросы бюллетеней", None),
    ("common word + account", "elections", "ank-bsky"),
    ("no query", None, None),
    ("no query + account", None, "monitor-x"),
]


def post_texts(rng: random.Random) -> Iterator[str]:
    """Endless realistic posts: 2-4 sentences of one language, sometimes a planted rare word."""
    while True:
        pool = ENGLISH if rng.random() < 0.5 else RUSSIAN
        sentences = [s.format(n=rng.randint(2, 400)) for s in rng.sample(pool, rng.randint(2, 4))]
        if rng.random() < 1 / 50_000:
            sentences.append(f"{RARE_WORD} remembered.")
        yield " ".join(sentences)


def stamp(moment: datetime) -> str:
    # The text UTCDateTime stores on SQLite: naive UTC with microseconds.
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")


def build(path: Path, total_posts: int) -> float:
    """Fill a migrated database with published threads; return the seconds it took."""
    open_database(str(path)).close()  # schema, FTS table and triggers by the real migration
    rng = random.Random(20261128)
    texts = post_texts(rng)
    start_time = datetime(2024, 1, 1, tzinfo=UTC)
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA synchronous = NORMAL")
    connection.execute("PRAGMA cache_size = -262144")  # 256 MiB: FTS segment building
    started = time.perf_counter()
    editions = total_posts // POSTS_PER_EDITION
    per_batch = BATCH_POSTS // POSTS_PER_EDITION
    for first in range(1, editions + 1, per_batch):
        threads, edition_rows, posts = [], [], []
        for edition_id in range(first, min(first + per_batch, editions + 1)):
            account = ACCOUNTS[edition_id % len(ACCOUNTS)]
            platform = PLATFORMS[account.rsplit("-", 1)[1]]
            sent = start_time + timedelta(minutes=edition_id)
            created = stamp(sent - timedelta(hours=1))
            threads.append((edition_id, f"Report {edition_id}", "…", "en", created))
            edition_rows.append(
                (edition_id, edition_id, account, platform, "published", created, created)
            )
            for position in range(1, POSTS_PER_EDITION + 1):
                post_id = (edition_id - 1) * POSTS_PER_EDITION + position
                posts.append(
                    (
                        post_id,
                        edition_id,
                        position,
                        next(texts),
                        "sent",
                        f"{post_id:064x}",
                        str(post_id),
                        f"https://example.org/{account}/{post_id}",
                        stamp(sent + timedelta(seconds=position)),
                        created,
                    )
                )
        connection.execute("BEGIN")
        connection.executemany(
            "INSERT INTO threads (id, title, body, language, created_at) VALUES (?, ?, ?, ?, ?)",
            threads,
        )
        connection.executemany(
            "INSERT INTO editions (id, thread_id, account, platform, status, created_at,"
            " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            edition_rows,
        )
        connection.executemany(
            "INSERT INTO posts (id, edition_id, position, text, status, idempotency_key,"
            " remote_id, remote_url, sent_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            posts,
        )
        connection.execute("COMMIT")
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.execute("ANALYZE")
    connection.close()
    return time.perf_counter() - started


def command_line(path: Path) -> None:
    """What a person waits for: `thread-composer history QUERY` as a new process (bytecode
    cached), median of 7, against `python -c pass` in the same run."""
    command = [sys.executable, "-m", "composer", "--db", str(path), "history"]
    runs = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "history elections": [*command, "elections"],
        "history (newest posts)": command,
    }
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(path.parent / "pycache")
    medians = {}
    for name, argv in runs.items():
        subprocess.run(argv, env=env, capture_output=True, check=True)  # fill the cache
        times = []
        for _ in range(7):
            started = time.perf_counter()
            subprocess.run(argv, env=env, capture_output=True, check=True)
            times.append(time.perf_counter() - started)
        medians[name] = statistics.median(times)
    print("the command, a new process each time (bytecode cached), median of 7:")
    for name, seconds in medians.items():
        ratio = seconds / medians["python -c pass"]
        print(f"  {name:<28} {human(seconds):>10} {ratio:>5.1f}x python -c pass")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=1_000_000)
    parser.add_argument(
        "--keep", type=Path, metavar="FILE", help="Build the database there once, and reuse it."
    )
    arguments = parser.parse_args()
    directory = Path(tempfile.mkdtemp(prefix="bench-history-"))
    try:
        path = arguments.keep or directory / "history.sqlite3"
        if path.exists():
            print(f"Reusing {path}")
        else:
            seconds = build(path, arguments.posts)
            print(f"Built {arguments.posts:,} published posts in {seconds:.1f} s")
        size = path.stat().st_size
        print(f"Database size: {size / 2**20:,.0f} MiB")
        print()
        print(
            "newest first (the default: through the engine, as the TUI; through sqlite3, as "
            "the history command) and best match first (--rank), best of 5 each:"
        )
        print(
            f"{'query':<24} {'text':<20} {'account':<10} {'newest':>10} {'sqlite3':>10} "
            f"{'ranked':>10} {'ratio':>6} {'hits':>5}"
        )
        db = open_database(str(path))
        quick = open_for_reading(str(path))
        assert quick is not None
        for label, query, account in QUERIES:
            newest = best_time(lambda: search(db, query, account=account), repeat=5, number=1)
            direct = best_time(lambda: search(quick, query, account=account), repeat=5, number=1)
            ranked = best_time(
                lambda: search(db, query, account=account, rank=True), repeat=5, number=1
            )
            hits = len(search(db, query, account=account))
            shown = f"{label:<24} {query or '-':<20} {account or '-':<10}"
            ratio = f"{ranked / newest:.1f}x"
            print(
                f"{shown} {human(newest):>10} {human(direct):>10} {human(ranked):>10} "
                f"{ratio:>6} {hits:>5}"
            )
        db.close()
        quick.connection.close()
        print()
        command_line(path)
    finally:
        shutil.rmtree(directory)


if __name__ == "__main__":
    main()
