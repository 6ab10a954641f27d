"""The live preview: a draft's thread on each of its platforms, as cards.

`build_preview` runs in a worker thread: it parses the draft and splits it with
`composer.workspace.draft_split.split_draft`, the code publishing uses, so what the preview shows is
what will be published. `PreviewPane` only shows the result.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Static, Tab, Tabs

from composer.media.probe import probe
from composer.text import Post, SplitError, Thread, UnknownPlatformError
from composer.text.display import terminal_safe
from composer.text.enrich import EnrichError
from composer.text.entities import extract_entities
from composer.text.numbering import NumberingError
from composer.text.platform_facts import FACTS
from composer.tui.thumbnails import PictureWidget, ThumbnailCache, Thumbnails
from composer.workspace.config import Config, ConfigError
from composer.workspace.draft_split import (
    draft_account,
    draft_overrides,
    platforms_for,
    post_options,
    split_draft,
)
from composer.workspace.drafts import Draft, DraftError, parse_draft
from composer.workspace.images import (
    ImageFile,
    image_files,
    image_problems,
)

ENTITY_STYLES = {
    "url": "underline #5fafff",
    "mention": "bold #5fd7af",
    "list": "bold #5fd7af",
    "hashtag": "bold #d787ff",
    "cashtag": "bold #d787ff",
}


@dataclass(frozen=True, slots=True)
class PlatformPreview:
    """One platform's thread, or why it cannot be split."""

    platform: str
    thread: Thread | None = None
    error: str | None = None
    media: tuple[tuple[ImageFile, ...], ...] = ()  # each post's images (empty: none)
    # The per-network settings it is sent with, those not the platform's default.
    settings: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Preview:
    """What the text in the editor makes: a draft and its threads, or the draft's error."""

    draft: Draft | None
    platforms: list[PlatformPreview] = field(default_factory=list)
    error: str | None = None  # the front matter's error: the last good preview is kept


def label_of(platform: str) -> str:
    """How the platform writes its own name (the name itself for one we do not know)."""
    facts = FACTS.get(platform)
    return facts.label if facts else platform


def platform_preview(draft: Draft, platform: str, config: Config | None) -> PlatformPreview:
    """`draft` split for `platform` as it would be published (an account's own limit and
    its instance's remembered figures included), or why it cannot be."""
    overrides = draft_overrides(draft, platform, config)
    try:
        thread = split_draft(draft, platform, config, overrides)
    except (UnknownPlatformError, NumberingError, SplitError, EnrichError, ConfigError) as error:
        return PlatformPreview(platform, error=str(error))
    settings = tuple(post_options(draft, platform, overrides).shown(defaults=False).items())
    if not any(post.media for post in thread.posts):
        return PlatformPreview(platform, thread, settings=settings)
    # Each image's file and alt text, checked as publishing checks them: warnings here.
    files = image_files(draft, thread, probe)
    account = draft_account(draft, platform, config)
    thread.warnings.extend(image_problems(draft, platform, account, files))
    return PlatformPreview(platform, thread, media=tuple(files), settings=settings)


def build_preview(text: str, name: str, config: Config | None) -> Preview:
    """Parse `text` (the editor's) and split it for each of its platforms."""
    try:
        draft = parse_draft(text, name)
    except DraftError as error:
        return Preview(None, error=str(error))
    platforms = platforms_for(draft, config)
    return Preview(draft, [platform_preview(draft, p, config) for p in platforms])


def highlighted(text: str) -> Text:
    """A post's text with its mentions, hashtags and links coloured; control characters are
    shown as escapes (entity offsets are taken before, so they stay right)."""
    result = Text()
    position = 0
    for entity in extract_entities(text):
        style = ENTITY_STYLES.get(entity.kind)
        if style is None or entity.start < position:
            continue
        result.append(terminal_safe(text[position : entity.start]))
        result.append(terminal_safe(entity.text), style=style)
        position = entity.end
    result.append(terminal_safe(text[position:]))
    return result


def summary_of(preview: PlatformPreview) -> Text:
    """A platform's summary line, the split's note and its warnings (or its error)."""
    label = label_of(preview.platform)
    thread = preview.thread
    if thread is None:
        return Text(f"{label}: {terminal_safe(preview.error or '')}", style="bold #ff5f5f")
    total = len(thread.posts)
    lines = Text(f"{label} · {total} post{'s' if total != 1 else ''} · {thread.limit}")
    lines.stylize("bold")
    if thread.note:
        lines.append("\n" + terminal_safe(thread.note), style="dim")
    if preview.settings:
        sent = ", ".join(f"{key} {value}" for key, value in preview.settings)
        lines.append("\nsent with " + terminal_safe(sent), style="dim")
    for warning in thread.warnings:
        lines.append(f"\n⚠ {terminal_safe(warning)}", style="bold #ffaf00")
    return lines


CardKey = tuple[str, int, int, int, int, tuple[str, ...]]


ALT_START = 40  # characters of an image's alt text shown after its chip


