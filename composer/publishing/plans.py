"""The single composition of a draft for its accounts, used alike by the preview's
counterpart `--dry-run`, `schedule`, `publish` and the schedule dialog: each account's
thread (EditionPlan), fitted to a Mastodon instance's own limit, a follow-up's numbering,
its images checked (files, alt text), and the refusal of a thread an account already has.

Images are uploaded by the sender before each post (Bluesky, Mastodon, X, and Threads through
the account's `media_upload_cmd`). For an account that cannot publish them (Threads without
`media_upload_cmd`), a thread with images is refused here, after its
images are checked, so nothing is ever posted without them (and no schedule waits to do
so). A recurring rule's occurrences are planned here too, when each comes due."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from composer.instances import InstanceFigures
from composer.platforms.base import PlatformError
from composer.platforms.clients import UnsupportedPlatform, image_refusal
from composer.platforms.mastodon import MastodonClient
from composer.publishing.connect import client_for
from composer.publishing.errors import PreflightError, PublishError
from composer.store import (
    Database,
    DatabaseFailure,
    DraftText,
    Edition,
    EditionStatus,
    NewEdition,
    NewMedia,
    StoreError,
    edition_options,
    followable,
    held_edition,
    last_number,
)
from composer.text import SplitError, Thread
from composer.text.display import plural
from composer.text.enrich import EnrichError
from composer.text.images import find_images
from composer.text.link_cards import LinkCard
from composer.text.numbering import UPDATE_PRESET, NumberingError
from composer.text.options import NO_OPTIONS, OptionError, PostOptions, Resolved
from composer.text.splitting import ImageLineError, Post
from composer.workspace.config import (
    DEFAULT_CONFIG_NAME,
    EXAMPLE_CONFIG_NAME,
    Account,
    Config,
    ConfigError,
)
from composer.workspace.draft_split import (
    NO_OVERRIDES,
    Overrides,
    account_overrides,
    link_cards_wanted,
    one_post_refusal,
    post_options,
    split_draft,
)
from composer.workspace.drafts import Draft
from composer.workspace.images import (
    ImageFile,
    account_figures,
    image_files,
    image_problems,
)
from composer.workspace.when import format_local


@dataclass(frozen=True, slots=True)
class FollowUp:
    """A draft published as the continuation of an edition's thread: on its account, its
    numbering continued from `first_number`, or marked as an update (`first_number` None)."""

    edition_id: int
    account: str
    first_number: int | None
    options: PostOptions = NO_OPTIONS  # the followed edition's: kept unless the draft says

    @property
    def overrides(self) -> Overrides:
        # No hook post: a continuation's first post shows that it is one.
        if self.first_number is None:
            return Overrides(
                numbering=UPDATE_PRESET, hook=False, continues=True, inherited=self.options
            )
        return Overrides(
            first_number=self.first_number, hook=False, continues=True, inherited=self.options
        )


def follow_up(
    db: Database,
    edition_id: int,
    *,
    update: bool = False,
    account_names: Sequence[str] = (),
    published: bool = False,
) -> FollowUp:
    """How a draft continues edition `edition_id`; PublishError (one line) when it cannot: an
    unknown edition, another account, an edition that will never be published, or (with
    `published`, for publishing now) one that is not published yet."""
    others = list(dict.fromkeys(account_names))
    try:
        followed = followable(db, edition_id, others[0] if len(others) == 1 else None)
    except DatabaseFailure:  # the database failing is not a bad edition id: it stays what it is
        raise
    except StoreError as error:
        raise PublishError(str(error)) from None
    if len(others) > 1:
        raise PublishError(
            f"a follow-up goes on the account of edition {edition_id} ({followed.account}) only"
        )
    if published and followed.status is not EditionStatus.PUBLISHED:
        raise PublishError(
            f"edition {edition_id} is {followed.status.value}, not published yet: schedule the "
            "follow-up instead (it waits for that edition)"
        )
    first = None if update else last_number(db, edition_id) + 1
    return FollowUp(edition_id, followed.account, first, edition_options(followed))


@dataclass(frozen=True, slots=True)
class EditionPlan:
    """One account's thread of a draft, as it will be (or would be) sent."""

    account: Account
    thread: Thread
    draft: Draft
    draft_path: str
    config: Config
    follows: FollowUp | None = None
    overrides: Overrides = NO_OVERRIDES
    media: tuple[tuple[ImageFile, ...], ...] = ()  # each post's images, checked
    # Each post's link card (`with_link_cards`; empty until then), and the pages that gave none.
    cards: tuple[LinkCard | None, ...] = ()
    card_warnings: tuple[str, ...] = ()
    options: PostOptions = NO_OPTIONS  # resolved: what the edition is sent with

    @property
    def draft_text(self) -> DraftText:
        """The draft as the edition keeps it (its own snapshot)."""
        return DraftText(self.draft.title, self.draft.body, self.draft_path, self.draft.language)

    def continuation(self) -> str:
        """ "continues edition 12 on ank-masto: 2 posts, 8/9–9/9", the marks read off the
        planned posts (the numbering is the splitter's, not worked out here)."""
        assert self.follows is not None
        posts = self.thread.posts
        marks = _mark(posts[0]) if len(posts) == 1 else f"{_mark(posts[0])}–{_mark(posts[-1])}"
        return (
            f"continues edition {self.follows.edition_id} on {self.account.name}: "
            f"{plural(len(posts), 'post')}, {marks}"
        )

    def new_edition(self, **when: Any) -> NewEdition:
        """This plan as the ledger is given it (`when`: its status, time and zone)."""
        follows = self.follows
        return NewEdition(
            account=self.account.name,
            platform=self.account.platform,
            posts=[post.text for post in self.thread.posts],
            follows_edition_id=follows.edition_id if follows else None,
            numbering_start=follows.first_number if follows else None,
            media=self.ledger_media(),
            options=self.options,
            cards=self.cards,
            **when,
        )

    def shown_options(self, *, defaults: bool = True) -> dict[str, str]:
        """The options the platform uses, as `--dry-run` shows them (without `defaults`,
        those that are not the platform's default)."""
        return Resolved(self.account.platform, self.options).shown(defaults=defaults)

    def ledger_media(self) -> list[list[NewMedia]]:
        """Each post's images as the ledger keeps them with the edition (absolute paths)."""
        return [
            [NewMedia(str(file.path.resolve()), file.image.alt) for file in files]
            for files in self.media
        ]


