"""The `thread-composer` command line.

Only argument parsing and printing live here. `split` and `count` must start fast, so this
module imports click and the pure text layer only; heavier front ends are imported inside
the commands that need them.
"""

from __future__ import annotations

import json
import math
import os
import shlex
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from composer.text import MODES, PLATFORM_NAMES, SplitError, Thread, UnknownPlatformError
from composer.text import count as count_text
from composer.text.display import terminal_safe
from composer.text.enrich import MENTION_PLACEMENTS, TAG_PLACEMENTS, EnrichError
from composer.text.numbering import NumberingError
from composer.text.redaction import redact
from composer.workspace.compose import NO_OVERRIDES, Overrides, compose, find_config
from composer.workspace.config import Config, ConfigError
from composer.workspace.drafts import (
    Draft,
    DraftError,
    list_drafts,
    load_draft,
    new_draft,
    read_text,
    resolve,
)

if TYPE_CHECKING:
    from datetime import datetime

    from composer.store import Database, EditionBusy, EditionStatus, Recurrence

EXIT_OK, EXIT_FAILURE, EXIT_BAD_INPUT = 0, 1, 2
PREVIEW_PLATFORMS = ("x", "mastodon", "bluesky")

safe = terminal_safe


class BadInput(click.ClickException):
    exit_code = EXIT_BAD_INPUT


class FiniteFloatRange(click.FloatRange):
    """A FloatRange that refuses nan and inf (nan passes every comparison of FloatRange)."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        number = super().convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a finite number", param, ctx)
        return number


# Numbers the database stores: an id beyond SQLite's INTEGER is bad input, not a traceback.
ROW_ID = click.IntRange(min=1, max=2**63 - 1)
MAX_HISTORY = 10_000
MAX_POST_LIMIT = 100_000


def fail(message: str) -> NoReturn:
    raise BadInput(message)


class ComposerGroup(click.Group):
    """A group that also takes a draft path where a command would go: `thread-composer DRAFT`."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        takes_value = {"--config", "--db", "--drafts"}
        index = 0
        while index < len(args):
            arg = args[index]
            if arg in takes_value:
                index += 2
                continue
            if arg.startswith("-"):
                index += 1
                continue
            if arg not in self.commands:
                ctx.meta["draft"] = args.pop(index)
            break
        return super().parse_args(ctx, args)


@click.group(cls=ComposerGroup, invoke_without_command=True)
@click.option("--config", envvar="COMPOSER_CONFIG", metavar="PATH", help="Accounts file.")
@click.option("--db", envvar="COMPOSER_DB", metavar="URL", help="History database.")
@click.option("--drafts", "drafts_dir", default="drafts", metavar="DIR", help="Drafts folder.")
@click.version_option(package_name="thread-composer")
@click.pass_context
def cli(ctx: click.Context, config: str | None, db: str | None, drafts_dir: str) -> None:
    """Turn long reports into numbered threads for X, Mastodon and Bluesky.

    With no command, or a draft path, opens the composer on a terminal; piped, it shows
    the draft split for each platform.
    """
    ctx.obj = {"config": config, "db": db, "drafts": drafts_dir}
    if ctx.invoked_subcommand is not None:
        return
    draft_path = ctx.meta.get("draft")
    if sys.stdin.isatty() and sys.stdout.isatty():
        _open_composer(draft_path, config, db, Path(drafts_dir))
        return
    if draft_path is None:
        click.echo("note: not a terminal, so the composer does not open", err=True)
        click.echo(ctx.get_help())
        return
    draft = _load(draft_path)  # bad input stays one line on stderr
    click.echo("note: not a terminal, so the composer does not open: the split preview", err=True)
    platforms = draft.platforms or list(PREVIEW_PLATFORMS)
    for number, name in enumerate(platforms):
        if number:
            click.echo()
        thread = _split(draft, name)
        _print_thread(thread)


