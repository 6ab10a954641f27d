"""`retract`: take a published (or partly published) edition back, deleting its posts on
its platform, last post first, after asking (naming the account, platform and number of
posts) unless `--yes`. The ledger keeps the record of what was sent."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING

import click

from composer.cli.base import (
    EXIT_INTERRUPTED,
    ROW_ID,
    current_config,
    database,
    fail,
    safe,
    store_input,
)
from composer.cli.completion import complete_retractable

if TYPE_CHECKING:
    from composer.publishing import RetractResult


@click.command()
@click.argument("edition_id", type=ROW_ID, metavar="ID", shell_complete=complete_retractable)
@click.option("--yes", is_flag=True, help="Do not ask first.")
@click.option(
    "--with-follow-ups", is_flag=True, help="Also take back the follow-ups that continue it."
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def retract(edition_id: int, yes: bool, with_follow_ups: bool, as_json: bool) -> None:
    """Delete an edition's posts on its platform (last first); history keeps the record."""
    import asyncio

    from composer.cli.interrupt import CtrlC
    from composer.publishing import retract as take_back
    from composer.publishing import retract_plan
    from composer.store import Holder

    with database() as db:
        with store_input():  # no such edition, never published, cancelled, busy
            plan = retract_plan(db, edition_id, with_follow_ups=with_follow_ups)
        if not plan.targets:
            _print([], as_json, nothing=f"nothing to retract: edition {edition_id} is retracted")
            return
        config = current_config()
        if config is None:
            fail("no accounts.toml: retracting needs your accounts")
        if note := plan.note():
            click.echo(f"warning: {safe(note)}", err=True)
        if plan.posts and not yes:
            if not (sys.stdin.isatty() and sys.stdout.isatty()):
                fail("retract asks before deleting: run it on a terminal, or add --yes")
            if not click.confirm(safe(plan.question()), default=False):
                click.echo("nothing retracted")
                return
        ctrl_c = CtrlC(notice=sys.stderr.isatty())
        holder = Holder.for_this_process("retract")
        with store_input():  # taken meanwhile by another process
            work = take_back(db, plan, config, holder=holder, sleep=ctrl_c.sleep)
            results = asyncio.run(ctrl_c.run(work))
        if results is None or (ctrl_c.stopping.is_set() and not results[-1].finished):
            still = retract_plan(db, edition_id, with_follow_ups=with_follow_ups).posts
            click.echo(
                f"interrupted: {plan.posts - still} of {plan.posts} posts retracted; run the "
                "same command again to go on",
                err=True,
            )
            sys.exit(EXIT_INTERRUPTED)
    assert results is not None
    _print(results, as_json)
    last = results[-1]
    if not last.finished:
        up = f"; still up: {' '.join(last.still_up)}" if last.still_up else ""
        raise click.ClickException(
            f"edition {last.edition_id} stopped after {last.retracted} of {last.total} posts "
            f"retracted: {last.error}{up}; run the same command again to go on"
        )


def _print(results: list[RetractResult], as_json: bool, *, nothing: str | None = None) -> None:
    if as_json:
        rows = [
            {
                "edition": r.edition_id,
                "account": r.account,
                "status": r.status.value,
                "retracted": r.retracted,
                "posts": r.total,
                "deleted_now": r.deleted,
                "error": r.error,
                "still_up": list(r.still_up),
            }
            for r in results
        ]
        click.echo(json.dumps({"editions": rows}, ensure_ascii=False, indent=2))
        return
    if nothing is not None:
        click.echo(nothing)
    for r in results:
        if r.finished:
            click.echo(
                f"retracted edition {r.edition_id} on {safe(r.account)}: {r.total} posts taken "
                f"back ({r.deleted} deleted now)"
            )
