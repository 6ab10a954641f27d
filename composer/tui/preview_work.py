"""What the preview is made of, and where it is made: no Textual here, so a process of its own
can run it without loading the UI.

A draft is split for each of its platforms with `composer.workspace.draft_split.split_draft`,
the code publishing uses, so what the preview shows is what will be published.

A long draft is split in a process of its own (`SplitProcess`), not in the app's worker
thread: Python runs one thread at a time, so a split in a thread and the repaint of the
screen take turns, and each keystroke in a 20,000-character draft waited for both. In a
process, the split runs on another core while the screen repaints. A short draft (most
drafts, and most tests) is split in the thread: it takes a few milliseconds, less than a
process's round trip. Whatever happens to the process (it cannot start here, it dies), the
preview is made in the thread instead: it is never lost.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable, Generator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

from composer.media.probe import probe
from composer.text import SplitError, Thread, UnknownPlatformError
from composer.text.enrich import EnrichError
from composer.text.link_cards import card_links
from composer.text.numbering import NumberingError
from composer.tui.heap import set_aside_start_up
from composer.workspace.config import Config, ConfigError
from composer.workspace.draft_split import (
    draft_account,
    draft_overrides,
    find_config,
    link_cards_wanted,
    platforms_for,
    post_options,
    split_draft,
)
from composer.workspace.drafts import Draft, DraftError, parse_draft
from composer.workspace.images import ImageFile, image_files, image_problems

__all__ = [
    "PROCESS_FROM",
    "ConfigSource",
    "PlatformPreview",
    "Preview",
    "SplitProcess",
    "build_preview",
    "platform_preview",
]

# Characters from which a draft's preview is split in the process: below, a split takes a
# few milliseconds in the thread (bench_tui: 5,000 characters, about 10 ms a platform).
PROCESS_FROM = 4_000


@dataclass(frozen=True, slots=True)
class PlatformPreview:
    """One platform's thread, or why it cannot be split."""

    platform: str
    thread: Thread | None = None
    error: str | None = None
    media: tuple[tuple[ImageFile, ...], ...] = ()  # each post's images (empty: none)
    links: tuple[str | None, ...] = ()  # each post's link to show a card for (empty: none)
    # The per-network settings it is sent with, those not the platform's default.
    settings: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Preview:
    """What the text in the editor makes: a draft and its threads, or the draft's error."""

    draft: Draft | None
    platforms: list[PlatformPreview] = field(default_factory=list)
    error: str | None = None  # the front matter's error: the last good preview is kept


def platform_preview(draft: Draft, platform: str, config: Config | None) -> PlatformPreview:
    """`draft` split for `platform` as it would be published (an account's own limit and
    its instance's remembered figures included), or why it cannot be."""
    overrides = draft_overrides(draft, platform, config)
    try:
        thread = split_draft(draft, platform, config, overrides)
    except (UnknownPlatformError, NumberingError, SplitError, EnrichError, ConfigError) as error:
        return PlatformPreview(platform, error=str(error))
    account = draft_account(draft, platform, config)
    links: tuple[str | None, ...] = ()
    if link_cards_wanted(draft, platform, account):
        texts = [post.text for post in thread.posts]
        links = tuple(card_links(texts, [bool(post.media) for post in thread.posts]))
    settings = tuple(post_options(draft, platform, overrides).shown(defaults=False).items())
    if not any(post.media for post in thread.posts):
        return PlatformPreview(platform, thread, links=links, settings=settings)
    # Each image's file and alt text, checked as publishing checks them: warnings here.
    files = image_files(draft, thread, probe)
    thread.warnings.extend(image_problems(draft, platform, account, files))
    return PlatformPreview(platform, thread, media=tuple(files), links=links, settings=settings)


def build_preview(text: str, name: str, config: Config | None) -> Preview:
    """Parse `text` (the editor's) and split it for each of its platforms."""
    try:
        draft = parse_draft(text, name)
    except DraftError as error:
        return Preview(None, error=str(error))
    platforms = platforms_for(draft, config)
    return Preview(draft, [platform_preview(draft, p, config) for p in platforms])


@dataclass(frozen=True, slots=True)
class ConfigSource:
    """Which accounts file the app uses, as the process is told it: the process reads the file
    itself (no secret crosses to it), again when the app reloads it (`generation`)."""

    path: str | None
    workdir: Path
    generation: int = 0