def _open_composer(
    draft_path: str | None, config: str | None, db: str | None, drafts_dir: Path
) -> None:
    """The TUI (imported only here, so other commands never pay for Textual)."""
    path = None
    if draft_path is not None:
        path = _resolve_in(drafts_dir, draft_path)
        try:
            read_text(str(path))  # a draft with broken front matter opens; binary junk does not
        except DraftError as error:
            fail(str(error))
    if config is not None:
        try:
            find_config(config)
        except ConfigError as error:
            fail(str(error))
    from composer.tui import Services, make_app

    app = make_app(Services(drafts_dir=drafts_dir, config_path=config, db_url=db), path)
    app.run()
    if app.return_code:  # a crash: its report is printed, and the exit says so
        raise click.exceptions.Exit(app.return_code)


def _load(source: str) -> Draft:
    try:
        draft = load_draft(source)
    except DraftError as error:
        fail(str(error))
    for key in draft.unknown_keys:
        click.echo(f"warning: {source}: unknown front-matter key {key!r} (ignored)", err=True)
    return draft


def _config() -> Config | None:
    """The accounts file for this command, loaded once; a notice if it is the example."""
    root = click.get_current_context().find_root()
    if "config_choice" not in root.meta:
        try:
            choice = find_config(root.obj["config"])
        except ConfigError as error:
            fail(str(error))
        if choice.notice:
            click.echo(f"note: {choice.notice}", err=True)
        root.meta["config_choice"] = choice
    config: Config | None = root.meta["config_choice"].config
    return config


def _split(draft: Draft, platform: str, overrides: Overrides = NO_OVERRIDES) -> Thread:
    try:
        return compose(draft, platform, _config(), overrides)
    except (UnknownPlatformError, NumberingError, SplitError, EnrichError, ConfigError) as error:
        fail(str(error))


def _print_thread(thread: Thread) -> None:
    total = len(thread.posts)
    header = f"{thread.platform} · {total} post{'s' if total != 1 else ''} · {thread.note}"
    click.echo(click.style(header, bold=True))
    for post in thread.posts:
        label = f"── {post.index}/{total} "
        size = f" {post.length}/{thread.limit} ──"
        rule = "─" * max(4, 64 - len(label) - len(size))
        click.echo(click.style(label + rule + size, dim=True))
        click.echo(safe(post.text))
    for warning in thread.warnings:
        click.echo(f"warning: {safe(warning)}", err=True)


def follows_options(command: Any) -> Any:
    """--follows and --update, the same on `publish` and `schedule`."""
    command = click.option(
        "--update",
        is_flag=True,
        help="With --follows: mark the posts UPDATE instead of numbering on.",
    )(command)
    return click.option(
        "--follows",
        "follows",
        type=ROW_ID,
        metavar="EDITION_ID",
        help="Continue this edition's thread: reply to its last post, on its account.",
    )(command)


platform_option = click.option(
    "--platform",
    "-p",
    required=True,
    type=click.Choice(PLATFORM_NAMES, case_sensitive=False),
    help="Platform whose rules apply.",
)


@cli.command()
@click.argument("source", metavar="PATH|-")
@platform_option
@click.option("--numbering", "-n", metavar="FMT", help="{i}/{n} (default), a format or a preset.")
@click.option(
    "--limit",
    type=click.IntRange(min=1, max=MAX_POST_LIMIT),
    help="Override the platform's limit.",
)
@click.option("--hook/--no-hook", default=None, help="Leave the first post unnumbered.")
@click.option("--mode", type=click.Choice(MODES), help="fewest | balanced (default) | cleanest.")
@click.option(
    "--mention",
    "mentions",
    multiple=True,
    metavar="NAME|@HANDLE",
    help="A contact of the accounts file, or a handle (repeatable; replaces the draft's).",
)
@click.option("--mention-placement", type=click.Choice(MENTION_PLACEMENTS), help="Default: first.")
@click.option("--tag", "tags", multiple=True, help="A hashtag to append (repeatable).")
@click.option("--tag-placement", type=click.Choice(TAG_PLACEMENTS), help="Default: last.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def split(
    source: str,
    platform: str,
    numbering: str | None,
    limit: int | None,
    hook: bool | None,
    mode: str | None,
    mentions: tuple[str, ...],
    mention_placement: str | None,
    tags: tuple[str, ...],
    tag_placement: str | None,
    as_json: bool,
) -> None:
    """Split a report or draft into numbered posts that fit PLATFORM, with the draft's
    mentions and hashtags."""
    draft = _load(source)
    overrides = Overrides(
        numbering=numbering,
        limit=limit,
        hook=hook,
        mode=mode,
        mentions=mentions or None,
        mention_placement=mention_placement,
        tags=tags or None,
        tag_placement=tag_placement,
    )
    thread = _split(draft, platform.lower(), overrides)
    if not thread.posts:
        fail(f"{source}: nothing to split")
    if as_json:
        payload: dict[str, Any] = thread.to_dict()
        payload["note"] = thread.note
        payload["warnings"] = thread.warnings
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    _print_thread(thread)