def with_link_cards(
    plans: Sequence[EditionPlan], *, cache: Path | None = None
) -> list[EditionPlan]:
    """Each plan with its posts' link cards, fetched now (Bluesky; unless the draft, else
    the account, says `link_card = false`): a post's first link, unless it carries images.
    A page that cannot be read is a warning in `card_warnings`, and a plain link, never a
    refusal. Blocking (network): async callers run it in a thread."""
    from composer.media.link_cards import thread_cards  # httpx: only when publishing

    done: list[EditionPlan] = []
    for plan in plans:
        if link_cards_wanted(plan.draft, plan.account.platform, plan.account):
            found = thread_cards(plan.thread, plan.account.platform, cache=cache)
            plan = replace(plan, cards=found.cards, card_warnings=found.warnings)
        done.append(plan)
    return done


def checked_media(
    draft: Draft, account: Account, thread: Thread, figures: InstanceFigures | None = None
) -> tuple[tuple[ImageFile, ...], ...]:
    """Each post's image files for `account`; PublishError naming the draft's line for a
    file that cannot be used or an alt text missing (unless not required) or too long (for
    the instance's `figures`, else those remembered, else the platform's)."""
    if not any(post.media for post in thread.posts):
        return tuple(() for _ in thread.posts)
    from composer.media.probe import probe  # Pillow, for drafts with images only

    files = image_files(draft, thread, probe)
    problems = image_problems(draft, account.platform, account, files, figures)
    if problems:
        raise PublishError(problems[0])
    return tuple(files)


def refuse_images(plans: Sequence[EditionPlan]) -> None:
    """A thread with images for an account that cannot publish them (`image_refusal`: its
    platform's client cannot upload them yet, or the account lacks `media_upload_cmd` on
    Threads) is refused: never sent, nor scheduled to be sent, without them."""
    for plan in plans:
        first = next((files[0] for files in plan.media if files), None)
        refusal = image_refusal(plan.account) if first is not None else None
        if first is not None and refusal is not None:
            raise PublishError(
                f"{plan.draft.name}:{first.image.line}: {refusal}; take the image lines out "
                "to publish the text alone"
            )


