"""`history`: search everything ever published."""

from __future__ import annotations

import json

import click

from composer.cli.base import MAX_HISTORY, reading_database, safe
from composer.cli.completion import complete_accounts


@click.command()
@click.argument("query", required=False)
@click.option("--account", help="Only this account's posts.", shell_complete=complete_accounts)
@click.option("--limit", type=click.IntRange(min=1, max=MAX_HISTORY), default=50, show_default=True)
@click.option("--rank", is_flag=True, help="Best match first, not newest first.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def history(query: str | None, account: str | None, limit: int, rank: bool, as_json: bool) -> None:
    """Search everything ever published (all words must match), newest first."""
    from composer.store import search

    with reading_database() as source:
        hits = search(source, query, account=account, limit=limit, rank=rank)
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
                "status": h.status.value,
                "retracted_at": h.retracted_at.isoformat() if h.retracted_at else None,
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
        gone = "  (retracted)" if hit.retracted else ""
        click.echo(f"{when}  {safe(hit.account)} #{hit.index}  {safe(hit.url or '')}{gone}")
        click.echo(f"    {safe(text[:200])}{'…' if len(text) > 200 else ''}")