@cli.command()
@click.argument("source", metavar="PATH|-")
@platform_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def count(source: str, platform: str, as_json: bool) -> None:
    """Length of a text as ONE post, as PLATFORM counts it."""
    from composer.text import platform as rules_for

    draft = _load(source)
    body = draft.body.strip()
    rules = rules_for(platform)
    length = count_text(body, platform)
    if as_json:
        click.echo(
            json.dumps(
                {
                    "platform": rules.name,
                    "count": length,
                    "limit": rules.limit,
                    "unit": rules.measure.unit,
                    "fits": length <= rules.limit,
                }
            )
        )
        return
    click.echo(str(length))
    if length > rules.limit:
        click.echo(
            f"warning: over the {rules.name} limit of {rules.limit} {rules.measure.unit} "
            f"by {length - rules.limit}",
            err=True,
        )


@cli.group()
def draft() -> None:
    """Create, list, show and edit drafts in the drafts folder."""


def _drafts_folder() -> Path:
    return Path(click.get_current_context().find_root().obj["drafts"])


@draft.command("new")
@click.argument("title")
@click.option("--account", "accounts", multiple=True, help="Account to publish to (repeatable).")
def draft_new(title: str, accounts: tuple[str, ...]) -> None:
    """Create a draft titled TITLE and print its path."""
    meta: dict[str, Any] = {"accounts": list(accounts)} if accounts else {}
    try:
        path = new_draft(_drafts_folder(), title, meta)
    except OSError as error:
        fail(f"cannot write the draft: {error.strerror or error}")
    click.echo(str(path))


@draft.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def draft_list(as_json: bool) -> None:
    """The drafts, newest first."""
    summaries = list_drafts(_drafts_folder())
    if as_json:
        rows = [
            {
                "name": s.name,
                "path": str(s.path),
                "title": s.title,
                "modified": s.modified.isoformat(),
                "characters": s.characters,
                "error": s.error,
            }
            for s in summaries
        ]
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not summaries:
        click.echo(
            f"no drafts in {_drafts_folder()}/ (create one: thread-composer draft new TITLE)"
        )
    for s in summaries:
        when = s.modified.astimezone().strftime("%Y-%m-%d %H:%M")
        detail = f"error: {safe(s.error)}" if s.error else f"{s.characters:,} characters"
        click.echo(f"{safe(s.name):<28} {when}  {safe(s.title)[:50]:<50}  {detail}")


@draft.command("show")
@click.argument("name")
def draft_show(name: str) -> None:
    """A draft's settings and text, and how many posts it makes on each platform."""
    path = _resolve(name)
    shown = _load(str(path))
    click.echo(click.style(safe(shown.title), bold=True) + f"  ({path})")
    for key, value in shown.meta.items():
        if key != "title":
            click.echo(f"  {key} = {safe(json.dumps(value, ensure_ascii=False))}")
    counts = []
    for name_ in shown.platforms or list(PREVIEW_PLATFORMS):
        thread = _split(shown, name_)
        counts.append(f"{name_} {len(thread.posts)}")
    click.echo("  posts: " + ", ".join(counts))
    click.echo()
    click.echo(safe(shown.body.strip()))


