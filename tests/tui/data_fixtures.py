"""Data for the queue, history and accounts screen tests: a temporary database with editions
at fixed times, an accounts file pointing at loopback fakes, a fixed clock, and a small App
that shows one screen (the compose screen and its fixtures belong to other tests)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from textual.app import App
from textual.screen import Screen

from composer.recurring import create_rules
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
from composer.tui.services import Services
from composer.workspace.config import load_config
from composer.workspace.drafts import load_draft
from tests.helpers import mastodon_account, scheduled_edition, write_accounts

NOW = datetime(2026, 12, 1, 4, 0, tzinfo=UTC)  # 09:00 in Almaty (+05)
TOKEN_ENV = "TUI_TEST_MASTODON_TOKEN"
TOKEN = "tui-SECRET-5e6f"
MARKUP_TITLE = "[bold]Not bold[/bold] \x1b[31mred?"


def services(tmp_path: Path, config: Path | None = None) -> Services:
    """Services over a database in tmp_path, a fixed clock and (optionally) an accounts file."""
    return Services(
        drafts_dir=tmp_path / "drafts",
        config_path=str(config) if config else None,
        db_url=str(tmp_path / "history.sqlite3"),
        workdir=tmp_path,
        now=lambda: NOW,
    )


def accounts_file(tmp_path: Path, mastodon_url: str, extra: str = "") -> Path:
    """The account `masto` on `mastodon_url`, then `extra` (TOML text: more accounts)."""
    path = write_accounts(tmp_path, {"masto": mastodon_account(mastodon_url, TOKEN_ENV)})
    with path.open("a", encoding="utf-8") as accounts:
        accounts.write(extra)
    return path


def scheduled(
    db: Database,
    at: datetime,
    *,
    title: str = "OSCE statement",
    account: str = "masto",
    zone: str = "Asia/Almaty",
    posts: Sequence[str] = ("1/2 First post.", "2/2 Second post."),
    follows: int | None = None,
) -> int:
    return scheduled_edition(
        db, at, title=title, account=account, zone=zone, posts=posts, follows=follows
    )


def recurring_rule(
    db: Database, tmp_path: Path, every: str = "Mon 09:00", *, name: str = "weekly"
) -> int:
    """A rule made as `schedule DRAFT --every` makes it: a draft in Europe/Berlin for the
    account `masto` of an accounts file (nothing is sent: the draft is only composed)."""
    drafts = tmp_path / "drafts"
    drafts.mkdir(exist_ok=True)
    draft = drafts / f"{name}.md"
    front_matter = '+++\ntitle = "Weekly digest"\ntimezone = "Europe/Berlin"\n+++\n'
    draft.write_text(front_matter + "Monitoring notes. " * 5 + "\n", encoding="utf-8")
    config = load_config(accounts_file(tmp_path, "https://mastodon.social"))
    [created] = create_rules(
        db, load_draft(str(draft)), draft, config, ["masto"], every=every, now=NOW
    )
    return created.id


def published(
    db: Database,
    posts: Sequence[str],
    *,
    title: str,
    account: str = "masto",
    sent: int | None = None,
    error: str | None = None,
    sent_at: datetime = NOW - timedelta(days=1),
    follows: int | None = None,
) -> int:
    """An edition whose first `sent` posts went out (all by default); a stopped one keeps
    `error` as its reason; a follow-up names the edition it `follows`."""
    thread = record_thread(db, DraftText(title=title, body="\n\n".join(posts)))
    assert thread.id is not None
    edition = create_edition(
        db, thread.id, account=account, platform="mastodon", posts=posts, follows_edition_id=follows
    )
    assert edition.id is not None
    count = len(posts) if sent is None else sent
    for post in edition_posts(db, edition.id)[:count]:
        assert post.id is not None
        mark_post_sent(
            db,
            post.id,
            remote_id=f"{edition.id}{post.position}",
            remote_url=f"https://fake.social/@monitor/{edition.id}0{post.position}",
            sent_at=sent_at + timedelta(minutes=post.position),
        )
    if count == len(posts):
        set_edition_status(db, edition.id, EditionStatus.PUBLISHED)
    else:
        status = EditionStatus.PARTIAL if count else EditionStatus.FAILED
        set_edition_status(db, edition.id, status, last_error=error)
    return edition.id


class ScreenApp(App[None]):
    """Shows one screen over `services`, as the composer app's modes do."""

    def __init__(self, services: Services, screen: Callable[[Services], Screen[None]]) -> None:
        super().__init__()
        self.services = services
        self.make_screen = screen

    def on_mount(self) -> None:
        self.push_screen(self.make_screen(self.services))

    def on_unmount(self) -> None:
        self.services.close()