def refuse_overlong(plans: Sequence[EditionPlan]) -> None:
    """A report longer than one post on a platform whose thread is one post (LinkedIn), for
    an account that does not continue it in comments (`overflow = "refuse"`, the default),
    is refused with its length and the limit (`one_post_refusal`): never cut into posts the
    platform cannot chain, nor scheduled to be."""
    for plan in plans:
        account = plan.account
        overrides = account_overrides(account, plan.overrides)
        refusal = one_post_refusal(
            plan.draft, account.platform, plan.config, overrides, plan.thread
        )
        if refusal is not None:
            raise PublishError(f"{account.name}: {refusal}")


def plan_editions(
    draft: Draft,
    path: Path,
    config: Config | None,
    account_names: Sequence[str],
    *,
    for_real: bool = True,
    follows: FollowUp | None = None,
    options: PostOptions = NO_OPTIONS,
) -> list[EditionPlan]:
    """Each account's thread, composed exactly as the preview composes it, with its
    publishing options (`options`: the command line's or the schedule dialog's, over the
    draft's). A follow-up goes to the followed edition's account only, numbered on from it
    or marked as an update, with its options unless the draft (or `options`) says.
    Raises PublishError, whatever the reason (accounts, contacts, numbering, limits)."""
    if config is None:
        raise PublishError(f"no {DEFAULT_CONFIG_NAME}: publishing needs your accounts")
    if for_real and config.path is not None and config.path.name == EXAMPLE_CONFIG_NAME:
        raise PublishError(
            f"{EXAMPLE_CONFIG_NAME} holds example accounts: copy it to {DEFAULT_CONFIG_NAME} "
            "and fill in yours to publish (use --dry-run to see what would be sent)"
        )
    names = _account_names(draft, account_names, follows)
    if not names:
        raise PublishError(
            "no account to publish to: give --account NAME or list accounts in the draft"
        )
    plans: list[EditionPlan] = []
    for name in names:
        try:
            account = config.account(name)
            overrides = follows.overrides if follows is not None else NO_OVERRIDES
            overrides = replace(overrides, options=options)
            own = account_overrides(account, overrides)
            thread = split_draft(draft, account.platform, config, own)
            resolved = post_options(draft, account.platform, own)
        except ImageLineError as error:
            raise PublishError(f"{error}{_unknown_instance(account)}") from error
        except (ConfigError, SplitError, NumberingError, EnrichError, OptionError) as error:
            # One error type for every front end: an unknown account, a contact, a
            # numbering or a limit that cannot work is a plan that cannot be made.
            raise PublishError(str(error)) from error
        if not thread.posts:
            raise PublishError(f"{path}: the draft has no text to publish")
        media = checked_media(draft, account, thread)
        plans.append(
            EditionPlan(
                account,
                thread,
                draft,
                str(path.resolve()),
                config,
                follows,
                overrides,
                media,
                options=resolved.options,
            )
        )
    refuse_images(plans)
    refuse_overlong(plans)
    return plans


def _account_names(
    draft: Draft, account_names: Sequence[str], follows: FollowUp | None
) -> list[str]:
    """The accounts a draft is planned for: a follow-up's own, else those given, else the
    draft's."""
    if follows is not None:
        return [follows.account]
    return list(dict.fromkeys(account_names or draft.accounts))


def _unknown_instance(account: Account) -> str:
    """What to add to a refusal on the platform's figures where a Mastodon instance's own
    are not known yet (they may be larger), and how to have it asked."""
    if account.platform != "mastodon" or account_figures(account) is not None:
        return ""
    return (
        f" (Mastodon's default, until {account.name}'s own instance is reached: "
        "`publish --dry-run` or the accounts screen (f5) asks it)"
    )


async def ask_new_instances(
    draft: Draft,
    config: Config | None,
    account_names: Sequence[str],
    *,
    follows: FollowUp | None = None,
) -> None:
    """Before `plan_editions`: each Mastodon instance of a draft with images whose figures
    are not remembered yet is asked for them (`/api/v2/instance` with the account's token,
    remembered by the client: `composer.instances`), so a first publish checks the images
    against the instance's own figures, not Mastodon's defaults. An instance that cannot be
    asked (unreachable, no token) keeps the defaults: the planning's refusal, if any, says so."""
    if config is None or not find_images(draft.body).images:
        return
    if config.path is not None and config.path.name == EXAMPLE_CONFIG_NAME:
        return  # example accounts are nobody's: their instances are never asked
    accounts = [config.accounts.get(name) for name in _account_names(draft, account_names, follows)]
    unknown = {
        account.api_url: account
        for account in accounts
        if account is not None
        and account.platform == "mastodon"
        and account_figures(account) is None
    }
    await asyncio.gather(*(_ask_instance(account) for account in unknown.values()))


