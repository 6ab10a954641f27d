"""`publish` (now, resumable, `--wait` for another process's claim) and `schedule` (once or
`--every` RULE)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from composer.cli.base import current_config, database, fail, iso_utc, safe, say_daemon_note
from composer.cli.completion import complete_drafts
from composer.cli.drafting import (
    accounts_option,
    check_follows,
    cli_post_options,
    follows_options,
    load_source,
    options_line,
    post_option_flags,
    print_thread,
    resolve_draft,
)
from composer.text.display import plural

if TYPE_CHECKING:
    from collections.abc import Sequence

    from composer.publishing import EditionPlan, PublishResult
    from composer.store import Database, EditionBusy, EditionStatus
    from composer.workspace.config import Config
    from composer.workspace.drafts import Draft


class _ProgressBars:
    """A rich progress bar per account when `enabled`, else nothing but plain lines."""

    def __init__(self, plans: Sequence[EditionPlan], *, enabled: bool) -> None:
        self.names = [p.account.name for p in plans]
        self.totals = [len(p.thread) for p in plans]
        self.enabled = enabled
        self._progress: Any = None
        self._tasks: dict[str, Any] = {}

    def __enter__(self) -> _ProgressBars:
        if self.enabled:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

            self._progress = Progress(
                TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn()
            )
            self._progress.start()
            for name, total in zip(self.names, self.totals, strict=True):
                self._tasks[name] = self._progress.add_task(name, total=total)
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._progress is not None:
            self._progress.stop()

    def advance(self, name: str) -> None:
        if self._progress is not None:
            self._progress.advance(self._tasks[name])

    def echo(self, line: str, *, err: bool = False) -> None:
        if self._progress is not None and not err:
            self._progress.console.print(line, markup=False, highlight=False)
        else:
            click.echo(line, err=err)


@click.command()
@click.argument("name", metavar="DRAFT", shell_complete=complete_drafts)
@accounts_option
@click.option("--dry-run", is_flag=True, help="Show exactly what would be sent; send nothing.")
@click.option("--again", is_flag=True, help="Publish a thread an account already has.")
@click.option(
    "--atomic", is_flag=True, help="Bluesky: the whole thread in one commit, all posts or none."
)
@follows_options
@post_option_flags
@click.option(
    "--wait", is_flag=True, help="If another process is publishing it, wait, then resume."
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def publish(
    name: str,
    accounts: tuple[str, ...],
    dry_run: bool,
    again: bool,
    atomic: bool,
    follows: int | None,
    update: bool,
    wait: bool,
    as_json: bool,
) -> None:
    """Publish DRAFT now to each account; run again to resume after a failure."""
    import asyncio

    from composer.cli.interrupt import REASON as INTERRUPTED
    from composer.publishing import (
        Event,
        ask_new_instances,
        check_not_published,
        follow_up,
        plan_editions,
        ready_to_send,
        run_editions,
    )

    path = resolve_draft(name)
    chosen = load_source(str(path))
    config = current_config()
    check_follows(follows, update)
    if atomic and follows is not None:
        fail("--atomic writes a new thread in one commit; a follow-up is sent post by post")
    continuing = None
    if follows is not None:
        with database() as db:
            continuing = follow_up(
                db, follows, update=update, account_names=accounts, published=not dry_run
            )
    # A Mastodon instance never asked is asked first: its own figures, not the defaults,
    # decide how many images a post takes (with --dry-run too: it reads the instance anyway).
    asyncio.run(ask_new_instances(chosen, config, accounts, follows=continuing))
    plans = plan_editions(
        chosen,
        path,
        config,
        accounts,
        for_real=not dry_run,
        follows=continuing,
        options=cli_post_options(),
    )
    plans = asyncio.run(ready_to_send(plans))
    if dry_run:
        if as_json:
            rows = [_dry_run_row(p, follows) for p in plans]
            click.echo(json.dumps({"dry_run": True, "editions": rows}, ensure_ascii=False))
            return
        for number, plan in enumerate(plans):
            if number:
                click.echo()
            after = f", continuing edition {follows}" if follows is not None else ""
            click.echo(f"would publish to {plan.account.name}{after}:")
            print_thread(plan.thread, cards=plan.cards)
            for warning in plan.card_warnings:
                click.echo(f"warning: {plan.account.name}: {safe(warning)}", err=True)
            own = plan.shown_options(defaults=False)
            if own:
                click.echo(options_line(own))
        return
    for plan in plans:
        for warning in plan.card_warnings:
            click.echo(f"warning: {plan.account.name}: {safe(warning)}", err=True)

    # On a terminal, a progress bar per account advances post by post; the lines with each
    # post's URL are printed either way (and are all there is when the output is piped).
    with_bars = sys.stdout.isatty() and not as_json
    bars = _ProgressBars(plans, enabled=with_bars)

    def show(account: str, event: Event) -> None:
        if as_json:
            return
        where = f"{account} {event.index}/{event.total}"
        if event.kind == "sent":
            bars.advance(account)
            bars.echo(f"✓ {where} {safe(event.url or '')}")
        elif event.kind == "waiting":
            bars.echo(f"… {where} waiting {event.delay or 0:.0f} s", err=True)
        elif event.kind == "resolving":
            bars.echo(f"? {where} checking whether the platform has it", err=True)
        elif event.kind == "warning":
            bars.echo(f"warning: {account}: {safe(event.detail or '')}", err=True)
        elif event.kind == "stopped" and event.detail != INTERRUPTED:  # said once, below
            bars.echo(f"✗ {account} stopped: {safe(event.detail or '')}", err=True)

    from composer.cli.base import EXIT_INTERRUPTED
    from composer.cli.interrupt import CtrlC
    from composer.store import EditionBusy, EditionStatus, Holder

    holder = Holder.for_this_process("publish")
    ctrl_c = CtrlC(notice=sys.stderr.isatty() and not as_json)
    with database() as db:
        if not again:
            check_not_published(db, plans)
        while True:
            try:
                with bars:
                    ran = asyncio.run(
                        ctrl_c.run(
                            run_editions(
                                db,
                                plans,
                                show,
                                atomic=atomic,
                                holder=holder,
                                again=again,
                                sleep=ctrl_c.sleep,
                            )
                        )
                    )
                if ran is None or (ctrl_c.stopping.is_set() and not all(r.finished for r in ran)):
                    # Ctrl-C: every claim is released; one line says where each account is.
                    click.echo(_interrupted(db, plans, ran), err=True)
                    sys.exit(EXIT_INTERRUPTED)
                results = ran
                break
            except EditionBusy as busy:
                if not wait:
                    fail(str(busy))
                if wait_turn(db, busy, as_json=as_json) is EditionStatus.PUBLISHED:
                    # The other process finished it: nothing is left to send on that account.
                    plans = [p for p in plans if p.account.name != _account_of(db, busy)]
                    bars = _ProgressBars(plans, enabled=with_bars)
                    if not plans:
                        if as_json:
                            click.echo(json.dumps({"editions": []}))
                        return
    if as_json:
        rows = [
            {
                "id": r.edition_id,
                "account": plan.account.name,
                "status": r.status.value,
                "posts": [{"index": i, "url": u} for i, u in enumerate(r.urls, start=1)],
                "error": r.error,
            }
            for plan, r in zip(plans, results, strict=True)
        ]
        click.echo(json.dumps({"editions": rows}, ensure_ascii=False, indent=2))
    for plan, result in zip(plans, results, strict=True):
        if not as_json and result.finished:
            click.echo(
                f"{plan.account.name}: published {plural(result.total, 'post')} "
                f"(edition {result.edition_id})"
            )
    if not all(r.finished for r in results):
        raise click.ClickException(
            "not every edition was published; run the same command again to resume"
        )


def _dry_run_row(plan: EditionPlan, follows: int | None) -> dict[str, Any]:
    """One account's edition in `publish --dry-run --json`: its thread, each post's link
    card, the warnings."""
    row: dict[str, Any] = {
        "account": plan.account.name,
        **plan.thread.to_dict(),
        "warnings": [*plan.thread.warnings, *plan.card_warnings],
        "follows": follows,
        "options": plan.shown_options(),
    }
    for post, card in zip(row["posts"], plan.cards, strict=False):
        if card is not None:
            post["link_card"] = card.to_dict()
    return row


@click.command()
@click.argument("name", metavar="DRAFT", shell_complete=complete_drafts)
@accounts_option
@click.option("--at", "at", metavar="WHEN", help="'YYYY-MM-DD HH:MM' in the zone, or ISO 8601.")
@click.option("--tz", "zone", metavar="ZONE", help="IANA zone (default: draft, config, system).")
@click.option("--in", "delay", metavar="DURATION", help="From now: 90s, 15m, 2h, 1h30m, 1d.")
@click.option("--next-slot", is_flag=True, help="Each account's next free posting slot.")
@click.option("--every", metavar="RULE", help="Recurring: 'Mon 09:00', 'daily 09:00', cron...")
@click.option("--again", is_flag=True, help="Schedule a thread an account already has.")
@follows_options
@post_option_flags
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def schedule(
    name: str,
    accounts: tuple[str, ...],
    at: str | None,
    zone: str | None,
    delay: str | None,
    next_slot: bool,
    every: str | None,
    again: bool,
    follows: int | None,
    update: bool,
    as_json: bool,
) -> None:
    """Schedule DRAFT for each account; the daemon publishes it at that time."""
    from datetime import UTC, datetime

    from composer.scheduling import (
        ScheduleChoice,
        draft_schedule,
        schedule_draft,
        schedule_follow_up,
    )
    from composer.workspace.when import format_local

    once = sum((at is not None, delay is not None, next_slot))
    if every is not None and once:
        fail("--every RULE makes a recurring rule: give it without --at, --in or --next-slot")
    if every is None and once > 1:
        fail("give only one of --at WHEN, --in DURATION or --next-slot")
    check_follows(follows, update)
    if every is not None and follows is not None:
        fail("--every makes a recurring rule; a follow-up (--follows) is published once")
    path = resolve_draft(name)
    chosen = load_source(str(path))
    if every is None and once == 0 and draft_schedule(chosen) is None:
        fail(
            "give one of --at WHEN, --in DURATION or --next-slot, or a time in the draft: "
            'schedule = "YYYY-MM-DD HH:MM"'
        )
    config = current_config()
    options = cli_post_options()
    if every is not None:
        if options.given():
            fail(
                "--every composes each occurrence from the draft when it comes due: set "
                "language, visibility, replies... in the draft's front matter instead"
            )
        _schedule_every(chosen, path, config, accounts, every, zone, as_json)
        return
    with database() as db:
        choice = ScheduleChoice(
            datetime.now(UTC), at, delay, next_slot, zone, again, options=options
        )
        if follows is not None:
            editions = [
                schedule_follow_up(
                    db, chosen, path, config, follows, choice, update=update, accounts=accounts
                )
            ]
        else:
            editions = schedule_draft(db, chosen, path, config, accounts, choice)
        say_daemon_note(db, "note")
    for e in editions:
        for warning in e.warnings:
            click.echo(f"warning: {e.account}: {safe(warning)}", err=True)
    if as_json:
        rows = [{"id": e.id, "account": e.account, "at": iso_utc(e.at_utc)} for e in editions]
        click.echo(json.dumps({"editions": rows}))
        return
    after = f"  follows {follows}" if follows is not None else ""
    for e in editions:
        when = format_local(e.at_utc, e.zone)
        click.echo(f"{e.id}  {e.account}  {when}  {plural(e.posts, 'post')}{after}")


def _schedule_every(
    chosen: Draft,
    path: Path,
    config: Config | None,
    accounts: tuple[str, ...],
    every: str,
    zone: str | None,
    as_json: bool,
) -> None:
    from datetime import UTC, datetime

    from composer.recurring import create_rules, describe_rule
    from composer.workspace.when import format_local

    with database() as db:
        rules = create_rules(
            db, chosen, path, config, accounts, every=every, now=datetime.now(UTC), zone=zone
        )
        say_daemon_note(db, "note")
    if as_json:
        rows = [
            {
                "id": r.id,
                "account": r.account,
                "rule": r.rule.cron,
                "timezone": r.rule.zone,
                "next": [iso_utc(t) for t in r.next_times],
            }
            for r in rules
        ]
        click.echo(json.dumps({"recurrences": rows}))
        return
    for r in rules:
        every = describe_rule(r.rule.cron)
        click.echo(f"rule {r.id}  {r.account}  every {every!r} in {r.rule.zone}; next:")
        for when in r.next_times:
            click.echo(f"    {format_local(when, r.rule.zone)}")
    for note in rules[0].notes if rules else []:
        click.echo(f"note: {note}", err=True)


WAIT_POLL = 1.0  # seconds between looks at a busy edition's claim


def wait_turn(db: Database, busy: EditionBusy, *, as_json: bool = False) -> EditionStatus:
    """Wait (saying so once, on stderr) until no live process holds the edition; its status
    then. A published one is said to be published (on stderr with --json)."""
    import time

    from composer.store import EditionStatus, find_edition, live_holder

    click.echo(f"waiting: {safe(str(busy))}", err=True)
    while live_holder(db, busy.edition_id) is not None:
        time.sleep(WAIT_POLL)
    status = find_edition(db, busy.edition_id).status
    if status is EditionStatus.PUBLISHED:
        click.echo(
            f"edition {busy.edition_id} was published meanwhile by the other process",
            err=as_json,
        )
    return status


def _interrupted(
    db: Database, plans: Sequence[EditionPlan], ran: list[PublishResult] | None
) -> str:
    """The line Ctrl-C leaves: each account's edition (from the outcomes, or, stopped at
    once, its unfinished edition in the ledger) and how to resume."""
    from composer.cli.interrupt import interrupted_line
    from composer.store import resumable_edition

    editions: list[tuple[str, int | None]] = []
    for number, plan in enumerate(plans):
        if ran is not None:
            editions.append((plan.account.name, ran[number].edition_id))
        else:
            edition = resumable_edition(db, plan.draft_path, plan.account.name)
            editions.append((plan.account.name, edition.id if edition is not None else None))
    return interrupted_line(db, editions, "run the same command again to resume")


def _account_of(db: Database, busy: EditionBusy) -> str:
    from composer.store import find_edition

    return find_edition(db, busy.edition_id).account