@draft.command("edit")
@click.argument("name")
def draft_edit(name: str) -> None:
    """Open a draft in $VISUAL or $EDITOR, then check it."""
    path = _resolve(name)
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    try:
        completed = subprocess.run([*shlex.split(editor), str(path)], check=False)
    except OSError as error:
        fail(f"cannot start the editor {editor!r}: {error.strerror or error} (set $EDITOR)")
    if completed.returncode != 0:
        raise click.ClickException(f"the editor {editor!r} exited with {completed.returncode}")
    _load(str(path))  # report what is wrong with it now, while the author is here
    click.echo(f"saved {path}")


def _resolve(name: str) -> Path:
    return _resolve_in(_drafts_folder(), name)


def _resolve_in(folder: Path, name: str) -> Path:
    try:
        return resolve(folder, name)
    except DraftError as error:
        fail(str(error))


class _ProgressBars:
    """A rich progress bar per account when `enabled`, else nothing but plain lines."""

    def __init__(self, names: list[str], totals: list[int]) -> None:
        self.names, self.totals = names, totals
        self.enabled = False
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


def _database() -> Database:
    from composer.store import DatabaseFailure, StoreError, open_database

    root = click.get_current_context().find_root()
    try:
        return open_database(root.obj["db"])
    except DatabaseFailure as error:  # unopenable, read-only: a runtime failure (exit 1)
        raise click.ClickException(str(error)) from None
    except StoreError as error:
        fail(str(error))


@cli.command()
@click.argument("name", metavar="DRAFT")
@click.option("--account", "accounts", multiple=True, help="Account to post to (repeatable).")
@click.option("--dry-run", is_flag=True, help="Show exactly what would be sent; send nothing.")
@click.option("--again", is_flag=True, help="Publish a thread an account already has.")
@click.option(
    "--atomic", is_flag=True, help="Bluesky: the whole thread in one commit, all posts or none."
)
@follows_options
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

    from composer.publishing import (
        Event,
        PublishError,
        check_not_published,
        fit_to_instances,
        follow_up,
        plan_editions,
        run_editions,
    )
    from composer.store import StoreError

    path = _resolve(name)
    chosen = _load(str(path))
    config = _config()
    if update and follows is None:
        fail("--update marks a follow-up: give --follows EDITION_ID too")
    if atomic and follows is not None:
        fail("--atomic writes a new thread in one commit; a follow-up is sent post by post")
    continuing = None
    if follows is not None:
        with _database() as db:
            try:
                continuing = follow_up(
                    db, follows, update=update, account_names=accounts, published=not dry_run
                )
            except PublishError as error:
                fail(str(error))
    try:
        plans = plan_editions(
            chosen, path, config, accounts, for_real=not dry_run, follows=continuing
        )
        plans = asyncio.run(fit_to_instances(plans))
    except PublishError as error:
        fail(str(error))
    if dry_run:
        if as_json:
            rows = [
                {
                    "account": p.account.name,
                    **p.thread.to_dict(),
                    "warnings": p.thread.warnings,
                    "follows": follows,
                }
                for p in plans
            ]
            click.echo(json.dumps({"dry_run": True, "editions": rows}, ensure_ascii=False))
            return
        for number, plan in enumerate(plans):
            if number:
                click.echo()
            after = f", continuing edition {follows}" if follows is not None else ""
            click.echo(f"would publish to {plan.account.name}{after}:")
            _print_thread(plan.thread)
        return

    # On a terminal, a progress bar per account advances post by post; the lines with each
    # post's URL are printed either way (and are all there is when the output is piped).
    bars = _ProgressBars([p.account.name for p in plans], [len(p.thread) for p in plans])
    bars.enabled = sys.stdout.isatty() and not as_json

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
        elif event.kind == "stopped":
            bars.echo(f"✗ {account} stopped: {safe(event.detail or '')}", err=True)

    from composer.store import EditionBusy, EditionStatus, Holder

    holder = Holder.for_this_process("publish")
    with _database() as db:
        if not again:
            try:
                check_not_published(db, plans)
            except PublishError as error:
                fail(str(error))
        while True:
            try:
                with bars:
                    results = asyncio.run(
                        run_editions(db, plans, show, atomic=atomic, holder=holder)
                    )
                break
            except EditionBusy as busy:
                if not wait:
                    fail(str(busy))
                if _wait_turn(db, busy, as_json=as_json) is EditionStatus.PUBLISHED:
                    # The other process finished it: nothing is left to send on that account.
                    plans = [p for p in plans if p.account.name != _account_of(db, busy)]
                    bars = _ProgressBars(
                        [p.account.name for p in plans], [len(p.thread) for p in plans]
                    )
                    bars.enabled = sys.stdout.isatty() and not as_json
                    if not plans:
                        if as_json:
                            click.echo(json.dumps({"editions": []}))
                        return
            except PublishError as error:  # the pre-flight: nothing written
                fail(str(error))
            except StoreError as error:  # the ledger failed: what was sent is in it
                raise click.ClickException(str(error)) from None
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
                f"{plan.account.name}: published {result.total} posts (edition {result.edition_id})"
            )
    if not all(r.finished for r in results):
        raise click.ClickException(
            "not every edition was published; run the same command again to resume"
        )