_config_read: tuple[ConfigSource, Config | None] | None = None  # the process's own, last read


def _config_of(source: ConfigSource) -> Config | None:
    """In the process: the accounts file as the app has it (None when it does not load: the
    app tells the user why, as it does for a split in the thread)."""
    global _config_read
    if _config_read is None or _config_read[0] != source:
        try:
            config = find_config(source.path, source.workdir).config
        except ConfigError:
            config = None
        _config_read = (source, config)
    return _config_read[1]


def _split_in_process(draft: Draft, platform: str, source: ConfigSource) -> PlatformPreview:
    return platform_preview(draft, platform, _config_of(source))


def _start_process() -> None:
    """The process writes nothing on the terminal the app draws on, leaves ctrl+c (which the
    app reads as a key anyway) to the app, and ends when the app does, however it ends."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)
    os.dup2(null, 2)
    os.close(null)
    threading.Thread(target=_end_with, args=(os.getppid(),), daemon=True).start()
    set_aside_start_up()  # the splitter's modules, imported: they live as long as the process


def _end_with(app: int) -> None:
    """End this process once the app's has gone. An app that exits shuts the process down
    itself; one killed, or whose terminal closed, cannot, and the process would wait for
    work for ever: it holds its own queue's pipe open, so it never reads an end of file."""
    while os.getppid() == app:
        time.sleep(1)
    os._exit(0)


def _ready() -> int:
    return os.getpid()


class SplitProcess:
    """The process long drafts are split in: one, started when the first long draft is
    previewed (its first preview is made in the thread meanwhile), ended with the app.

    It must be made before the app takes over the terminal: multiprocessing starts its helper
    with the process's standard error, which Textual replaces while it runs."""

    def __init__(self) -> None:
        self._executor: ProcessPoolExecutor | None
        self._started: Future[int] | None = None
        self.made = 0  # previews the process made (a test's and a benchmark's evidence)
        try:
            import multiprocessing

            # spawn, not fork: the app has threads, and a forked copy of them is unsafe.
            self._executor = ProcessPoolExecutor(
                1, mp_context=multiprocessing.get_context("spawn"), initializer=_start_process
            )
        except (OSError, ValueError, ImportError):
            self._executor = None  # no processes here (a sandbox): splits stay in the thread

    @property
    def ready(self) -> bool:
        """Whether the process is up, so a split sent now is not waiting for it to start."""
        started = self._started
        return started is not None and started.done() and started.exception() is None

    def start(self) -> None:
        """Start the process (it takes a few hundred milliseconds: Python and the splitter
        are loaded), without waiting for it."""
        if self._executor is not None and self._started is None:
            try:
                self._started = self._executor.submit(_ready)
            except (BrokenProcessPool, RuntimeError, OSError):
                self._executor = None

    def previews(
        self,
        draft: Draft,
        platforms: Sequence[str],
        source: ConfigSource,
        in_thread: Callable[[str], PlatformPreview],
    ) -> Generator[PlatformPreview, None, None]:
        """Each platform's preview, in order: for a long draft (`PROCESS_FROM`), made in the
        process when it is up (all sent at once, so it goes from one to the next without
        waiting); else, and when the process died (it is not used again), by `in_thread`."""
        futures: list[Future[PlatformPreview]] = []
        long = len(draft.body) >= PROCESS_FROM
        if long:
            self.start()  # the first long draft starts it; its previews go there once it is up
        if long and self._executor is not None and self.ready:
            try:
                futures = [
                    self._executor.submit(_split_in_process, draft, p, source) for p in platforms
                ]
            except (BrokenProcessPool, RuntimeError, OSError):
                self._executor = None
        try:
            for index, platform in enumerate(platforms):
                try:
                    if futures:
                        made = futures[index].result()
                        self.made += 1
                    else:
                        made = in_thread(platform)
                    yield made
                except BrokenProcessPool:
                    self._executor = None
                    futures = []
                    yield in_thread(platform)
        finally:  # the caller stopped early (newer text): the ones not begun are not needed
            for future in futures:
                future.cancel()

    @property
    def pid(self) -> int | None:
        """The process's id, once it is up (to see it in `ps`, or end it in a test)."""
        return self._started.result() if self.ready and self._started is not None else None

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None
