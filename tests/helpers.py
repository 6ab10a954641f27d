"""What many test files build the same way: the command run as a user runs it, an accounts
file, a scheduled edition. (Fixtures that use them, `db` and `db_path`, are in conftest.py.)"""

from __future__ import annotations

import ast
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from composer.platforms.base import PlatformClient, PostRequest, PublishedPost
from composer.store import (
    Database,
    DraftEdition,
    DraftText,
    NewEdition,
    create_edition,
    record_thread,
)
from composer.store.queue import schedule_edition
from composer.text.options import PostOptions

ROOT = Path(__file__).resolve().parent.parent


COMMAND = (sys.executable, "-m", "composer")


def composer_env(
    db: Path | None = None, env: Mapping[str, str | None] | None = None
) -> dict[str, str]:
    """The environment a command runs in: this one, uncoloured output, its history
    in `db` (else the test's private data folder), no accounts file from the developer's
    environment (`COMPOSER_CONFIG` unset). `env` adds variables; a None value removes one."""
    environment = {**os.environ, "NO_COLOR": "1"}
    environment.pop("COMPOSER_CONFIG", None)
    if db is not None:
        environment["COMPOSER_DB"] = str(db)
    for name, value in (env or {}).items():
        if value is None:
            environment.pop(name, None)
        else:
            environment[name] = value
    return environment


def composer(
    *args: str,
    cwd: Path = ROOT,
    db: Path | None = None,
    env: Mapping[str, str | None] | None = None,
    stdin: str | None = None,
    errors: str = "strict",
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    """`thread-composer ARGS` run to its end as a user runs it, in `cwd` (environment as
    `composer_env`); its output read as UTF-8 (`errors` as for `bytes.decode`)."""
    return subprocess.run(
        [*COMMAND, *args],
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors=errors,
        cwd=cwd,
        env=composer_env(db, env),
        timeout=timeout,
    )


def start_composer(
    *args: str,
    cwd: Path,
    db: Path | None = None,
    env: Mapping[str, str | None] | None = None,
    **popen: Any,
) -> subprocess.Popen[str]:
    """`thread-composer ARGS` started and left running (a daemon, a race), environment as
    `composer_env`; output piped and read as text unless `popen` says otherwise."""
    options: dict[str, Any] = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, **popen}
    return subprocess.Popen(
        [*COMMAND, *args], cwd=cwd, env=composer_env(db, env), text=True, **options
    )


TomlValue = str | int | float | bool | Sequence[str]


def mastodon_account(instance: str, token_env: str, **keys: TomlValue) -> dict[str, TomlValue]:
    """An account table for `write_accounts`: a Mastodon account whose token is in `token_env`."""
    return {"platform": "mastodon", "instance": instance, "access_token_env": token_env, **keys}


def x_account(
    envs: Sequence[str] = ("A", "B", "C", "D"), **keys: TomlValue
) -> dict[str, TomlValue]:
    """An account table for `write_accounts`: an X account whose four OAuth 1.0a secrets are
    in the variables `envs` (consumer key, consumer secret, access token, its secret)."""
    names = ("consumer_key_env", "consumer_secret_env", "access_token_env")
    secrets = dict(zip((*names, "access_token_secret_env"), envs, strict=True))
    return {"platform": "x", **secrets, **keys}


def linkedin_account(
    author: str = "urn:li:organization:2414183", token_env: str = "LI_TOKEN", **keys: TomlValue
) -> dict[str, TomlValue]:
    """An account table for `write_accounts`: a LinkedIn page (or member, by `author`) whose
    token is in `token_env`."""
    return {"platform": "linkedin", "author": author, "access_token_env": token_env, **keys}


def accounts_toml(accounts: Mapping[str, Mapping[str, TomlValue]]) -> str:
    """The text of an accounts file with a table per account (name: its keys)."""
    lines: list[str] = []
    for name, table in accounts.items():
        lines.append(f"[accounts.{name}]")
        lines.extend(f"{key} = {_toml(value)}" for key, value in table.items())
    return "\n".join(lines) + "\n"


def write_accounts(folder: Path, accounts: Mapping[str, Mapping[str, TomlValue]]) -> Path:
    """`accounts.toml` in `folder`, a table per account (name: its keys); its path."""
    path = folder / "accounts.toml"
    path.write_text(accounts_toml(accounts), encoding="utf-8")
    return path


def _toml(value: TomlValue) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return "[" + ", ".join(_toml(item) for item in value) + "]"


def scheduled_edition(
    db: Database,
    at: datetime,
    *,
    account: str = "m",
    platform: str = "mastodon",
    posts: Sequence[str] = ("One.", "Two."),
    title: str = "T",
    zone: str = "UTC",
    follows: int | None = None,
) -> int:
    """An edition of `posts` scheduled for `at` on `account`, as `schedule` leaves it; its id."""
    thread = record_thread(db, DraftText(title=title, body="\n\n".join(posts)))
    assert thread.id is not None
    edition = schedule_edition(
        db,
        thread.id,
        account=account,
        platform=platform,
        posts=list(posts),
        at_utc=at,
        zone=zone,
        follows_edition_id=follows,
    )
    assert edition.id is not None
    return edition.id


