"""Text that came from elsewhere (a platform, the database, the accounts file), made safe to
show: control sequences made visible, and Textual markup not interpreted."""

from __future__ import annotations

from rich.markup import escape
from rich.text import Text

from composer.text.display import terminal_safe


def markup_safe(text: str) -> str:
    """For a Static, a notification or any other place that reads Textual markup."""
    return escape(terminal_safe(text))


def cell(text: str | None, limit: int | None = None) -> Text:
    """For a DataTable cell (a plain `str` cell would be read as markup)."""
    shown = terminal_safe(" ".join((text or "").split()))
    if limit is not None and len(shown) > limit:
        shown = shown[: limit - 1] + "…"
    return Text(shown, no_wrap=True, overflow="ellipsis")
