from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from composer.store import (
    Database,
    DraftText,
    EditionStatus,
    create_edition,
    edition_posts,
    mark_post_sent,
    record_thread,
    set_edition_status,
)

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def publish(
    db: Database,
    posts: list[str],
    *,
    title: str = "Report",
    account: str = "ank-x",
    platform: str = "x",
    sent_at: datetime = T0,
) -> int:
    """A thread published in full, as the publisher will leave it; returns the edition id."""
    thread = record_thread(db, DraftText(title=title, body="\n\n".join(posts)))
    assert thread.id is not None
    edition = create_edition(db, thread.id, account=account, platform=platform, posts=posts)
    assert edition.id is not None
    for post in edition_posts(db, edition.id):
        assert post.id is not None
        mark_post_sent(
            db,
            post.id,
            remote_id=f"{edition.id}-{post.position}",
            remote_url=f"https://example.org/{account}/{edition.id}/{post.position}",
            sent_at=sent_at + timedelta(seconds=post.position),
        )
    set_edition_status(db, edition.id, EditionStatus.PUBLISHED)
    return edition.id


def database_files(path: Path) -> list[Path]:
    """The database file and its WAL and shared-memory files, those that exist."""
    return [p for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")) if p.exists()]


def assert_no_secrets(path: Path, secrets: list[str]) -> None:
    """No secret occurs in the raw bytes of the database or its -wal / -shm files."""
    files = database_files(path)
    assert files, f"no database files at {path}"
    for file in files:
        raw = file.read_bytes()
        for secret in secrets:
            for encoding in ("utf-8", "utf-16-le", "utf-16-be"):
                assert secret.encode(encoding) not in raw, f"a secret is stored in {file.name}"
