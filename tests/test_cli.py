"""The command line as a user runs it: a real subprocess, exit codes and output."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from composer import count, split
from tests.helpers import ROOT, composer, loaded_by_command

EXAMPLE = ROOT / "drafts" / "example.md"


EXAMPLE_CONFIG = ROOT / "accounts.example.toml"


def run(*args: str, stdin: str | None = None, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    # The example accounts file, whatever accounts.toml the developer has.
    env = {"PYTHONIOENCODING": "utf-8", "COMPOSER_CONFIG": str(EXAMPLE_CONFIG)}
    return composer(*args, stdin=stdin, cwd=cwd, env=env)


def test_split_json_has_the_documented_shape() -> None:
    result = run("split", str(EXAMPLE), "--platform", "x", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["platform"] == "x" and data["limit"] == 280
    posts = data["posts"]
    assert [p["index"] for p in posts] == list(range(1, len(posts) + 1))
    for post in posts:
        assert set(post) >= {"index", "text", "length"}
        assert post["length"] == count(post["text"], "x") <= 280
    # The draft's front matter is applied (hook = true): the first post has no number.
    assert not posts[0]["text"].startswith("1/")
    assert posts[1]["text"].startswith(f"2/{len(posts)} ")
    assert "+++" not in posts[0]["text"] and "title =" not in posts[0]["text"]


def test_split_matches_the_python_api() -> None:
    from composer.workspace.config import load_config
    from composer.workspace.draft_split import split_draft
    from composer.workspace.drafts import load_draft

    draft = load_draft(str(EXAMPLE))
    result = run("split", str(EXAMPLE), "-p", "bluesky", "--json")
    api = split_draft(draft, "bluesky", load_config(EXAMPLE_CONFIG))
    assert [p["text"] for p in json.loads(result.stdout)["posts"]] == [p.text for p in api.posts]
    # The draft's contacts are mapped to Bluesky handles, its terms linked, its tags added.
    published = "\n".join(p.text for p in api.posts)
    assert "@hrw.org" in api.posts[0].text and "#Kazakhstan" in published
    assert api.posts[-1].text.endswith("#KazakhstanElections #ElectionWatch")
    plain = split(draft.body, "bluesky", hook=draft.hook)
    assert [p.body for p in plain.posts] != [p.body for p in api.posts]


def test_split_human_output_shows_lengths() -> None:
    result = run("split", str(EXAMPLE), "--platform", "mastodon")
    assert result.returncode == 0, result.stderr
    assert "/500 ──" in result.stdout
    assert result.stdout.splitlines()[0].startswith("mastodon · ")


def test_split_reads_stdin_and_options() -> None:
    text = "The observers visited 97 polling stations. " * 20
    result = run(
        "split", "-", "-p", "x", "--numbering", "paren", "--limit", "140", "--json", stdin=text
    )
    assert result.returncode == 0, result.stderr
    posts = json.loads(result.stdout)["posts"]
    assert json.loads(result.stdout)["limit"] == 140
    assert all(p["length"] <= 140 for p in posts)
    assert posts[0]["text"].endswith(f"(1/{len(posts)})")


def test_count() -> None:
    result = run("count", "-", "--platform", "x", stdin="Hello https://example.org 👍🏽")
    assert result.returncode == 0
    assert result.stdout.strip() == str(count("Hello https://example.org 👍🏽", "x")) == "32"
    result = run("count", "-", "--platform", "bluesky", "--json", stdin="Қазақстан 🇰🇿")
    assert json.loads(result.stdout) == {
        "platform": "bluesky",
        "count": 11,
        "limit": 300,
        "unit": "graphemes",
        "fits": True,
    }


def test_count_over_the_limit_warns() -> None:
    result = run("count", str(EXAMPLE), "--platform", "x")
    assert result.returncode == 0
    assert int(result.stdout) > 280
    assert "over the x limit of 280" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("split", "missing.md", "-p", "x"), "missing.md: no such file"),
        (("split", "drafts", "-p", "x"), "is a folder"),
        (("split", str(EXAMPLE)), "Missing option '--platform'"),
        (("split", str(EXAMPLE), "-p", "myspace"), "'myspace' is not one of"),
        (("split", str(EXAMPLE), "-p", "x", "--limit", "0"), "--limit"),
        (("split", str(EXAMPLE), "-p", "x", "--limit", "4"), "no room for the text"),
        (("split", str(EXAMPLE), "-p", "x", "--numbering", "{x}"), "unknown field {x}"),
        (("split", "-", "-p", "x"), "nothing to split"),
        (("nosuchthing.md",), "nosuchthing.md: no such file"),
        (("split", "--bogus"), "No such option"),
    ],
    ids=[
        "missing file",
        "folder",
        "no platform",
        "bad platform",
        "zero limit",
        "tiny limit",
        "bad numbering",
        "empty input",
        "missing draft",
        "bad option",
    ],
)
def test_bad_input_is_one_line_and_exit_2(args: tuple[str, ...], message: str) -> None:
    result = run(*args, stdin="")
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "Traceback" not in result.stderr


def test_bad_front_matter_names_the_line(tmp_path: Path) -> None:
    draft = tmp_path / "bad.md"
    draft.write_text('+++\ntitle = "ok"\nhook = tru\n+++\nBody.\n', encoding="utf-8")
    result = run("split", str(draft), "-p", "x")
    assert result.returncode == 2
    assert f"{draft}:3:" in result.stderr and "Traceback" not in result.stderr


def test_not_utf8_is_a_clear_error(tmp_path: Path) -> None:
    draft = tmp_path / "latin1.md"
    draft.write_bytes("Caf\xe9 r\xe9sum\xe9".encode("latin-1"))
    result = run("split", str(draft), "-p", "x")
    assert result.returncode == 2 and "not UTF-8" in result.stderr


def test_unknown_front_matter_key_is_reported(tmp_path: Path) -> None:
    draft = tmp_path / "extra.md"
    draft.write_text('+++\ntitel = "typo"\n+++\nBody text.\n', encoding="utf-8")
    result = run("split", str(draft), "-p", "x")
    assert result.returncode == 0
    assert "unknown front-matter key 'titel'" in result.stderr


def test_control_sequences_in_the_text_are_refused_never_printed() -> None:
    result = run("split", "-", "-p", "x", stdin="Fine.\nEvil \x1b[31mred\x1b[0m text\n")
    assert result.returncode == 2 and result.stdout == ""
    assert "\x1b" not in result.stderr
    assert "<stdin>:2: the text holds a control character (U+001B): remove it" in result.stderr


def test_draft_path_without_command_previews_each_platform() -> None:
    result = run(str(EXAMPLE))
    assert result.returncode == 0, result.stderr
    firsts = [
        line.split(" · ")[0]
        for line in result.stdout.splitlines()
        if " · " in line and "post" in line
    ]
    assert firsts == ["x", "mastodon", "bluesky"]


def test_split_does_not_import_heavy_front_ends() -> None:
    heavy = ["textual", "sqlmodel", "sqlalchemy", "apscheduler", "httpx", "enchant"]
    result, loaded = loaded_by_command(["split", str(EXAMPLE), "-p", "x", "--json"], heavy)
    assert '"posts"' in result.stdout, result.stderr
    assert loaded == [], result.stderr


def test_split_leaves_out_what_only_other_paths_need() -> None:
    """Each of these costs `split` milliseconds at start and none is used by it: the data
    folder (platformdirs loads tempfile and shutil), running a command, reading a page's
    head, JSON without --json."""
    rare = ["platformdirs", "tempfile", "subprocess", "html.parser", "json", "composer.instances"]
    result, loaded = loaded_by_command(["split", str(EXAMPLE), "--platform", "x"], rare)
    assert "1/" in result.stdout, result.stderr
    assert loaded == [], result.stderr


def test_split_of_a_draft_without_zone_or_cards_loads_neither(tmp_path: Path) -> None:
    """Time zones are checked only for a draft or accounts file that names one, and link
    cards (with Bluesky's facets) only for a platform that takes cards made here."""
    draft = tmp_path / "plain.md"
    draft.write_text("The count was slow and the observers were kept away. " * 20)
    rare = ["zoneinfo", "composer.text.link_cards", "composer.text.facets"]
    argv = ["split", str(draft), "--platform", "x"]
    result, loaded = loaded_by_command(argv, rare, cwd=tmp_path)  # no accounts file there
    assert "1/" in result.stdout, result.stderr
    assert loaded == [], result.stderr


def test_split_with_mentions_and_tags_from_the_command_line() -> None:
    text = "The observers in Kazakhstan reported pressure on voters. " * 12
    result = run(
        "split", "-", "-p", "x", "--mention", "hrw", "--mention", "@osce_odihr",
        "--mention-placement", "spread", "--tag", "Vote2026", "--json", stdin=text,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    posts = [p["text"] for p in json.loads(result.stdout)["posts"]]
    assert posts[0].endswith("\n\n@hrw") and posts[1].endswith("\n\n@osce_odihr")
    assert posts[-1].endswith("#Vote2026 #ElectionWatch")
    assert "#Kazakhstan" in posts[0]


def test_unknown_contact_is_one_line_and_exit_2() -> None:
    result = run("split", "-", "-p", "x", "--mention", "nobody", stdin="Text.")
    assert result.returncode == 2
    assert "unknown contact 'nobody'" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
