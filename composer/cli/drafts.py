"""`draft new|list|show|edit|import`: the drafts folder by name."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
from typing import Any, Literal

import click

from composer.cli.base import fail, safe
from composer.cli.completion import complete_accounts, complete_drafts, complete_files
from composer.cli.drafting import drafts_folder, load_source, previews, resolve_draft
from composer.workspace.drafts import list_drafts, new_draft


@click.group()
def draft() -> None:
    """Create, list, show and edit drafts in the drafts folder."""


@draft.command("new")
@click.argument("title")
@click.option(
    "--account",
    "accounts",
    multiple=True,
    help="Account to publish to (repeatable).",
    shell_complete=complete_accounts,
)
def draft_new(title: str, accounts: tuple[str, ...]) -> None:
    """Create a draft titled TITLE and print its path."""
    meta: dict[str, Any] = {"accounts": list(accounts)} if accounts else {}
    try:
        path = new_draft(drafts_folder(), title, meta)
    except OSError as error:
        fail(f"cannot write the draft: {error.strerror or error}")
    click.echo(str(path))


@draft.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def draft_list(as_json: bool) -> None:
    """The drafts, newest first."""
    summaries = list_drafts(drafts_folder())
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
        click.echo(f"no drafts in {drafts_folder()}/ (create one: thread-composer draft new TITLE)")
    for s in summaries:
        when = s.modified.astimezone().strftime("%Y-%m-%d %H:%M")
        detail = f"error: {safe(s.error)}" if s.error else f"{s.characters:,} characters"
        click.echo(f"{safe(s.name):<28} {when}  {safe(s.title)[:50]:<50}  {detail}")


@draft.command("show")
@click.argument("name", shell_complete=complete_drafts)
def draft_show(name: str) -> None:
    """A draft's settings and text, and how many posts it makes on each platform."""
    path = resolve_draft(name)
    shown = load_source(str(path))
    click.echo(click.style(safe(shown.title), bold=True) + f"  ({path})")
    for key, value in shown.meta.items():
        if key != "title":
            click.echo(f"  {key} = {safe(json.dumps(value, ensure_ascii=False))}")
    counts = [f"{thread.platform} {len(thread.posts)}" for thread in previews(shown)]
    click.echo("  posts: " + ", ".join(counts))
    click.echo()
    click.echo(safe(shown.body.strip()))


@draft.command("edit")
@click.argument("name", shell_complete=complete_drafts)
def draft_edit(name: str) -> None:
    """Open a draft in $VISUAL or $EDITOR, then check it."""
    path = resolve_draft(name)
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    try:
        completed = subprocess.run([*shlex.split(editor), str(path)], check=False)
    except OSError as error:
        fail(f"cannot start the editor {editor!r}: {error.strerror or error} (set $EDITOR)")
    if completed.returncode != 0:
        raise click.ClickException(f"the editor {editor!r} exited with {completed.returncode}")
    load_source(str(path))  # report what is wrong with it now, while the author is here
    click.echo(f"saved {path}")


@draft.command("import")
@click.argument("source", metavar="FILE|URL", shell_complete=complete_files)
@click.option(
    "--title", help="The draft's title (default: the document's own, or its first heading)."
)
@click.option("--language", help="The draft's language, e.g. en, ru, kk (default: detected).")
@click.option(
    "--footnotes",
    type=click.Choice(["end", "drop"]),
    default="end",
    show_default=True,
    help='Move footnotes to the end under "Notes", or drop them.',
)
@click.option(
    "--split-languages",
    is_flag=True,
    help="One draft per language of a statement written in several (en, ru, kk...).",
)
@click.option("--dry-run", is_flag=True, help="Print the draft instead of writing it.")
def draft_import(
    source: str,
    title: str | None,
    language: str | None,
    footnotes: str,
    split_languages: bool,
    dry_run: bool,
) -> None:
    """Make a draft from a PDF, Word (.docx), OpenDocument (.odt) or HTML file, or a web
    page: its main text, cleaned of page furniture, its images saved beside it, and a line
    saying what was removed."""
    from composer.workspace.document_import import (
        LANGUAGE_PER_PART,
        draft_heading,
        import_by_language,
        import_document,
        languages_found,
        write_imported,
    )

    placement: Literal["end", "drop"] = "drop" if footnotes == "drop" else "end"
    if split_languages and language is not None:
        fail(f"--language and --split-languages go apart: {LANGUAGE_PER_PART}")
    if split_languages:
        drafts = import_by_language(source, title=title, footnotes=placement)
    else:
        drafts = [import_document(source, title=title, language=language, footnotes=placement)]
    for note in drafts[0].notes:
        click.echo(safe(note), err=True)
    several = len(drafts) > 1
    found = languages_found(drafts)
    if dry_run:
        for number, imported in enumerate(drafts, 1):
            if several:
                click.echo(safe(draft_heading(number, imported, len(drafts))))
            click.echo(safe(imported.text()), nl=False)
        if split_languages and not several:
            click.echo(found, err=True)
        click.echo(drafts[0].removed.summary(written=False), err=True)
        return
    for imported in drafts:
        try:
            path = write_imported(drafts_folder(), imported)
        except OSError as error:
            fail(f"cannot write the draft: {error.strerror or error}")
        click.echo(f"{path} ({imported.language})" if several else str(path))
    if split_languages and not several:
        click.echo(found)
    click.echo(drafts[0].removed.summary())
