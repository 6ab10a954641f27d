"""Text that came from elsewhere (a platform, the database, the accounts file), made safe to
show: control sequences made visible (`terminal_safe`) and never read as Textual markup.

Remote text is passed as plain Content, not as escaped markup: Textual's markup parser
reads `\\u001b[31m ... \\[bold]` (a bracket that is not a tag, then an escaped one) with the
backslash left visible, so escaping cannot show every string faithfully; plain text can.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import App
from textual.content import Content
from textual.notifications import SeverityLevel
from textual.widget import Widget

from composer.errors import ComposerError
from composer.redaction import redact
from composer.text.display import terminal_safe


def plain(text: str) -> Content:
    """For a Static or a Label: shown exactly, control characters as escapes."""
    return Content(terminal_safe(text))


def cell(text: str | None, limit: int | None = None) -> Text:
    """For a DataTable cell (a plain `str` cell would be read as markup), on one line."""
    shown = terminal_safe(" ".join((text or "").split()))
    if limit is not None and len(shown) > limit:
        shown = shown[: limit - 1] + "…"
    return Text(shown, no_wrap=True, overflow="ellipsis")


def tell(
    widget: Widget | App[Any],
    message: str,
    *,
    title: str = "",
    severity: SeverityLevel = "information",
    timeout: float | None = None,
) -> None:
    """A notification whose text (remote parts included) is shown as it is, not as markup,
    and never with a credential in it."""
    widget.notify(
        terminal_safe(redact(message)),
        title=title,
        severity=severity,
        timeout=timeout,
        markup=False,
    )


def error_text(error: BaseException) -> str:
    """What went wrong, for the screen: the message of one of the package's own errors (the
    `ComposerError` family, as the CLI prints it); an unexpected one's type too. Redacted: a
    client's or a command's error may quote a credential."""
    expected = isinstance(error, ComposerError)
    message = str(error) or type(error).__name__
    return redact(message if expected else f"{type(error).__name__}: {message}")
