"""What the dialog tests share: a workspace in tmp (a draft, an accounts file, a database),
a fixed clock, and a bare App that pushes one dialog and keeps what it was dismissed with.

Not a conftest.py (the screens' tests own that): the dialog tests import from here.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from textual.app import App
from textual.pilot import Pilot
from textual.screen import Screen

from composer.tui.services import Services

ROOT = Path(__file__).resolve().parents[2]
FIXED_NOW = datetime(2026, 11, 30, 8, 7, tzinfo=UTC)  # a Monday, 09:07 in Berlin
MASTODON_TOKEN = "masto-SECRET-5e6f"

DRAFT = """+++
title = "Preliminary statement"
accounts = ["ank-masto"]
timezone = "Europe/Berlin"
+++

Sunday's elections were calm and efficiently run, but not genuinely competitive. Our
observers saw pressure on public-sector voters and obstruction of independent monitors.

The count was slow and opaque in many precincts. In 14 of the 97 counts our observers
followed, the number of ballots in the box exceeded the number of voters who signed the list,
and in 9 of them the protocol was filled in before the count began.

Independent observers were kept at a distance from the tables in a third of the stations, and
in six of them they were asked to leave before the count. Two were detained for several hours.

We call on the Central Election Commission to publish precinct-level results and to investigate
the cases we documented. We will publish a final report, with precinct-level data, in February.
"""

CONTACTS_AND_TAGS = """
[contacts.hrw]
name = "Human Rights Watch"
x = "@hrw"
mastodon = "@hrw@mastodon.social"
bluesky = "@hrw.org"

[contacts.freedomhouse]
name = "Freedom House"
x = "@freedomhouse"
bluesky = "@freedomhouse.org"

[contacts.osce]
name = "OSCE/ODIHR"
x = "@osce_odihr"
mastodon = "@odihr@social.network.europa.eu"

[hashtags]
terms = ["Kazakhstan", "OSCE", "Human Rights"]
always = ["ElectionWatch"]
"""


def accounts_file(mastodon_url: str = "https://mastodon.social") -> str:
    """Two accounts (X with posting slots, Mastodon at `mastodon_url`), contacts, tags."""
    return f"""
[accounts.ank-x]
platform = "x"
consumer_key_env = "X_CONSUMER_KEY"
consumer_secret_env = "X_CONSUMER_SECRET"
access_token_env = "X_ACCESS_TOKEN"
access_token_secret_env = "X_ACCESS_TOKEN_SECRET"
slots = ["Mon-Fri 09:00", "Mon-Fri 17:00"]

[accounts.ank-masto]
platform = "mastodon"
instance = "{mastodon_url}"
access_token_env = "FAKE_MASTODON_TOKEN"
{CONTACTS_AND_TAGS}"""


def fixed_clock() -> datetime:
    return FIXED_NOW


def workspace(tmp_path: Path, config_text: str, config_name: str = "accounts.toml") -> Services:
    """Services over tmp: drafts/report.md, the accounts file given, a SQLite database."""
    drafts = tmp_path / "drafts"
    drafts.mkdir(exist_ok=True)
    (drafts / "report.md").write_text(DRAFT, encoding="utf-8")
    config = tmp_path / config_name
    config.write_text(config_text, encoding="utf-8")
    return Services(
        drafts_dir=drafts,
        config_path=str(config),
        db_url=str(tmp_path / "history.sqlite3"),
        workdir=tmp_path,
        now=fixed_clock,
    )


class DialogApp(App[None]):
    """Pushes the dialog `make_dialog` builds and records what it is dismissed with."""

    def __init__(self, make_dialog: Callable[[], Screen[Any]]) -> None:
        super().__init__()
        self.make_dialog = make_dialog
        self.results: list[Any] = []

    def on_mount(self) -> None:
        self.push_screen(self.make_dialog(), self.results.append)


async def wait_until(pilot: Pilot[Any], done: Callable[[], bool], seconds: float = 20) -> None:
    """Let the app run until `done()` (a worker talking to a loopback server takes a while)."""
    for _ in range(int(seconds / 0.05)):
        if done():
            return
        await pilot.pause(0.05)
    raise AssertionError("the app did not get there in time")
