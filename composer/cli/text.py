"""`split`, `count`, and the bare `thread-composer [DRAFT]`: the composer on a terminal, the
split preview when piped. Imports click and the pure text layer only (these start fast)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from composer.cli.base import MAX_POST_LIMIT, current_config, fail, safe
from composer.cli.completion import complete_contacts, complete_files
from composer.cli.drafting import (
    cli_post_options,
    images_of,
    load_source,
    options_line,
    platform_option,
    post_option_flags,
    preview_options,
    previews,
    print_thread,
    resolve_in,
    split_for,
)
from composer.text import MODES, Thread
from composer.text import count as count_text
from composer.text.enrich import MENTION_PLACEMENTS, TAG_PLACEMENTS
from composer.text.images import find_images
from composer.text.options import NO_OPTIONS
from composer.workspace.draft_split import (
    Overrides,
    draft_account,
    find_config,
    link_cards_wanted,
    post_options,
)
from composer.workspace.drafts import Draft, read_text
from composer.workspace.images import file_problems, image_problems

if TYPE_CHECKING:
    from composer.text.link_cards import LinkCard


def compose_or_preview(ctx: click.Context, draft_path: str | None) -> None:
    """No command: the composer on a terminal; piped, the draft split for each platform."""
    options = ctx.obj
    if sys.stdin.isatty() and sys.stdout.isatty():
        open_composer(draft_path, options["config"], options["db"], Path(options["drafts"]))
        return
    if draft_path is None:
        click.echo("note: not a terminal, so the composer does not open", err=True)
        click.echo(ctx.get_help())
        return
    draft = load_source(draft_path)  # bad input stays one line on stderr
    click.echo("note: not a terminal, so the composer does not open: the split preview", err=True)
    for number, thread in enumerate(previews(draft)):
        if number:
            click.echo()
        print_thread(thread, images_of(draft, thread))
        shown = preview_options(draft, thread.platform)
        if shown:
            click.echo(options_line(shown))


def open_composer(
    draft_path: str | None, config: str | None, db: str | None, drafts_dir: Path
) -> None:
    """The TUI (imported only here, so other commands never pay for Textual)."""
    path = None
    if draft_path is not None:
        path = resolve_in(drafts_dir, draft_path)
        read_text(str(path))  # a draft with broken front matter opens; binary junk does not
    if config is not None:
        find_config(config)
    from composer.tui import Services, make_app, picture_widget

    pictures = picture_widget()  # asks the terminal, which it cannot once the app runs
    services = Services(drafts_dir=drafts_dir, config_path=config, db_url=db, link_cards=True)
    app = make_app(services, path, pictures)
    app.run()
    if app.return_code:  # a crash: its report is printed, and the exit says so
        raise click.exceptions.Exit(app.return_code)


@click.command()
@click.argument("source", metavar="PATH|-", shell_complete=complete_files)
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
    shell_complete=complete_contacts,
    help="A contact of the accounts file, or a handle (repeatable; replaces the draft's).",
)
@click.option("--mention-placement", type=click.Choice(MENTION_PLACEMENTS), help="Default: first.")
@click.option("--tag", "tags", multiple=True, help="A hashtag to append (repeatable).")
@click.option("--tag-placement", type=click.Choice(TAG_PLACEMENTS), help="Default: last.")
@click.option(
    "--no-link-card", is_flag=True, help="Bluesky: fetch no page for a link card (offline)."
)
@post_option_flags
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
    no_link_card: bool,
    as_json: bool,
) -> None:
    """Split a report or draft into numbered posts that fit PLATFORM, with the draft's
    mentions and hashtags."""
    draft = load_source(source)
    platform = platform.lower()
    account = draft_account(draft, platform, current_config())
    overrides = Overrides(
        numbering=numbering,
        limit=limit,
        hook=hook,
        mode=mode,
        mentions=mentions or None,
        mention_placement=mention_placement,
        tags=tags or None,
        tag_placement=tag_placement,
        options=cli_post_options(),
        account_options=account.post_options if account is not None else NO_OPTIONS,
    )
    thread = split_for(draft, platform, overrides)
    resolved = post_options(draft, platform, overrides)
    if not thread.posts:
        fail(f"{source}: nothing to split")
    media = images_of(draft, thread)
    if media is not None:
        # A file that cannot be read has no size to show: bad input, naming its line. A
        # missing or long alt text only stops publishing: here it is a warning.
        missing = file_problems(draft, media)
        if missing:
            fail(safe(missing[0]))
        # No account here: the draft's alt_text_required decides, else alt text is required.
        thread.warnings.extend(image_problems(draft, thread.platform, None, media))
    cards = () if no_link_card else link_cards_of(draft, thread)
    if as_json:
        payload: dict[str, Any] = thread.to_dict()
        if media is not None:
            for post, files in zip(payload["posts"], media, strict=True):
                post["media"] = [file.to_dict() for file in files]
        for post, card in zip(payload["posts"], cards, strict=False):
            if card is not None:
                post["link_card"] = card.to_dict()
        payload["note"] = thread.note
        payload["warnings"] = thread.warnings
        payload["options"] = resolved.shown()
        import json  # here, as in `count`: only --json needs it

        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    print_thread(thread, media, cards)
    shown = resolved.shown(defaults=False)  # what is not the platform's default
    if shown:
        click.echo(options_line(shown))


def link_cards_of(draft: Draft, thread: Thread) -> tuple[LinkCard | None, ...]:
    """Each post's link card on a platform that takes one made here (Bluesky), unless the
    draft says `link_card = false`; a page that gives none adds a warning to the thread.
    The fetcher (httpx) is imported only when some post has a link to fetch."""
    if not link_cards_wanted(draft, thread.platform):
        return ()
    texts = [post.text for post in thread.posts]
    from composer.text.link_cards import card_links  # only where cards are made here

    if not any(card_links(texts, [bool(post.media) for post in thread.posts])):
        return ()
    from composer.media.link_cards import thread_cards

    found = thread_cards(thread, thread.platform)
    thread.warnings.extend(found.warnings)
    return found.cards


@click.command()
@click.argument("source", metavar="PATH|-", shell_complete=complete_files)
@platform_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def count(source: str, platform: str, as_json: bool) -> None:
    """Length of a text as ONE post, as PLATFORM counts it."""
    from composer.text import platform as rules_for

    draft = load_source(source)
    # Image lines are not post text: they are not counted (as split does not count them).
    body = find_images(draft.body.replace("\r\n", "\n")).text.strip()
    rules = rules_for(platform)
    length = count_text(body, platform)
    if as_json:
        import json

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
