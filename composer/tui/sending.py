"""Publishing one edition from a screen: the checks before anything changes, progress as
notifications, and the claim that keeps a running daemon away from it."""

from __future__ import annotations

import asyncio

from textual.widget import Widget

from composer.platforms.base import PlatformError
from composer.publishing import Event, Outcome, PublishError, publish_existing
from composer.store import StoreError
from composer.store.claims import Holder, claim
from composer.store.editions import find_edition
from composer.tui.remote import tell
from composer.tui.services import Services
from composer.workspace.config import Account, ConfigError


async def publish_now(
    widget: Widget, services: Services, edition_id: int, *, resume: bool = False
) -> Outcome | None:
    """Send the edition's unsent posts: all of a scheduled one, or with `resume` the rest of
    a partial or failed one. The edition is first claimed as every front end claims it, so
    nothing else sends it meanwhile (another process publishing it is named, as the CLI names
    it). Every secret is read before: a missing one changes nothing."""
    holder = Holder.for_this_process("tui")
    try:
        db = services.database()
        config = services.config()
        if config is None:
            raise ConfigError("no accounts.toml: publishing needs your accounts")
        edition = find_edition(db, edition_id)
        account = config.account(edition.account)
        # A secret may come from a command (a password manager): off the UI's thread.
        await asyncio.to_thread(_read_secrets, account)
        claim(db, edition_id, holder, resume=resume, now=services.now())
    except (ConfigError, StoreError) as error:
        tell(widget, str(error), title="Not published", severity="error")
        return None
    name = account.name

    def progress(event: Event) -> None:
        if event.kind == "sent":
            tell(widget, f"{name}: post {event.index}/{event.total} sent", timeout=3)
        elif event.kind == "waiting":
            detail = event.detail or ""
            tell(widget, f"{name}: waiting {event.delay or 0:.0f} s ({detail})", timeout=3)

    try:
        outcome = await publish_existing(db, edition_id, config, progress, holder=holder)
    except (ConfigError, StoreError, PlatformError, PublishError) as error:
        # The claim is released: a daemon resumes a scheduled edition from its ledger.
        tell(widget, str(error), title="Not published", severity="error")
        return None
    if outcome.finished:
        tell(widget, f"{name}: edition {edition_id} published, {outcome.total} posts")
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


def _read_secrets(account: Account) -> None:
    """Read (and cache) every secret of the account; ConfigError names the one missing."""
    for key in account.secret_sources:
        account.secret_value(key)
