"""`daemon`: publish scheduled editions on time (or `--once`, for cron and timers)."""

from __future__ import annotations

import click

from composer.cli.base import FiniteFloatRange, current_config, database, fail


@click.command()
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
    from composer.notify import check_config
    from composer.workspace.when import parse_duration

    grace_span = parse_duration(grace)
    config = current_config()
    if config is None:
        fail("no accounts.toml: the daemon publishes to your accounts")
    check_config(config)  # a bad notification URL: one line, exit 2, before anything
    configure_logging()
    with database() as db:
        if once:
            result = run_once(db, config, grace=grace_span)
            if not all(o.finished for o in result.outcomes):
                raise click.ClickException("not every due edition was published")
            return
        serve(db, config, interval=interval, grace=grace_span)