@cli.command()
@click.argument("name", metavar="DRAFT")
@click.option("--account", "accounts", multiple=True, help="Account to post to (repeatable).")
@click.option("--at", "at", metavar="WHEN", help="'YYYY-MM-DD HH:MM' in the zone, or ISO 8601.")
@click.option("--tz", "zone", metavar="ZONE", help="IANA zone (default: draft, config, system).")
@click.option("--in", "delay", metavar="DURATION", help="From now: 90s, 15m, 2h, 1h30m, 1d.")
@click.option("--next-slot", is_flag=True, help="Each account's next free posting slot.")
@click.option("--every", metavar="RULE", help="Recurring: 'Mon 09:00', 'daily 09:00', cron...")
@click.option("--again", is_flag=True, help="Schedule a thread an account already has.")
@follows_options
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
        ScheduleError,
        daemon_note,
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
    if update and follows is None:
        fail("--update marks a follow-up: give --follows EDITION_ID too")
    if every is not None and follows is not None:
        fail("--every makes a recurring rule; a follow-up (--follows) is published once")
    path = _resolve(name)
    chosen = _load(str(path))
    if every is None and once == 0 and draft_schedule(chosen) is None:
        fail(
            "give one of --at WHEN, --in DURATION or --next-slot, or a time in the draft: "
            'schedule = "YYYY-MM-DD HH:MM"'
        )
    config = _config()
    if every is not None:
        _schedule_every(chosen, path, config, accounts, every, zone, as_json)
        return
    with _database() as db:
        try:
            if follows is not None:
                editions = [
                    schedule_follow_up(
                        db,
                        chosen,
                        path,
                        config,
                        follows,
                        now=datetime.now(UTC),
                        update=update,
                        accounts=accounts,
                        at=at,
                        delay=delay,
                        next_slot=next_slot,
                        zone=zone,
                        again=again,
                    )
                ]
            else:
                editions = schedule_draft(
                    db,
                    chosen,
                    path,
                    config,
                    accounts,
                    now=datetime.now(UTC),
                    at=at,
                    delay=delay,
                    next_slot=next_slot,
                    zone=zone,
                    again=again,
                )
        except ScheduleError as error:
            fail(str(error))
        note = daemon_note(db, datetime.now(UTC))
    if note is not None:
        click.echo(f"note: {note}", err=True)
    if as_json:
        rows = [
            {"id": e.id, "account": e.account, "at": e.at_utc.isoformat().replace("+00:00", "Z")}
            for e in editions
        ]
        click.echo(json.dumps({"editions": rows}))
        return
    after = f"  follows {follows}" if follows is not None else ""
    for e in editions:
        click.echo(f"{e.id}  {e.account}  {format_local(e.at_utc, e.zone)}  {e.posts} posts{after}")


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

    from composer.recurring import RuleError, create_rules
    from composer.scheduling import daemon_note
    from composer.workspace.when import format_local

    with _database() as db:
        try:
            rules = create_rules(
                db, chosen, path, config, accounts, every=every, now=datetime.now(UTC), zone=zone
            )
        except RuleError as error:
            fail(str(error))
        note = daemon_note(db, datetime.now(UTC))
    if note is not None:
        click.echo(f"note: {note}", err=True)
    if as_json:
        rows = [
            {
                "id": r.id,
                "account": r.account,
                "rule": r.rule.cron,
                "timezone": r.rule.zone,
                "next": [_iso_utc(t) for t in r.next_times],
            }
            for r in rules
        ]
        click.echo(json.dumps({"recurrences": rows}))
        return
    for r in rules:
        click.echo(f"rule {r.id}  {r.account}  every {r.rule.cron!r} in {r.rule.zone}; next:")
        for when in r.next_times:
            click.echo(f"    {format_local(when, r.rule.zone)}")
    for note in rules[0].notes if rules else []:
        click.echo(f"note: {note}", err=True)


