"""The live preview: a draft's thread on each of its platforms, as cards.

`build_preview` runs in a worker thread: it parses the draft and splits it with
`composer.workspace.compose.compose`, the code publishing uses, so what the preview shows is
what will be published. `PreviewPane` only shows the result.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Static, Tab, Tabs

from composer.text import SplitError, Thread, UnknownPlatformError
from composer.text.display import terminal_safe
from composer.text.enrich import EnrichError
from composer.text.entities import extract_entities
from composer.text.numbering import NumberingError
from composer.workspace.compose import compose
from composer.workspace.config import Config, ConfigError
from composer.workspace.drafts import Draft, DraftError, parse_draft

DEFAULT_PLATFORMS = ("x", "mastodon", "bluesky")
PLATFORM_LABELS = {
    "x": "X",
    "mastodon": "Mastodon",
    "bluesky": "Bluesky",
    "threads": "Threads",
    "linkedin": "LinkedIn",
}
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


@dataclass(frozen=True, slots=True)
class Preview:
    """What the text in the editor makes: a draft and its threads, or the draft's error."""

    draft: Draft | None
    platforms: list[PlatformPreview] = field(default_factory=list)
    error: str | None = None  # the front matter's error: the last good preview is kept


def platforms_for(draft: Draft, config: Config | None) -> list[str]:
    """The platforms a draft is previewed on: its accounts' and its `platforms`, in order,
    else x, mastodon and bluesky."""
    found: list[str] = []
    for name in draft.accounts:
        account = config.accounts.get(name) if config else None
        if account is not None:
            found.append(account.platform)
    found.extend(draft.platforms)
    return list(dict.fromkeys(found)) or list(DEFAULT_PLATFORMS)


def build_preview(text: str, name: str, config: Config | None) -> Preview:
    """Parse `text` (the editor's) and split it for each of its platforms."""
    try:
        draft = parse_draft(text, name)
    except DraftError as error:
        return Preview(None, error=str(error))
    previews = []
    for platform in platforms_for(draft, config):
        try:
            previews.append(PlatformPreview(platform, compose(draft, platform, config)))
        except (UnknownPlatformError, NumberingError, SplitError, EnrichError, ConfigError) as e:
            previews.append(PlatformPreview(platform, error=str(e)))
    return Preview(draft, previews)


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


def render_thread(thread: Thread) -> RenderableType:
    """A platform's thread: a summary line, the note and warnings, then a card per post."""
    total = len(thread.posts)
    label = PLATFORM_LABELS.get(thread.platform, thread.platform)
    summary = Text(f"{label} · {total} post{'s' if total != 1 else ''} · {thread.limit}")
    summary.stylize("bold")
    parts: list[RenderableType] = [summary]
    if thread.note:
        parts.append(Text(terminal_safe(thread.note), style="dim"))
    parts.extend(Text(f"⚠ {terminal_safe(w)}", style="bold #ffaf00") for w in thread.warnings)
    for post in thread.posts:
        parts.append(
            Panel(
                highlighted(post.text),
                title=f"{post.index}/{total}",
                title_align="left",
                subtitle=f"{post.length}/{thread.limit}",
                subtitle_align="right",
                border_style="#ff5f5f" if post.length > thread.limit else "#5f87af",
            )
        )
    return Group(*parts)


def render_platform(preview: PlatformPreview) -> RenderableType:
    if preview.thread is not None:
        return render_thread(preview.thread)
    label = PLATFORM_LABELS.get(preview.platform, preview.platform)
    return Text(f"{label}: {terminal_safe(preview.error or '')}", style="bold #ff5f5f")


class PreviewPane(Vertical):
    """A tab per platform over the selected platform's cards."""

    DEFAULT_CSS: ClassVar[str] = """
    PreviewPane { height: 1fr; }
    PreviewPane > #preview-error { display: none; color: $error; height: auto; }
    PreviewPane.-error > #preview-error { display: block; }
    PreviewPane > VerticalScroll { height: 1fr; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.previews: dict[str, PlatformPreview] = {}
        self.error: str | None = None

    def compose(self) -> ComposeResult:
        yield Tabs(id="platforms")
        yield Static(id="preview-error", markup=False)
        with VerticalScroll(id="cards-scroll"):
            yield Static(id="cards")

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
                await tabs.add_tab(Tab(PLATFORM_LABELS.get(name, name), id=f"tab-{name}"))
            if current in wanted:
                tabs.active = f"tab-{current}"
        self.previews = {p.platform: p for p in preview.platforms}
        self._show_cards()

    def on_tabs_tab_activated(self, event: Tabs.TabActivated) -> None:
        event.stop()
        self._show_cards()

    def _show_cards(self) -> None:
        shown = self.previews.get(self.platform or "")
        self.query_one("#cards", Static).update(render_platform(shown) if shown else "")
