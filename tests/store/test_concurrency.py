"""Two processes writing the same SQLite file at once: WAL + busy timeout + BEGIN IMMEDIATE."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from sqlmodel import func, select

from composer.store import PostRecord, PostStatus, open_database

EDITIONS_PER_WRITER = 30
POSTS_PER_EDITION = 10

# Each writer behaves like a publisher: an edition's ledger in one transaction, then one
# short transaction per sent post and per attempt, so the two interleave hundreds of times.
WRITER = textwrap.dedent(
    """
    import sys
    import time
    from datetime import UTC, datetime

    from composer.store import (
        AttemptOutcome, create_edition, edition_posts, mark_post_sent, open_database,
        record_attempt, record_thread, DraftText,
    )

    path, name, editions, per_edition = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    db = open_database(path)
    print("ready", flush=True)
    sys.stdin.readline()  # start together
    started = time.time()
    for e in range(editions):
        thread = record_thread(db, DraftText(title=f"{name} {e}", body="body"))
        posts = [f"{name} edition {e} post {i}" for i in range(1, per_edition + 1)]
        edition = create_edition(db, thread.id, account=name, platform="x", posts=posts)
        for post in edition_posts(db, edition.id):
            now = datetime.now(UTC)
            record_attempt(db, post.id, outcome=AttemptOutcome.OK, started_at=now)
            mark_post_sent(db, post.id, remote_id=f"{name}-{post.id}")
    db.close()
    print(f"done {started} {time.time()}", flush=True)
    """
)


def test_two_processes_write_at_once(db_path: Path) -> None:
    open_database(str(db_path)).close()  # migrated once, before the race
    root = Path(__file__).resolve().parents[2]
    writers = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                WRITER,
                str(db_path),
                name,
                str(EDITIONS_PER_WRITER),
                str(POSTS_PER_EDITION),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=root,
        )
        for name in ("writer-a", "writer-b")
    ]
    for writer in writers:
        assert writer.stdout is not None
        assert writer.stdout.readline().strip() == "ready"
    for writer in writers:
        assert writer.stdin is not None
        writer.stdin.write("go\n")
        writer.stdin.flush()
    results = [writer.communicate(timeout=180) for writer in writers]
    windows = []
    for writer, (stdout, stderr) in zip(writers, results, strict=True):
        assert "database is locked" not in stderr
        assert writer.returncode == 0, stderr
        done, started, finished = stdout.split()
        assert done == "done"
        windows.append((float(started), float(finished)))
    (start_a, end_a), (start_b, end_b) = windows
    assert start_a < end_b and start_b < end_a, "the writers did not overlap"

    db = open_database(str(db_path))
    expected = EDITIONS_PER_WRITER * POSTS_PER_EDITION
    with db.read_session() as session:
        for account in ("writer-a", "writer-b"):
            sent = session.exec(
                select(func.count())
                .select_from(PostRecord)
                .where(PostRecord.remote_id.startswith(account))  # type: ignore[union-attr]
                .where(PostRecord.status == PostStatus.SENT)
            ).one()
            assert sent == expected
    db.close()
