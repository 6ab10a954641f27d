"""Ctrl-C during `publish`: stop cleanly, say what was sent, exit 130.

The first Ctrl-C lets each account finish the post it is sending (its answer is written to
the ledger) and start no next one; a wait (a rate limit) ends at once. A second one stops at
once: the post in flight is then unconfirmed, and the next run asks the platform about it
before it is ever sent again (composer.publishing.sender). Either way every claim is released
on the way out, so the same command resumes at once, and one line on stderr says where each
account stands.
"""

from __future__ import annotations

import asyncio
import signal
import threading
from collections.abc import Coroutine, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import click

from composer.cli.base import safe
from composer.text.display import plural

if TYPE_CHECKING:
    from composer.store import Database

T = TypeVar("T")
REASON = "interrupted (ctrl+c)"


class CtrlC:
    """Runs the publishing coroutine with Ctrl-C handled as above. `sleep` goes to the
    publisher; `stopping` says whether Ctrl-C was pressed, `at_once` whether twice."""

    def __init__(self, *, notice: bool) -> None:
        from composer.publishing import stoppable_sleep

        self.stopping = threading.Event()
        self.at_once = False
        self.sleep = stoppable_sleep(self.stopping, REASON)
        self._notice = notice  # on a terminal, a person waits for the post in flight

    async def run(self, work: Coroutine[Any, Any, T]) -> T | None:
        """`work`'s result; None when a second Ctrl-C cancelled it."""
        loop = asyncio.get_running_loop()
        task = asyncio.current_task()
        assert task is not None

        def on_sigint() -> None:
            if not self.stopping.is_set():
                self.stopping.set()
                if self._notice:
                    click.echo("stopping after the post in flight (ctrl+c again: now)", err=True)
            elif not self.at_once:
                self.at_once = True
                task.cancel()

        try:
            loop.add_signal_handler(signal.SIGINT, on_sigint)
        except (NotImplementedError, RuntimeError, ValueError):  # no signals here: as before
            return await work
        try:
            return await work
        except asyncio.CancelledError:
            if not self.at_once:
                raise
            task.uncancel()
            return None
        finally:
            loop.remove_signal_handler(signal.SIGINT)


def interrupted_line(db: Database, editions: Sequence[tuple[str, int | None]], resume: str) -> str:
    """Where each (account, edition) stands after Ctrl-C, read from the ledger, and `resume`:
    how to go on. An edition of None: no unfinished one (none started, or it finished)."""
    from composer.store import EditionStatus, PostStatus, edition_posts, find_edition

    parts: list[str] = []
    unconfirmed = False
    for account, edition_id in editions:
        name = safe(account)
        if edition_id is None:
            parts.append(f"{name}: nothing left unfinished")
            continue
        posts = edition_posts(db, edition_id)
        sent = sum(p.status is PostStatus.SENT for p in posts)
        if find_edition(db, edition_id).status is EditionStatus.PUBLISHED:
            parts.append(f"{name}: all {plural(len(posts), 'post')} sent (edition {edition_id})")
            continue
        state = f"{sent} of {plural(len(posts), 'post')} sent"
        in_flight = [p.position for p in posts if p.status is PostStatus.SENDING]
        if in_flight:
            unconfirmed = True
            state += f", post {in_flight[0]} unconfirmed"
        parts.append(f"{name}: {state} (edition {edition_id})")
    check = (
        " (it asks the platform about an unconfirmed post before sending it again)"
        if unconfirmed
        else ""
    )
    return f"interrupted: {'; '.join(parts)}; {resume}{check}"