def _iso_utc(when: datetime) -> str:
    return when.isoformat().replace("+00:00", "Z")


@cli.group(invoke_without_command=True)
@click.option("--all", "show_all", is_flag=True, help="Also recent published, failed, missed.")
@click.option("--account", help="Only this account's editions.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def queue(ctx: click.Context, show_all: bool, account: str | None, as_json: bool) -> None:
    """Scheduled editions, soonest first (times in their own zones)."""
    if ctx.invoked_subcommand is not None:
        return
    from datetime import UTC, datetime

    from composer.scheduling import daemon_note
    from composer.store import recurrences, upcoming
    from composer.workspace.when import format_local

    now = datetime.now(UTC)
    with _database() as db:
        entries = upcoming(db, account=account, include_done=show_all)
        note = daemon_note(db, now)
    if note is not None:
        click.echo(f"warning: {note}", err=True)
    if as_json:
        rows = [
            {
                "id": e.edition_id,
                "account": e.account,
                "at": e.scheduled_at.isoformat().replace("+00:00", "Z") if e.scheduled_at else None,
                "status": e.status.value,
                "overdue": e.overdue(now),
                "timezone": e.timezone,
                "title": e.title,
                "posts": e.post_count,
                "error": e.last_error,
                "follows": e.follows_edition_id,
            }
            for e in entries
        ]
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    with _database() as db:
        rules = recurrences(db, account=account)
    if not entries and not rules:
        click.echo("nothing scheduled")
    for e in entries:
        when = format_local(e.scheduled_at, e.timezone or "UTC") if e.scheduled_at else "-"
        status = "overdue" if e.overdue(now) else e.status.value
        line = f"{e.edition_id:>5}  {status:<10} {when}  {e.account}  {safe(e.title)[:40]}"
        if e.follows_edition_id is not None:
            line += f"  (follows {e.follows_edition_id})"
        click.echo(line + (f"  ({safe(e.last_error)})" if e.last_error else ""))
    if rules:
        click.echo("recurring rules (queue rules for details):")
        _print_rules(rules, count=1)


def _print_rules(rules: Sequence[Recurrence], *, count: int) -> None:
    from composer.recurring import next_times
    from composer.workspace.when import format_local

    for r in rules:
        times = next_times(r, count)
        state = "active" if r.active else "stopped"
        first = format_local(times[0], r.timezone) if times else "-"
        draft_name = Path(r.draft_path).name
        line = f"{r.id:>5}  {state:<10} {first}  {r.account}  every {r.rule!r}  {safe(draft_name)}"
        click.echo(line + (f"  ({safe(r.last_error)})" if r.last_error else ""))
        for later in times[1:]:
            click.echo(f"{'':>17} then {format_local(later, r.timezone)}")


@queue.command("rules")
@click.option("--all", "show_all", is_flag=True, help="Also stopped rules.")
@click.option("--account", help="Only this account's rules.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def queue_rules(show_all: bool, account: str | None, as_json: bool) -> None:
    """Recurring rules with their next times (and the last error of each)."""
    from composer.recurring import next_times
    from composer.store import recurrences

    with _database() as db:
        rules = recurrences(db, account=account, include_stopped=show_all)
    if as_json:
        rows = [
            {
                "id": r.id,
                "account": r.account,
                "rule": r.rule,
                "timezone": r.timezone,
                "draft": r.draft_path,
                "active": r.active,
                "next": [_iso_utc(t) for t in next_times(r, 3)],
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
@click.argument("rule_id", type=ROW_ID, metavar="RULE_ID")
def queue_stop(rule_id: int) -> None:
    """Stop a recurring rule (editions it already made stay in the queue)."""
    from composer.store import StoreError, stop_recurrence

    with _database() as db:
        try:
            stop_recurrence(db, rule_id)
        except StoreError as error:
            fail(str(error))
    click.echo(f"stopped rule {rule_id}")


def _queue_change(action: str, edition_id: int, *args: Any) -> None:
    import composer.store as store_queue
    from composer.store import StoreError

    with _database() as db:
        try:
            getattr(store_queue, action)(db, edition_id, *args)
        except StoreError as error:
            fail(str(error))


@queue.command("cancel")
@click.argument("edition_id", type=ROW_ID, metavar="ID")
def queue_cancel(edition_id: int) -> None:
    """Cancel a scheduled edition."""
    _queue_change("cancel", edition_id)
    click.echo(f"cancelled {edition_id}")


@queue.command("move")
@click.argument("edition_id", type=ROW_ID, metavar="ID")
@click.option("--at", "at", required=True, metavar="WHEN")
@click.option("--tz", "zone", metavar="ZONE", help="Default: the edition's own zone.")
def queue_move(edition_id: int, at: str, zone: str | None) -> None:
    """Move a scheduled edition to another time."""
    from datetime import UTC, datetime

    from composer.scheduling import ScheduleError, move_edition
    from composer.workspace.when import format_local

    with _database() as db:
        try:
            moved = move_edition(db, edition_id, at, now=datetime.now(UTC), zone=zone)
        except ScheduleError as error:
            fail(str(error))
    click.echo(f"moved {edition_id} to {format_local(moved.at_utc, moved.zone)}")


@queue.command("publish-now")
@click.argument("edition_id", type=ROW_ID, metavar="ID")
@click.option(
    "--wait", is_flag=True, help="If another process is publishing it, wait, then resume."
)
def queue_publish_now(edition_id: int, wait: bool) -> None:
    """Publish a scheduled edition now, from this process."""
    import asyncio

    from composer.publishing import Outcome, PublishError, preflight_edition, publish_existing
    from composer.store import (
        DatabaseFailure,
        EditionBusy,
        EditionStatus,
        Holder,
        StoreError,
        claim,
    )

    config = _config()
    if config is None:
        fail("no accounts.toml: publishing needs your accounts")
    holder = Holder.for_this_process("publish-now")

    async def publish_now(db: Database, config: Config) -> Outcome | None:
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
                    if _wait_turn(db, busy) is EditionStatus.PUBLISHED:
                        return None  # the other process published it (said on stderr)
        except BaseException:
            await client.aclose()
            raise
        return await publish_existing(db, edition_id, config, holder=holder, client=client)

    with _database() as db:
        try:
            outcome = asyncio.run(publish_now(db, config))
        except DatabaseFailure as error:  # a runtime failure, whenever it came
            raise click.ClickException(str(error)) from None
        except (PublishError, StoreError) as error:  # busy, no such edition, not scheduled...
            fail(str(error))
    if outcome is None:
        return
    if not outcome.finished:
        raise click.ClickException(f"edition {edition_id} stopped: {outcome.error}")
    click.echo(f"published edition {edition_id}: {outcome.total} posts")
    for url in outcome.urls:
        click.echo(f"  {safe(url or '')}")


WAIT_POLL = 1.0  # seconds between looks at a busy edition's claim


def _wait_turn(db: Database, busy: EditionBusy, *, as_json: bool = False) -> EditionStatus:
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


def _account_of(db: Database, busy: EditionBusy) -> str:
    from composer.store import find_edition

    return find_edition(db, busy.edition_id).account


@cli.command()
@click.option("--once", is_flag=True, help="Publish what is due, then exit (for cron/timers).")
@click.option(
    "--grace",
    default="15m",
    show_default=True,
    metavar="DURATION",
    help="Publish editions late by less than this; older ones are marked missed.",
)
@click.option(
    "--interval",
    default=1.0,
    show_default=True,
    type=FiniteFloatRange(min=0.2, max=86_400),
    help="Seconds between looks at the schedule.",
)
def daemon(once: bool, grace: str, interval: float) -> None:
    """Publish scheduled editions on time; structured logs (JSON lines) on standard error."""

    from composer.daemon import configure_logging, run_once, serve
    from composer.store import StoreError
    from composer.workspace.when import WhenError, parse_duration

    try:
        grace_span = parse_duration(grace)
    except WhenError as error:
        fail(str(error))
    config = _config()
    if config is None:
        fail("no accounts.toml: the daemon publishes to your accounts")
    configure_logging()
    with _database() as db:
        if once:
            try:
                result = run_once(db, config, grace=grace_span)
            except StoreError as error:  # the database failed before anything was claimed
                raise click.ClickException(str(error)) from None
            if not all(o.finished for o in result.outcomes):
                raise click.ClickException("not every due edition was published")
            return
        serve(db, config, interval=interval, grace=grace_span)


@cli.command()
@click.argument("query", required=False)
@click.option("--account", help="Only this account's posts.")
@click.option("--limit", type=click.IntRange(min=1, max=MAX_HISTORY), default=50, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def history(query: str | None, account: str | None, limit: int, as_json: bool) -> None:
    """Search everything ever published (all words must match), newest first without QUERY."""
    from composer.store import search

    with _database() as db:
        hits = search(db, query, account=account, limit=limit)
    if as_json:
        rows = [
            {
                "thread": h.thread_title,
                "account": h.account,
                "platform": h.platform,
                "index": h.index,
                "text": h.text,
                "url": h.url,
                "sent_at": h.sent_at.isoformat() if h.sent_at else None,
                "edition": h.edition_id,
            }
            for h in hits
        ]
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not hits:
        click.echo("nothing found" if query else "nothing published yet")
    for hit in hits:
        when = hit.sent_at.astimezone().strftime("%Y-%m-%d %H:%M") if hit.sent_at else "?"
        text = " ".join(hit.text.split())
        click.echo(f"{when}  {hit.account} #{hit.index}  {safe(hit.url or '')}")
        click.echo(f"    {safe(text[:200])}{'…' if len(text) > 200 else ''}")


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point: one clear line and exit 2 for bad input, never a traceback."""
    try:
        cli.main(args=list(argv) if argv is not None else None, standalone_mode=False)
    except click.exceptions.Exit as done:
        sys.exit(done.exit_code)
    except click.Abort:
        click.echo("aborted", err=True)
        sys.exit(EXIT_FAILURE)
    except click.UsageError as error:
        command = error.ctx.command_path if error.ctx else "thread-composer"
        message = _error_line(error.format_message())
        click.echo(f"{command}: {message} (see {command} --help)", err=True)
        sys.exit(EXIT_BAD_INPUT)
    except click.ClickException as error:
        click.echo(f"thread-composer: {_error_line(error.format_message())}", err=True)
        sys.exit(error.exit_code)
    except KeyboardInterrupt:
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(EXIT_OK)
    except Exception as error:  # a bug: still one line, and never a secret or its locals
        click.echo(
            f"thread-composer: internal error: {type(error).__name__}: {_error_line(str(error))}",
            err=True,
        )
        sys.exit(EXIT_FAILURE)
    sys.exit(EXIT_OK)


def _error_line(message: str) -> str:
    """Every error message the CLI prints, whatever it quotes (a platform's words, a file
    name, a value typed): one line, no credential, no terminal control."""
    return safe(redact(" ".join(message.split())))