def chips(files: tuple[ImageFile, ...]) -> Text:
    """A post's images, one chip a line: "[image: akimat.jpg 4032x3024, alt 78 chars]" and
    the start of its alt text, with a warning sign and colour when its file or its alt text
    is missing."""
    lines = Text()
    for file in files:
        bad = bool(file.problem or not file.image.alt)
        lines.append("\n")
        lines.append(
            ("⚠ " if bad else "") + terminal_safe(file.chip),
            style="bold #ffaf00" if bad else "#87afd7",
        )
        alt = file.image.alt
        if alt:
            start = alt if len(alt) <= ALT_START else alt[: ALT_START - 1].rstrip() + "…"
            lines.append(" " + terminal_safe(start), style="dim italic")
    return lines


class PostCard(Static):
    """One post: its text with entities coloured, "i/n" on the border and its length
    against the limit."""

    DEFAULT_CSS: ClassVar[str] = """
    PostCard {
        border: round $primary-darken-1; border-title-align: left;
        border-subtitle-align: right; padding: 0 1; height: auto;
    }
    PostCard.-over { border: round $error; }
    """

    def __init__(self) -> None:
        super().__init__(markup=False)
        self.key: CardKey | None = None
        self.thumbnails: Thumbnails | None = None  # the row of pictures under it, if any

    def show(self, post: Post, total: int, limit: int, media: tuple[ImageFile, ...] = ()) -> None:
        key = (post.text, post.index, total, post.length, limit, tuple(f.chip for f in media))
        if key == self.key:
            return  # unchanged: Textual keeps its rendering
        self.key = key
        self.border_title = f"{post.index}/{total}"
        self.border_subtitle = f"{post.length}/{limit}"
        self.set_class(post.length > limit, "-over")
        self.update(highlighted(post.text) + chips(media) if media else highlighted(post.text))


class PreviewPane(Vertical):
    """A tab per platform over the selected platform's cards, each with its images'
    thumbnails under it when `pictures` draws them (the terminal can)."""

    DEFAULT_CSS: ClassVar[str] = """
    PreviewPane { height: 1fr; }
    PreviewPane > #preview-error { display: none; color: $error; height: auto; }
    PreviewPane.-error > #preview-error { display: block; }
    PreviewPane > VerticalScroll { height: 1fr; }
    PreviewPane #cards { height: auto; }
    PreviewPane #summary { height: auto; }
    """

    def __init__(self, *, id: str | None = None, pictures: PictureWidget | None = None) -> None:
        super().__init__(id=id)
        self.previews: dict[str, PlatformPreview] = {}
        self.error: str | None = None
        self.pictures = pictures
        self.thumbnail_cache = ThumbnailCache()

    def compose(self) -> ComposeResult:
        yield Tabs(id="platforms")
        yield Static(id="preview-error", markup=False)
        with VerticalScroll(id="cards-scroll"):
            yield Static(id="summary", markup=False)
            yield Vertical(id="cards")

    @property
    def platform(self) -> str | None:
        active = self.query_one(Tabs).active
        return active.removeprefix("tab-") if active else None

    async def show(self, preview: Preview) -> None:
        """Show `preview`; on a draft error, show the error and keep the last good cards."""
        self.error = preview.error
        error_line = self.query_one("#preview-error", Static)
        error_line.update(f"⚠ {terminal_safe(preview.error)}" if preview.error else "")
        self.set_class(preview.error is not None, "-error")
        if preview.error is not None:
            return
        tabs = self.query_one(Tabs)
        wanted = [p.platform for p in preview.platforms]
        if wanted != list(self.previews):
            current = self.platform
            self.previews = {}
            await tabs.clear()
            for name in wanted:
                await tabs.add_tab(Tab(label_of(name), id=f"tab-{name}"))
            if current in wanted:
                tabs.active = f"tab-{current}"
        self.previews = {p.platform: p for p in preview.platforms}
        await self._show_cards()

    async def on_tabs_tab_activated(self, event: Tabs.TabActivated) -> None:
        event.stop()
        await self._show_cards()

    async def _show_cards(self) -> None:
        """Show the active platform's posts, updating only the cards whose post changed (so
        a keystroke re-renders one or two cards, not the whole thread)."""
        shown = self.previews.get(self.platform or "")
        summary = self.query_one("#summary", Static)
        cards = self.query_one("#cards", Vertical)
        summary.update(summary_of(shown) if shown else "")
        thread = shown.thread if shown else None
        posts = thread.posts if thread else []
        existing = list(cards.query_children(PostCard))
        if len(existing) > len(posts):
            gone = existing[len(posts) :]
            await cards.remove_children(gone + [c.thumbnails for c in gone if c.thumbnails])
        elif len(existing) < len(posts):
            added = [PostCard() for _ in range(len(posts) - len(existing))]
            await cards.mount_all(added)
            existing += added
        if thread is not None and shown is not None:
            media = shown.media or tuple(() for _ in posts)
            for card, post, files in zip(existing, posts, media, strict=False):
                card.show(post, len(posts), thread.limit, files)
                await self._show_thumbnails(cards, card, files)

    async def _show_thumbnails(
        self, cards: Vertical, card: PostCard, files: tuple[ImageFile, ...]
    ) -> None:
        """The pictures of `card`'s images in the row under it (made when first needed)."""
        if self.pictures is None:
            return
        if card.thumbnails is None:
            if not files:
                return
            card.thumbnails = Thumbnails(self.thumbnail_cache, self.pictures)
            await cards.mount(card.thumbnails, after=card)
        card.thumbnails.show(files)