async def _ask_instance(account: Account) -> None:
    try:
        client = client_for(account)
    except (ConfigError, UnsupportedPlatform, OSError):  # e.g. its token is not set
        return
    try:
        if isinstance(client, MastodonClient):
            await client.instance_limits()  # remembers the figures
    except (PlatformError, ConfigError, OSError):
        pass  # the defaults stand
    finally:
        await client.aclose()


async def ready_to_send(plans: Sequence[EditionPlan]) -> list[EditionPlan]:
    """What publishing now does between planning and sending, for every front end: each
    Mastodon thread fitted to its instance, then each link card fetched (off the event
    loop), once: what is shown and confirmed is what the ledger keeps and sends."""
    fitted = await fit_to_instances(plans)
    return await asyncio.to_thread(with_link_cards, fitted)


async def fit_to_instances(plans: Sequence[EditionPlan]) -> list[EditionPlan]:
    """Mastodon threads recomposed for the instance's own limit and media figures, read from
    the instance (an account's `max_characters` wins; an instance that cannot be asked keeps
    500 and the figures remembered, else the platform's)."""
    fitted: list[EditionPlan] = []
    for plan in plans:
        images = any(post.media for post in plan.thread.posts)
        if plan.account.platform == "mastodon" and (not plan.account.max_characters or images):
            client = client_for(plan.account)
            try:
                info = await client.verify()
            except PlatformError:
                info = None  # publishing will say what is wrong with the account
            finally:
                await client.aclose()
            limit = info.max_characters if info else None
            # What the instance said just now (also remembered: `composer.instances`).
            figures: InstanceFigures | None = getattr(client, "instance_figures", None)
            if (limit and limit != plan.thread.limit) or (images and figures is not None):
                limit = limit or plan.thread.limit
                overrides = account_overrides(
                    plan.account, replace(plan.overrides, limit=limit), figures
                )
                try:
                    thread = split_draft(plan.draft, "mastodon", plan.config, overrides)
                except (SplitError, NumberingError, EnrichError) as error:
                    taken = overrides.images_per_post
                    most = f" and {taken} images" if images and taken else ""
                    raise PreflightError(
                        f"{plan.account.name}: the instance allows {limit} characters{most} "
                        f"a post: {error}"
                    ) from None
                media = checked_media(plan.draft, plan.account, thread, figures)
                plan = replace(plan, thread=thread, media=media)
        fitted.append(plan)
    return fitted


PUBLISH_AGAIN = "use --again to publish it once more"


def check_not_published(
    db: Database, plans: Sequence[EditionPlan], *, again_hint: str = PUBLISH_AGAIN
) -> None:
    """Refuse to publish a thread an account already has (`held_edition`: scheduled or
    published; one being published is resumed instead), unless asked to again."""
    with db.read_session() as session:
        for plan in plans:
            texts = [p.text for p in plan.thread.posts]
            held = held_edition(session, plan.draft_path, plan.account.name, texts, resuming=True)
            if held is not None:
                raise PublishError(f"{already_has(plan.account.name, held)}; {again_hint}")


def already_has(account: str, edition: Edition) -> str:
    """ "ank-x already has this thread (edition 5, scheduled for 2026-12-24 09:00 ...)": what
    `publish`, `schedule` and the schedule dialog say of a thread an account has."""
    if edition.status is EditionStatus.SCHEDULED and edition.scheduled_at is not None:
        state = f"scheduled for {format_local(edition.scheduled_at, edition.timezone or 'UTC')}"
        if edition.scheduled_at < datetime.now(UTC):
            state += ", overdue: no daemon has sent it"
    elif edition.status is EditionStatus.PUBLISHED:
        state = f"published {edition.updated_at.astimezone().strftime('%Y-%m-%d %H:%M')}"
    else:
        state = f"{edition.status.value} now"
    return f"{account} already has this thread (edition {edition.id}, {state})"


def _mark(post: Post) -> str:
    """The number or UPDATE mark a post carries: its text without its body and extras."""
    mark = post.text
    for part in (post.body, post.extras):
        if part:
            mark = mark.replace(part, " ", 1)
    mark = " ".join(mark.split()).strip(" :")
    return mark[:20] or post.text[:20]
