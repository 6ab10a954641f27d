"""Publishing one edition from a screen, or taking one back: the checks before anything
changes, progress as notifications, and the claim that keeps a running daemon (and any
other front end) away from it."""

from __future__ import annotations

from textual.widget import Widget

from composer.platforms.base import PlatformClient
from composer.publishing import (
    Event,
    Listener,
    PublishResult,
    RetractPlan,
    RetractResult,
    preflight_edition,
    publish_existing,
    retract,
)
from composer.store import Holder, claim, find_edition
from composer.text.display import plural
from composer.tui.remote import error_text, tell
from composer.tui.services import Services
from composer.workspace.config import ConfigError


async def publish_now(
    widget: Widget, services: Services, edition_id: int, *, resume: bool = False
) -> PublishResult | None:
    """Send the edition's unsent posts: all of a scheduled one, or with `resume` the rest of
    a partial or failed one. The pre-flight comes first (a missing secret changes nothing),
    then the edition is claimed as every front end claims it, so nothing else sends it
    meanwhile (another process publishing it is named, as the CLI names it)."""
    holder = Holder.for_this_process("tui")
    client: PlatformClient | None = None
    try:
        db = services.database()
        config = services.config()
        if config is None:
            raise ConfigError("no accounts.toml: publishing needs your accounts")
        name = find_edition(db, edition_id).account
        # The pre-flight (every secret read, off the UI's thread) before the claim.
        client = await preflight_edition(db, edition_id, config)
        claim(db, edition_id, holder, resume=resume, now=services.now())
    except Exception as error:  # a secret's command, the database: a notification, not a crash
        if client is not None:
            await client.aclose()
        tell(widget, error_text(error), title="Not published", severity="error")
        return None

    try:
        outcome = await publish_existing(
            db, edition_id, config, _progress(widget, name, "sent"), holder=holder, client=client
        )
    except Exception as error:  # a client's error included: a notification, not a crash
        # The claim is released: a daemon resumes a scheduled edition from its ledger.
        tell(widget, error_text(error), title="Not published", severity="error")
        return None
    if outcome.finished:
        tell(widget, f"{name}: edition {edition_id} published, {plural(outcome.total, 'post')}")
    else:
        tell(
            widget,
            f"{name}: edition {edition_id} stopped after {outcome.sent} of {outcome.total} "
            f"posts: {outcome.error or 'no reason given'}",
            title="Stopped",
            severity="error",
            timeout=10,
        )
    return outcome


async def retract_now(
    widget: Widget, services: Services, plan: RetractPlan
) -> list[RetractResult] | None:
    """Take back the editions of `plan` (asked about first), as `retract` does: each passes
    the pre-flight and is claimed before anything is deleted; progress and the outcome as
    notifications (the posts still up named when it stops)."""
    holder = Holder.for_this_process("tui")
    name = ", ".join(dict.fromkeys(target.account for target in plan.targets))
    progress = _progress(widget, name, "retracted")
    try:
        config = services.config()
        if config is None:
            raise ConfigError("no accounts.toml: retracting needs your accounts")
        results = await retract(services.database(), plan, config, progress, holder=holder)
    except Exception as error:  # a secret's command, busy, the database: not a crash
        tell(widget, error_text(error), title="Not retracted", severity="error")
        return None
    for result in results:
        if result.finished:
            tell(widget, f"{result.account}: edition {result.edition_id} retracted")
        else:
            up = f"; still up: {' '.join(result.still_up)}" if result.still_up else ""
            tell(
                widget,
                f"{result.account}: edition {result.edition_id} stopped after {result.retracted}"
                f" of {result.total} posts retracted: {result.error or 'no reason given'}{up}",
                title="Stopped",
                severity="error",
                timeout=10,
            )
    return results


def _progress(widget: Widget, name: str, done: str) -> Listener:
    """Progress as short notifications: each post `done` ("sent", "retracted"), each wait."""

    def progress(event: Event) -> None:
        if event.kind == done:
            tell(widget, f"{name}: post {event.index}/{event.total} {done}", timeout=3)
        elif event.kind == "waiting":
            detail = event.detail or ""
            tell(widget, f"{name}: waiting {event.delay or 0:.0f} s ({detail})", timeout=3)

    return progress


class Progress:
    """Each account's progress while its edition is sent, one line each: "ank-masto: 3/7
    sent", with what it waits for or why it stopped."""

    def __init__(self, totals: dict[str, int]) -> None:
        self._sent = {name: (0, total) for name, total in totals.items()}
        self._lines = {name: f"0/{total} sent" for name, total in totals.items()}

    def note(self, account: str, event: Event) -> None:
        sent, total = self._sent[account]
        if event.kind == "sent":
            sent, total = event.index, event.total
            self._sent[account] = (sent, total)
        note = {
            "waiting": f", waiting {event.delay or 0:.0f} s",
            "resolving": f", checking whether the platform has post {event.index}",
            "stopped": f", stopped: {event.detail or ''}",
        }.get(event.kind, "")
        self._lines[account] = f"{sent}/{total} sent{note}"

    def text(self) -> str:
        return "\n".join(f"{name}: {line}" for name, line in self._lines.items())
