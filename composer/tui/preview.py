"""The live preview: a draft's thread on each of its platforms, as cards.

What a preview holds and how it is made (`build_preview`, `platform_preview`: the code
publishing uses, so what the preview shows is what will be published) is in
`preview_work.py`, which runs in a worker thread or a process of its own. `PreviewPane` only
shows the result.
"""

from __future__ import annotations

import time
from typing import ClassVar, cast

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.css.styles import RulesMap
from textual.message import Message
from textual.visual import VisualType, visualize
from textual.widgets import Static, Tab, Tabs

from composer.media.link_cards import FAILURE_MEMORY, LinkCardError, fetch_card
from composer.text import Post, Thread
from composer.text.display import plural, terminal_safe
from composer.text.entities import extract_entities
from composer.text.link_cards import LinkCard
from composer.text.platform_facts import FACTS
from composer.tui.cursor import PostLocator
from composer.tui.preview_work import PlatformPreview, Preview
from composer.tui.thumbnails import PictureWidget, ThumbnailCache, Thumbnails
from composer.workspace.images import (
    ImageFile,
)

ENTITY_STYLES = {
    "url": "underline #5fafff",
    "mention": "bold #5fd7af",
    "list": "bold #5fd7af",
    "hashtag": "bold #d787ff",
    "cashtag": "bold #d787ff",
}


def label_of(platform: str) -> str:
    """How the platform writes its own name (the name itself for one we do not know)."""
    facts = FACTS.get(platform)
    return facts.label if facts else platform


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


