"""`queue`: scheduled editions and recurring rules, and what can be done to them
(`cancel`, `move`, `publish-now`, `rules`, `stop`)."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from composer.cli.base import (
    EXIT_INTERRUPTED,
    ROW_ID,
    current_config,
    database,
    fail,
    iso_utc,
    reading_database,
    safe,
    say_daemon_note,
    store_input,
)
from composer.cli.completion import complete_accounts, complete_rules, complete_scheduled
from composer.text.display import plural

if TYPE_CHECKING:
    from composer.publishing import PublishResult
    from composer.store import Database, Recurrence
    from composer.workspace.config import Config


@click.group(invoke_without_command=True)
@click.option("--all", "show_all", is_flag=True, help="Also recent published, failed, missed.")
@click.option("--account", help="Only this account's editions.", shell_complete=complete_accounts)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def queue(ctx: click.Context, show_all: bool, account: str | None, as_json: bool) -> None:
    """Scheduled editions, soonest first (times in their own zones)."""
    if ctx.invoked_subcommand is not None:
        return
    from datetime import UTC, datetime

    from composer.store import has_active_rules, upcoming
    from composer.workspace.when import format_local

    now = datetime.now(UTC)
    with reading_database() as source:
        entries = upcoming(source, account=account, include_done=show_all, now=now)
        say_daemon_note(source, "warning")
        any_rules = has_active_rules(source, account=account)
    if as_json:
        rows = [
            {
                "id": e.edition_id,
                "account": e.account,
                "at": iso_utc(e.scheduled_at) if e.scheduled_at else None,
                "status": e.status.value,
                "overdue": e.overdue(now),
                "timezone": e.timezone,
                "title": e.title,
                "posts": e.post_count,
                "error": e.last_error,
                "follows": e.follows_edition_id,
                "interrupted": e.interrupted,
                "resume": e.resume_command(),
            }
            for e in entries
        ]
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    rules = []
    if any_rules:  # the rules' next times need the scheduler's code: loaded only for them
        from composer.store import recurrences

        with database() as db:
            rules = recurrences(db, account=account)
    if not entries and not rules:
        click.echo("nothing scheduled")
    for e in entries:
        when = format_local(e.scheduled_at, e.timezone or "UTC") if e.scheduled_at else "-"
        status = e.state(now)
        line = f"{e.edition_id:>5}  {status:<10} {when}  {e.account}  {safe(e.title)[:40]}"
        if e.follows_edition_id is not None:
            line += f"  (follows {e.follows_edition_id})"
        click.echo(line + (f"  ({safe(e.last_error)})" if e.last_error else ""))
        if resume := e.resume_command():  # no daemon resumes what `publish` started
            click.echo(f"{'':>17} stopped mid-thread; resume: {safe(resume)}")
    if rules:
        click.echo("recurring rules (queue rules for details):")
        _print_rules(rules, count=1)


def _print_rules(rules: Sequence[Recurrence], *, count: int) -> None:
    from composer.recurring import describe_rule, next_times
    from composer.workspace.when import format_local

    for r in rules:
        times = next_times(r, count)
        state = "active" if r.active else "stopped"
        first = format_local(times[0], r.timezone) if times else "-"
        draft_name = Path(r.draft_path).name
        every = describe_rule(r.rule)
        line = f"{r.id:>5}  {state:<10} {first}  {r.account}  every {every!r}  {safe(draft_name)}"
        click.echo(line + (f"  ({safe(r.last_error)})" if r.last_error else ""))
        for later in times[1:]:
            click.echo(f"{'':>17} then {format_local(later, r.timezone)}")


@queue.command("rules")
@click.option("--all", "show_all", is_flag=True, help="Also stopped rules.")
@click.option("--account", help="Only this account's rules.", shell_complete=complete_accounts)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def queue_rules(show_all: bool, account: str | None, as_json: bool) -> None:
    """Recurring rules with their next times (and the last error of each)."""
    from composer.recurring import describe_rule, next_times
    from composer.store import recurrences

    with database() as db:
        rules = recurrences(db, account=account, include_stopped=show_all)
    if as_json:
        rows = [
            {
                "id": r.id,
                "account": r.account,
                "rule": r.rule,
                "every": describe_rule(r.rule),
                "timezone": r.timezone,
                "draft": r.draft_path,
                "active": r.active,
                "next": [iso_utc(t) for t in next_times(r, 3)],
                "error": r.last_error,
            }
            for r in rules
        ]
        click.echo(json.dumps({"recurrences": rows}, ensure_ascii=False, indent=2))
        return
    if not rules:
        click.echo("no recurring rules")
    _print_rules(rules, count=3)


@queue.command("stop")
@click.argument("rule_id", type=ROW_ID, metavar="RULE_ID", shell_complete=complete_rules)
def queue_stop(rule_id: int) -> None:
    """Stop a recurring rule (editions it already made stay in the queue)."""
    from composer.store import stop_recurrence

    with database() as db, store_input():
        stop_recurrence(db, rule_id)
    click.echo(f"stopped rule {rule_id}")


def _queue_change(action: str, edition_id: int, *args: Any) -> None:
    import composer.store as store_queue

    with database() as db, store_input():
        getattr(store_queue, action)(db, edition_id, *args)


@queue.command("cancel")
@click.argument("edition_id", type=ROW_ID, metavar="ID", shell_complete=complete_scheduled)
def queue_cancel(edition_id: int) -> None:
    """Cancel a scheduled edition."""
    _queue_change("cancel", edition_id)
    click.echo(f"cancelled {edition_id}")


@queue.command("move")
@click.argument("edition_id", type=ROW_ID, metavar="ID", shell_complete=complete_scheduled)
@click.option("--at", "at", required=True, metavar="WHEN")
@click.option("--tz", "zone", metavar="ZONE", help="Default: the edition's own zone.")
def queue_move(edition_id: int, at: str, zone: str | None) -> None:
    """Move a scheduled edition to another time."""
    from datetime import UTC, datetime

    from composer.scheduling import move_edition
    from composer.workspace.when import format_local

    with database() as db:
        moved = move_edition(db, edition_id, at, now=datetime.now(UTC), zone=zone)
    click.echo(f"moved {edition_id} to {format_local(moved.at_utc, moved.zone)}")


@queue.command("publish-now")
@click.argument("edition_id", type=ROW_ID, metavar="ID", shell_complete=complete_scheduled)
@click.option(
    "--wait", is_flag=True, help="If another process is publishing it, wait, then resume."
)
def queue_publish_now(edition_id: int, wait: bool) -> None:
    """Publish a scheduled edition now, from this process."""
    import asyncio

    from composer.cli.interrupt import CtrlC, interrupted_line
    from composer.cli.publish import wait_turn
    from composer.publishing import preflight_edition, publish_existing
    from composer.store import EditionBusy, EditionStatus, Holder, claim, find_edition

    config = current_config()
    if config is None:
        fail("no accounts.toml: publishing needs your accounts")
    holder = Holder.for_this_process("publish-now")

    async def publish_now(db: Database, config: Config) -> PublishResult | None:
        # The pre-flight before the edition is touched: a missing secret changes nothing.
        client = await preflight_edition(db, edition_id, config)
        try:
            while True:
                try:
                    claim(db, edition_id, holder)
                    break
                except EditionBusy as busy:
                    if not wait:
                        raise
                    if wait_turn(db, busy) is EditionStatus.PUBLISHED:
                        return None  # the other process published it (said on stderr)
        except BaseException:
            await client.aclose()
            raise
        return await publish_existing(
            db, edition_id, config, holder=holder, client=client, sleep=ctrl_c.sleep
        )

    ctrl_c = CtrlC(notice=sys.stderr.isatty())
    with database() as db:
        with store_input():  # busy, no such edition, not scheduled...
            outcome = asyncio.run(ctrl_c.run(publish_now(db, config)))
        if ctrl_c.at_once or (ctrl_c.stopping.is_set() and outcome and not outcome.finished):
            account = find_edition(db, edition_id).account
            resume = "a daemon resumes it, or run the same command again"
            click.echo(interrupted_line(db, [(account, edition_id)], resume), err=True)
            sys.exit(EXIT_INTERRUPTED)
    if outcome is None:
        return
    if not outcome.finished:
        raise click.ClickException(f"edition {edition_id} stopped: {outcome.error}")
    click.echo(f"published edition {edition_id}: {plural(outcome.total, 'post')}")
    for url in outcome.urls:
        click.echo(f"  {safe(url or '')}")