def recorded_edition(db: Database, posts: Sequence[str], *, title: str = "T", **fields: Any) -> int:
    """An edition of `posts` written to the ledger with `create_edition` (its `fields`:
    account, platform, status, media...), its thread recorded first; its id."""
    thread = record_thread(db, DraftText(title=title, body="\n\n".join(posts)))
    assert thread.id is not None
    edition = create_edition(db, thread.id, posts=list(posts), **fields)
    assert edition.id is not None
    return edition.id


def upgraded_from_before_retracting(url: str) -> Database:
    """A database made at revision 0006 (before `retracted`) with a row in every table that
    belongs to an edition, then opened (migrated to head): each row is checked to be there
    still, and the new statuses to be taken (and an unknown one refused). Opened; close it."""
    import pytest
    import sqlalchemy as sa

    from composer.store import EditionStatus, PostStatus, edition_posts, find_edition
    from composer.store import open_database as open_db
    from composer.store.database import upgrade

    engine = sa.create_engine(url)
    upgrade(engine, revision="0006")
    rows = (
        "INSERT INTO threads (id, title, body, created_at) VALUES (1, 'T', 'B', '2026-11-28')",
        "INSERT INTO editions (id, thread_id, account, platform, status, created_at, updated_at)"
        " VALUES (1, 1, 'a', 'x', 'published', '2026-11-28', '2026-11-28')",
        "INSERT INTO posts (id, edition_id, position, text, status, idempotency_key, remote_id,"
        " sent_at, created_at) VALUES (1, 1, 1, 'Zhanaozen vote', 'sent', 'k1', 'r1',"
        " '2026-11-28', '2026-11-28')",
        "INSERT INTO attempts (post_id, started_at, outcome) VALUES (1, '2026-11-28', 'ok')",
        "INSERT INTO post_media (post_id, position, source_path, alt) VALUES (1, 1, 'a.png', 'A')",
        "INSERT INTO notifications (edition_id, event, created_at, next_attempt_at, attempts,"
        " delivered_to) VALUES (1, 'published', '2026-11-28', '2026-11-28', 0, '')",
    )
    with engine.begin() as connection:
        for row in rows:
            connection.execute(sa.text(row))
    engine.dispose()
    db = open_db(url)
    with db.engine.begin() as connection:
        for table in ("editions", "posts", "attempts", "post_media", "notifications"):
            assert connection.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar() == 1
        connection.execute(sa.text("UPDATE editions SET status = 'retracted'"))
        connection.execute(sa.text("UPDATE posts SET status = 'retracted'"))
    assert find_edition(db, 1).status is EditionStatus.RETRACTED
    assert [post.status for post in edition_posts(db, 1)] == [PostStatus.RETRACTED]
    with pytest.raises(sa.exc.IntegrityError), db.engine.begin() as connection:
        connection.execute(sa.text("UPDATE posts SET status = 'gone'"))
    return db


def draft_edition(
    draft_path: str,
    posts: Sequence[str],
    at: datetime,
    *,
    account: str = "a",
    platform: str = "x",
    zone: str = "UTC",
    **fields: Any,
) -> DraftEdition:
    """One account's edition of the draft at `draft_path`, to schedule for `at` (a
    snapshot titled "T"); `fields` are NewEdition's (media, options...)."""
    edition = NewEdition(account, platform, list(posts), scheduled_at=at, timezone=zone, **fields)
    return DraftEdition(DraftText("T", "b", draft_path), edition)


async def send_thread(
    client: PlatformClient, requests: Sequence[PostRequest], options: PostOptions
) -> list[PublishedPost]:
    """`requests` sent by `client` as one thread (each replying to the one before, the
    first its root), all with the edition's `options`."""
    sent: list[PublishedPost] = []
    for request in requests:
        previous = sent[-1] if sent else None
        placed = replace(
            request, reply_to=previous, root=sent[0] if sent else None, options=options
        )
        sent.append(await client.create_post(placed))
    return sent


def loaded_by_command(
    argv: Sequence[str], modules: Sequence[str], cwd: Path = ROOT
) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    """Run `thread-composer ARGV` in a new interpreter (in `cwd`); its result and which of
    `modules` it had imported when it ended (a start-up promise: what a command must not
    load)."""
    code = (
        "import sys\n"
        "from composer.cli import main\n"
        "try:\n"
        f"    main({list(argv)!r})\n"
        "except SystemExit:\n"
        "    pass\n"
        f"print('LOADED', [m for m in {list(modules)!r} if m in sys.modules], file=sys.stderr)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=cwd, timeout=60
    )
    loaded = [line for line in result.stderr.splitlines() if line.startswith("LOADED ")]
    assert loaded, result.stderr
    return result, ast.literal_eval(loaded[-1].removeprefix("LOADED "))


@contextmanager
def statements(db: Database) -> Iterator[list[str]]:
    """The SQL statements run on `db`'s engine in the block, by their first word (BEGIN and
    COMMIT are not statements)."""
    seen: list[str] = []

    def before(connection: Any, cursor: Any, statement: str, *args: Any) -> None:
        if not statement.startswith("BEGIN"):
            seen.append(statement.split(None, 1)[0].upper())

    sa.event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", before)


def hold_write_lock(db_path: Path) -> sqlite3.Connection:
    """Another connection (as another process's would be) holding SQLite's write lock."""
    other = sqlite3.connect(db_path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    return other
