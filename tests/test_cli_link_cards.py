"""Link cards from the command line, end to end (subprocesses; pages on loopback, reached
as through a proxy): `split --json`, `publish --dry-run` (text and JSON), `schedule` keeping
the card in the ledger; a page that cannot be read is a warning and exit 0; the draft's and
the account's `link_card = false`."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from composer.store import edition_cards, edition_posts, open_database
from tests.fakes.pages import Page, PageServer
from tests.helpers import composer, write_accounts

DRAFT = """\
+++
title = "Report"
accounts = ["bsky"]{extra}
+++
The mission's statement: http://osce.example.org/report

---

An older one: http://osce.example.org/gone
"""
RU_TITLE = "Заявление миссии наблюдателей"


@pytest.fixture
def site(pages: PageServer) -> PageServer:
    body = (
        '<head><meta charset="windows-1251">'
        f'<meta property="og:title" content="{RU_TITLE}">'
        '<meta property="og:description" content="Выборы без конкуренции"></head>'
    ).encode("windows-1251")
    pages.serve("/report", Page(body, content_type="text/html"))
    return pages


def workspace(folder: Path, *, extra: str = "", link_card: bool | None = None) -> Path:
    (folder / "drafts").mkdir()
    (folder / "drafts" / "report.md").write_text(DRAFT.format(extra=extra), encoding="utf-8")
    account: dict[str, str | bool] = {
        "platform": "bluesky",
        "handle": "@ank.example.org",
        "app_password_env": "BSKY_PASSWORD",
    }
    if link_card is not None:
        account["link_card"] = link_card
    write_accounts(folder, {"bsky": account})
    return folder


def run(folder: Path, site: PageServer, *args: str) -> subprocess.CompletedProcess[str]:
    return composer(*args, cwd=folder, db=folder / "history.sqlite3", env={"HTTP_PROXY": site.url})


def test_split_json_shows_each_posts_card_and_the_warning(tmp_path: Path, site: PageServer) -> None:
    folder = workspace(tmp_path)
    result = run(folder, site, "split", "drafts/report.md", "-p", "bluesky", "--json")
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    first, second = out["posts"]
    assert first["link_card"] == {
        "uri": "http://osce.example.org/report",
        "title": RU_TITLE,
        "description": "Выборы без конкуренции",
        "thumb": None,
    }
    assert "link_card" not in second
    assert out["warnings"] == [
        "post 2: no link card for http://osce.example.org/gone: the server answered 404 "
        "(a plain link instead)"
    ]
    offline = run(folder, site, "split", "drafts/report.md", "-p", "bluesky", "--no-link-card")
    assert offline.returncode == 0 and "🔗" not in offline.stdout
    assert site.hits["/report"] == 1  # once: the second run fetched nothing


def test_publish_dry_run_shows_the_cards(tmp_path: Path, site: PageServer) -> None:
    folder = workspace(tmp_path)
    text = run(folder, site, "publish", "report", "--dry-run")
    assert text.returncode == 0, text.stderr
    assert f"🔗 {RU_TITLE} — osce.example.org" in text.stdout
    assert "warning: bsky: post 2: no link card for http://osce.example.org/gone" in text.stderr
    as_json = run(folder, site, "publish", "report", "--dry-run", "--json")
    assert as_json.returncode == 0, as_json.stderr
    [edition] = json.loads(as_json.stdout)["editions"]
    assert edition["posts"][0]["link_card"]["title"] == RU_TITLE
    assert "link_card" not in edition["posts"][1]
    assert any("osce.example.org/gone" in w for w in edition["warnings"])


def test_schedule_records_the_card_in_the_ledger(tmp_path: Path, site: PageServer) -> None:
    folder = workspace(tmp_path)
    result = run(folder, site, "schedule", "report", "--in", "2h", "--json")
    assert result.returncode == 0, result.stderr
    assert "no link card for http://osce.example.org/gone" in result.stderr
    [edition] = json.loads(result.stdout)["editions"]
    db = open_database(str(folder / "history.sqlite3"))
    try:
        posts = edition_posts(db, edition["id"])
        cards = edition_cards(db, edition["id"])
    finally:
        db.close()
    assert [cards[p.id].title if p.id in cards else None for p in posts] == [RU_TITLE, None]


@pytest.mark.parametrize(
    ("extra", "link_card"),
    [("\nlink_card = false", None), ("", False)],
    ids=["draft", "account"],
)
def test_link_card_false_fetches_nothing(
    tmp_path: Path, site: PageServer, extra: str, link_card: bool | None
) -> None:
    folder = workspace(tmp_path, extra=extra, link_card=link_card)
    result = run(folder, site, "publish", "report", "--dry-run", "--json")
    assert result.returncode == 0, result.stderr
    [edition] = json.loads(result.stdout)["editions"]
    assert not any("link_card" in post for post in edition["posts"])
    assert sum(site.hits.values()) == 0


def test_a_link_card_setting_that_is_not_a_boolean_is_one_line(
    tmp_path: Path, site: PageServer
) -> None:
    folder = workspace(tmp_path, extra='\nlink_card = "no"')
    result = run(folder, site, "publish", "report", "--dry-run")
    assert result.returncode == 2
    assert "link_card" in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
