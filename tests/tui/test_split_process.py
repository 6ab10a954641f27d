"""A long draft's preview is split in a process of its own (SplitProcess): what it shows is
what the thread would have shown, the process is quiet on the terminal and reads the
accounts file itself, and a process that dies or cannot start never costs a preview."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from textual.pilot import Pilot

from composer.tui import Services, make_app
from composer.tui.app import ComposerApp
from composer.tui.compose import ComposeScreen
from composer.tui.preview import PreviewPane
from composer.tui.preview_work import (
    PROCESS_FROM,
    ConfigSource,
    SplitProcess,
    _config_of,
    build_preview,
)
from tests.helpers import ROOT
from tests.tui.conftest import compose_settled

pytestmark = pytest.mark.anyio
FRONT_MATTER = '+++\ntitle = "Long"\naccounts = ["ank-x", "ank-masto", "ank-bsky"]\n+++\n'


def long_draft(services: Services) -> Path:
    paragraph = (
        "The observers at polling station {n} counted the ballots twice before noon, and "
        "@hrw was told the turnout figures in #KazakhstanElections were not final. "
    )
    body = "\n\n".join(paragraph.format(n=n) * 2 for n in range(1, 30))
    assert len(body) > PROCESS_FROM
    path = services.drafts_dir / "long.md"
    path.write_text(FRONT_MATTER + body + "\n", encoding="utf-8")
    return path


async def wait_for(condition: Callable[[], bool], seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.05)


def shown_threads(app: ComposerApp) -> dict[str, list[str]]:
    screen = app.screen
    assert isinstance(screen, ComposeScreen)
    previews = screen.query_one(PreviewPane).previews
    return {
        name: [post.text for post in shown.thread.posts] if shown.thread else []
        for name, shown in previews.items()
    }


def thread_split(app: ComposerApp, services: Services) -> dict[str, list[str]]:
    screen = app.screen
    assert isinstance(screen, ComposeScreen)
    preview = build_preview(screen.editor.text, "long", services.config())
    return {
        p.platform: [post.text for post in p.thread.posts] if p.thread else []
        for p in preview.platforms
    }


async def type_once_ready(pilot: Pilot[object], services: Services, keys: str) -> None:
    """Wait until the process is up (the first long preview started it), then type in the
    middle of the draft."""
    await wait_for(lambda: services.split_process.ready)
    screen = pilot.app.screen
    assert isinstance(screen, ComposeScreen)
    screen.editor.move_cursor((screen.editor.document.line_count // 2, 0))
    await pilot.press(*keys)


async def test_the_process_makes_the_preview_the_thread_would(tui_services: Services) -> None:
    app = make_app(tui_services, long_draft(tui_services))
    async with app.run_test(size=(120, 40)) as pilot:
        await compose_settled(pilot)
        process = tui_services.split_process
        await type_once_ready(pilot, tui_services, "ab")
        await compose_settled(pilot)
        assert process.made >= 3  # x, mastodon and bluesky, made there
        assert process.pid not in (None, os.getpid())
        shown = shown_threads(app)
        assert set(shown) == {"x", "mastodon", "bluesky"}
        assert shown == thread_split(app, tui_services)
        assert all(len(posts) > 2 for posts in shown.values())


async def test_a_process_that_dies_leaves_the_preview_to_the_thread(
    tui_services: Services,
) -> None:
    app = make_app(tui_services, long_draft(tui_services))
    async with app.run_test(size=(120, 40)) as pilot:
        await compose_settled(pilot)
        process = tui_services.split_process
        await type_once_ready(pilot, tui_services, "a")
        await compose_settled(pilot)
        made = process.made
        pid = process.pid
        assert pid is not None
        os.kill(pid, signal.SIGKILL)
        await type_once_ready(pilot, tui_services, "zz")
        await compose_settled(pilot)
        screen = app.screen
        assert isinstance(screen, ComposeScreen)
        assert screen.preview_current
        assert shown_threads(app) == thread_split(app, tui_services)
        await type_once_ready(pilot, tui_services, "q")  # and the next preview, too
        await compose_settled(pilot)
        assert shown_threads(app) == thread_split(app, tui_services)
        assert process.made == made  # none since: the dead process is not asked again
    assert app.return_code in (None, 0)


async def test_a_process_that_cannot_start_costs_no_preview(
    tui_services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    import concurrent.futures

    def refused(*args: object, **kwargs: object) -> None:
        raise OSError("no processes here")

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", refused)
    import composer.tui.preview_work as preview_work

    monkeypatch.setattr(preview_work, "ProcessPoolExecutor", refused)
    tui_services.split_process = SplitProcess()
    app = make_app(tui_services, long_draft(tui_services))
    async with app.run_test(size=(120, 40)) as pilot:
        await compose_settled(pilot)
        screen = app.screen
        assert isinstance(screen, ComposeScreen)
        await pilot.press(*"abc")
        await compose_settled(pilot)
        assert shown_threads(app) == thread_split(app, tui_services)
        assert tui_services.split_process.made == 0


def test_the_process_reads_the_accounts_file_again_when_the_app_does(tmp_path: Path) -> None:
    config = tmp_path / "accounts.toml"
    text = (ROOT / "accounts.example.toml").read_text(encoding="utf-8")
    config.write_text(text, encoding="utf-8")
    first = _config_of(ConfigSource(str(config), tmp_path, 0))
    assert first is not None and "hrw" in first.contacts
    config.write_text(text.replace("[contacts.hrw]", "[contacts.hrw-renamed]"), encoding="utf-8")
    assert _config_of(ConfigSource(str(config), tmp_path, 0)) is first  # as the app has it
    again = _config_of(ConfigSource(str(config), tmp_path, 1))  # the app reloaded it
    assert again is not None and "hrw-renamed" in again.contacts and "hrw" not in again.contacts
    config.write_text("[accounts.broken\n", encoding="utf-8")
    assert _config_of(ConfigSource(str(config), tmp_path, 2)) is None  # the app says why


# A child script's start: a split process up and ready (what an app has once it runs).
STARTED = (
    "from composer.tui.preview_work import SplitProcess\n"
    "import time\n"
    "process = SplitProcess()\n"
    "process.start()\n"
    "while not process.ready:\n"
    "    time.sleep(0.05)\n"
)


def started(process: SplitProcess) -> SplitProcess:
    """`process`, started and up."""
    process.start()
    deadline = time.monotonic() + 60
    while not process.ready:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    return process


def test_the_process_sets_its_start_up_aside(tui_services: Services) -> None:
    """The splitter's modules, imported when the process starts, are out of the collector's
    full collections: each one walked them all, 50 ms every second preview of a long draft."""
    import gc

    process = started(tui_services.split_process)
    assert process._executor is not None
    assert process._executor.submit(gc.get_freeze_count).result() > 20_000
    assert gc.get_freeze_count() == 0  # the app's own process is not touched by it


def test_the_process_writes_nothing_on_the_terminal() -> None:
    """Whatever the process prints (a warning from a library, a bug's traceback) would be
    drawn over the app: its output goes nowhere."""
    code = STARTED + (
        "import os\n"
        "process._executor.submit(print, 'LEAKED-OUT', flush=True).result()\n"
        "process._executor.submit(os.write, 2, b'LEAKED-ERR').result()\n"
        "process.close()\n"
        "print('DONE')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    assert "DONE" in result.stdout, result.stderr
    assert "LEAKED" not in result.stdout + result.stderr


def test_a_process_that_dies_during_a_split_leaves_the_rest_to_the_thread(
    tui_services: Services,
) -> None:
    """The process is ended while it splits a very long draft: every platform still gets its
    preview, from the thread, and nothing is raised."""
    from composer.tui.preview_work import PlatformPreview
    from composer.workspace.drafts import parse_draft

    process = started(tui_services.split_process)
    sentence = "The observers counted the ballots twice before noon at every station. "
    draft = parse_draft(FRONT_MATTER + sentence * 18000, "huge")
    source = ConfigSource(tui_services.config_path, tui_services.workdir)
    made_here: list[str] = []

    def in_thread(platform: str) -> PlatformPreview:
        made_here.append(platform)
        return PlatformPreview(platform, error="made in the thread")

    previews = process.previews(draft, ["x", "mastodon", "bluesky"], source, in_thread)
    pid = process.pid
    assert pid is not None
    time.sleep(0.05)  # the first split is under way (it takes seconds)
    os.kill(pid, signal.SIGKILL)
    results = list(previews)
    assert [r.platform for r in results] == ["x", "mastodon", "bluesky"]
    assert made_here == ["x", "mastodon", "bluesky"]
    assert process.made == 0
    process.close()


def test_the_process_ends_when_the_app_is_killed() -> None:
    """An app killed (SIGKILL, a closed terminal) cannot shut its split process down: the
    process sees it gone and ends by itself, instead of waiting for work for ever."""
    code = STARTED + "print(process.pid, flush=True)\ntime.sleep(600)\n"
    app = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, cwd=ROOT
    )
    try:
        assert app.stdout is not None
        pid = int(app.stdout.readline())
        os.kill(pid, 0)  # it runs
    finally:
        app.kill()
        app.wait()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return  # it ended (and was reaped by init)
        time.sleep(0.1)
    os.kill(pid, signal.SIGKILL)
    raise AssertionError("the split process outlived its app")
