"""Publishing one edition from a screen: the checks before anything changes, progress as
notifications, and the claim that keeps a running daemon away from it."""

from __future__ import annotations

from textual.widget import Widget

from composer.platforms.base import PlatformClient
from composer.publishing import Event, PublishResult, preflight_edition, publish_existing
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

    def progress(event: Event) -> None:
        if event.kind == "sent":
            tell(widget, f"{name}: post {event.index}/{event.total} sent", timeout=3)
        elif event.kind == "waiting":
            detail = event.detail or ""
            tell(widget, f"{name}: waiting {event.delay or 0:.0f} s ({detail})", timeout=3)

    try:
        outcome = await publish_existing(
            db, edition_id, config, progress, holder=holder, client=client
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