CardKey = tuple[str, int, int, int, int, tuple[str, ...], str]


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
    PostCard.-current { border: heavy $accent; }
    PostCard.-current.-over { border: heavy $error; }
    """

    def __init__(self) -> None:
        super().__init__(markup=False)
        self.key: CardKey | None = None
        self.thumbnails: Thumbnails | None = None  # the row of pictures under it, if any

    def show(
        self,
        post: Post,
        total: int,
        limit: int,
        media: tuple[ImageFile, ...] = (),
        link_card: Text | None = None,
    ) -> None:
        chips_shown = tuple(f.chip for f in media)
        card_shown = link_card.plain if link_card is not None else ""
        key = (post.text, post.index, total, post.length, limit, chips_shown, card_shown)
        if key == self.key:
            return  # unchanged: Textual keeps its rendering
        self.key = key
        self.border_title = f"{post.index}/{total}"
        self.border_subtitle = f"{post.length}/{limit}"
        self.set_class(post.length > limit, "-over")
        shown = highlighted(post.text) + chips(media) if media else highlighted(post.text)
        self.update_content(shown + link_card if link_card is not None else shown)

    def update_content(self, content: VisualType) -> None:
        """Show `content`, laying the screen out again only when the card's height changes:
        a keystroke mostly changes a post's text within its lines, and a layout of the
        whole screen (every card) costs more than the repaint of one."""
        width = self.content_size.width
        if not width:  # not laid out yet: its height is not known
            self.update(content)
            return
        rules = cast("RulesMap", self.styles)  # as Textual's own get_content_height passes it
        before = self.visual.get_height(rules, width)
        after = visualize(self, content, markup=False).get_height(rules, width)
        self.update(content, layout=after != before)


def update_if_changed(widget: Static, content: str | Text) -> None:
    """`widget` shows `content`, left alone when it already does: each update lays the
    whole screen out again, and most previews leave the summary and error lines as they were."""
    old = widget.content
    same_style = (
        not isinstance(old, Text) or not isinstance(content, Text) or old.style == content.style
    )
    if content != old or not same_style:  # Text's == compares the text and spans alone
        widget.update(content)


def card_line(found: LinkCard | LinkCardError | None) -> Text:
    """The line under a post with a link card: "🔗 title — domain", the warning of a page
    that gave none, or that it is being fetched (remote text made terminal-safe)."""
    if found is None:
        return Text("\n🔗 fetching the link's card…", style="dim")
    if isinstance(found, LinkCardError):
        return Text(f"\n⚠ {terminal_safe(str(found))}: a plain link", style="bold #ffaf00")
    return Text(f"\n🔗 {terminal_safe(found.summary)}", style="#87afd7")


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

    class PlatformShown(Message):
        """Another platform's cards are shown (the post the cursor is in may differ)."""

    def __init__(
        self,
        *,
        id: str | None = None,
        pictures: PictureWidget | None = None,
        link_cards: bool = False,
    ) -> None:
        super().__init__(id=id)
        self.previews: dict[str, PlatformPreview] = {}
        self.error: str | None = None
        self.pictures = pictures
        self.thumbnail_cache = ThumbnailCache()
        self._locator: PostLocator | None = None  # of the shown thread, made when first asked
        self._highlighted: int | None = None  # the post number of the highlighted card
        # Link cards are fetched (`link_cards`) in worker threads, each page once a session
        # (then from the media cache): a link's card or why it has none.
        self.link_cards = link_cards
        self.cards_found: dict[tuple[str, str], LinkCard | LinkCardError] = {}
        self._fetching: set[tuple[str, str]] = set()
        self._failed_at: dict[tuple[str, str], float] = {}

    @property
    def shown_thread(self) -> Thread | None:
        shown = self.previews.get(self.platform or "")
        return shown.thread if shown else None

    @property
    def post_count(self) -> int:
        thread = self.shown_thread
        return len(thread.posts) if thread else 0

    @property
    def limit(self) -> int:
        thread = self.shown_thread
        return thread.limit if thread else 0

    def post_at(self, body: str, offset: int) -> Post | None:
        """The shown thread's post at `offset` of the draft's body (None: no thread)."""
        locator = self._located(body)
        return locator.post_at(offset) if locator is not None else None

    def post_starts(self, body: str) -> list[tuple[int, int]]:
        """(body offset, post number) where each post of the shown thread begins."""
        locator = self._located(body)
        return locator.starts() if locator is not None else []

    def _located(self, body: str) -> PostLocator | None:
        thread = self.shown_thread
        if thread is None:
            return None
        if self._locator is None or self._locator.thread is not thread:
            self._locator = PostLocator.of(thread, body)
        return self._locator

    @property
    def current_post(self) -> Post | None:
        """The post whose card is highlighted (the cursor's)."""
        thread = self.shown_thread
        if thread is None or self._highlighted is None:
            return None
        return next((p for p in thread.posts if p.index == self._highlighted), None)

    @property
    def platform_label(self) -> str:
        return label_of(self.platform or "")

    def copy_post(self) -> None:
        """The cursor's post, as the platform on screen gets it, to the clipboard."""
        post = self.current_post
        if post is None:
            self.notify("No post here to copy", severity="warning")
            return
        self.app.copy_to_clipboard(post.text)
        self.notify(f"Copied post {post.index}/{self.post_count} for {self.platform_label}")

    def copy_thread(self) -> None:
        """Every post for the platform on screen, one after another, to the clipboard."""
        thread = self.shown_thread
        if thread is None or not thread.posts:
            self.notify("No thread to copy", severity="warning")
            return
        self.app.copy_to_clipboard("\n\n".join(post.text for post in thread.posts))
        self.notify(f"Copied the thread for {self.platform_label} ({plural(len(thread), 'post')})")

    def step_platform(self, step: int) -> None:
        """Show the next (or previous) platform's tab, round the end."""
        tabs = self.query_one(Tabs)
        names = [tab.id for tab in tabs.query(Tab) if tab.id]
        if tabs.active in names:
            tabs.active = names[(names.index(tabs.active) + step) % len(names)]

    def highlight(self, number: int | None) -> None:
        """Mark the card of post `number` (the one the cursor is in) and bring it into view."""
        if number == self._highlighted:
            return
        self._highlighted = number
        for card in self.query(PostCard):
            current = card.key is not None and card.key[1] == number
            card.set_class(current, "-current")
            scroll = self.query_one("#cards-scroll", VerticalScroll)
            if current and number == 1:  # the top: the summary and the splitter's note too
                self.call_after_refresh(scroll.scroll_home, animate=False)
            elif current:  # at the top, wherever the last one was: the same place each time
                self.call_after_refresh(scroll.scroll_to_widget, card, animate=False, top=True)

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
        update_if_changed(error_line, f"⚠ {terminal_safe(preview.error)}" if preview.error else "")
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
        self._highlighted = None
        self.post_message(self.PlatformShown())

    async def _show_cards(self) -> None:
        """Show the active platform's posts, updating only the cards whose post changed (so
        a keystroke re-renders one or two cards, not the whole thread)."""
        shown = self.previews.get(self.platform or "")
        summary = self.query_one("#summary", Static)
        cards = self.query_one("#cards", Vertical)
        update_if_changed(summary, summary_of(shown) if shown else Text())
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
            links = shown.links or tuple(None for _ in posts)
            for card, post, files, link in zip(existing, posts, media, links, strict=False):
                card.show(post, len(posts), thread.limit, files, self._card_line(shown, link))
                await self._show_thumbnails(cards, card, files)

    def _card_line(self, shown: PlatformPreview, link: str | None) -> Text | None:
        """The card line of a post with `link` (fetching it, once, if it is not known yet)."""
        if link is None or not self.link_cards:
            return None
        key = (shown.platform, link)
        found = self.cards_found.get(key)
        # A page that gave no card is asked again once FAILURE_MEMORY has passed (on the
        # next change of the text): the network may be back.
        stale = key in self._failed_at and time.monotonic() - self._failed_at[key] > FAILURE_MEMORY
        if (found is None or stale) and key not in self._fetching:
            self._fetching.add(key)
            self._fetch_card(shown.platform, link)
        return card_line(found)

    @work(thread=True, group="link-cards")
    def _fetch_card(self, platform: str, link: str) -> None:
        """A link's card fetched off the UI thread (`fetch_card`: capped, timed out, cached),
        then shown."""
        limit = FACTS[platform].link_card_thumb_max_bytes or 0
        found: LinkCard | LinkCardError
        try:
            found = fetch_card(link, limit)
        except LinkCardError as error:
            found = error
        self.app.call_from_thread(self._card_fetched, (platform, link), found)

    def _card_fetched(self, key: tuple[str, str], found: LinkCard | LinkCardError) -> None:
        self.cards_found[key] = found
        self._fetching.discard(key)
        if isinstance(found, LinkCardError):
            self._failed_at[key] = time.monotonic()
        else:
            self._failed_at.pop(key, None)
        self.call_later(self._show_cards)

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
