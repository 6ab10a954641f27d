"""`check` (for cron and monitoring: is anything failed, overdue, stopped, or no daemon
running?) and `notify test` (a test message to every configured notification URL)."""

from __future__ import annotations

import json

import click

from composer.cli.base import current_config, database, fail


@click.command()
@click.option(
    "--max-silence",
    default="1h",
    show_default=True,
    metavar="DURATION",
    help="Report a problem when no daemon was seen for this long.",
)
@click.option("--notify", "send", is_flag=True, help="Also notify the problems (each once).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def check(max_silence: str, send: bool, as_json: bool) -> None:
    """Exit 0 if nothing failed, stopped or is overdue and a daemon runs; else exit 1 and
    one line per problem."""
    from datetime import UTC, datetime

    from composer.notify.health import notify_problems, problems
    from composer.workspace.when import parse_duration

    silence = parse_duration(max_silence)
    config = current_config()
    if send:
        if config is None or not config.all_notify():
            fail("--notify: no [notify] table with urls in the accounts file")
        from composer.notify import check_config

        check_config(config)
    now = datetime.now(UTC)
    with database() as db:
        found = problems(db, now, max_silence=silence)
        if send and config is not None:
            notify_problems(db, config, now, found)
    if as_json:
        rows = [{"kind": p.kind, "edition": p.edition_id, "text": p.text} for p in found]
        click.echo(json.dumps({"ok": not found, "problems": rows}, ensure_ascii=False))
    else:
        for problem in found:
            click.echo(f"{problem.kind}: {problem.text}")
    if found:
        raise SystemExit(1)


@click.group()
def notify() -> None:
    """Failure notifications (the [notify] table of the accounts file)."""


@notify.command("test")
def notify_test() -> None:
    """Send a test message to every configured notification URL; one line each."""
    from composer.notify import send_trial

    results = send_trial(current_config())
    for result in results:
        if result.ok:
            click.echo(f"ok      {result.shown}")
        else:
            click.echo(f"FAILED  {result.shown}: {result.error}")
    if not all(result.ok for result in results):
        raise SystemExit(1)
