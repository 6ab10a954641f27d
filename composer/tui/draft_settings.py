"""The draft settings form: a draft's front matter as fields, so nobody has to write TOML.

`DraftSettingsDialog(services, text)` is pushed by the compose screen (ctrl+f) with the
editor's text. It shows the draft's title, accounts (the accounts file's, as the schedule
dialog lists them, and any other the draft names), mentions and hashtags (comma or space
separated), numbering (the presets) and the per-network settings rows
(`composer.tui.setting_rows`). Save is dismissed with the keys whose field changed (None: a
field emptied, its key to go), after the draft checks have taken the text they make
(`settings_refusal`: refused here, in their words, and nothing is written); the compose
screen writes them with `update_front_matter`, an edit of the editor's text like typing.
Escape cancels: dismissed with None.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Input, Label, Select, SelectionList, Static

from composer.text.display import terminal_safe
from composer.text.numbering import PRESETS, Numbering, NumberingError
from composer.tui.dialog import FormDialog
from composer.tui.notes import Note, shown
from composer.tui.pickers import not_hashtags, parse_tags
from composer.tui.remote import error_text
from composer.tui.services import Services
from composer.tui.setting_rows import SETTING_ROWS, account_rows, setting_values, setting_widget
from composer.tui.toggles import TickList
from composer.workspace.config import Account, ConfigError
from composer.workspace.drafts import Draft, DraftError, parse_draft, update_front_matter

_CHECKED_AS = "draft"  # the name the draft checks give the text; taken off with the line
_WHERE = re.compile(rf"^{_CHECKED_AS}:\d+: ")
# The rows below the lists, side by side in pairs: front-matter keys.
_PAIRS = (
    ("numbering", "language"),
    ("visibility", "reply_visibility"),
    ("content_warning",),
    ("replies", "quotes"),
    ("link_card",),
)
_ROWS = {row.key: row for row in SETTING_ROWS}


def numbering_choices(current: str | None) -> list[tuple[str, str]]:
    """The numbering presets as a Select's (shown, value), each with how post 1 of 7 reads;
    the draft's own format first when it is no preset (so it is kept unless changed)."""
    choices = [(f"{name}: {Numbering.parse(name).render(1, 7, '…')}", name) for name in PRESETS]
    if current is not None and current not in PRESETS:
        try:
            example = Numbering.parse(current).render(1, 7, "…")
        except NumberingError:
            example = "not a numbering"
        choices.insert(0, (shown(f"{current}: {example}"), current))
    return choices


def words(text: str) -> list[str]:
    """Names typed comma or space separated, each once, in the order typed."""
    return list(dict.fromkeys(word for word in re.split(r"[,\s]+", text) if word))


def settings_refusal(text: str, changes: Mapping[str, object]) -> str | None:
    """Why `changes` cannot go into the draft `text`, in the words of the draft checks (of
    the text they make, without its line: the form has none) or of the numbering's; None
    when they can."""
    try:
        parse_draft(update_front_matter(text, changes), _CHECKED_AS)
    except DraftError as error:
        return _WHERE.sub("", str(error), count=1)
    numbering = changes.get("numbering")
    if isinstance(numbering, str):
        try:
            Numbering.parse(numbering)
        except NumberingError as error:
            return str(error)
    return None


class DraftSettingsDialog(FormDialog[dict[str, object] | None]):
    """The draft's settings as fields; Save (ctrl+s) writes those changed, Escape cancels."""

    DEFAULT_CSS = """
    DraftSettingsDialog > VerticalScroll { width: 100; max-height: 100%; padding: 0 1; }
    DraftSettingsDialog #heading { text-style: bold; }
    DraftSettingsDialog SelectionList { height: auto; max-height: 8; }
    DraftSettingsDialog .row Label.lead { width: 16; }
    DraftSettingsDialog .row Input, DraftSettingsDialog .row Select { width: 1fr; }
    DraftSettingsDialog #language { width: 12; }
    DraftSettingsDialog .note { color: $text-muted; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "ok", "Save", id="draft-settings.save"),
    ]

    def __init__(self, services: Services, text: str) -> None:
        """`text`: the editor's; a DraftError when its front matter cannot be read."""
        super().__init__()
        self.text = text
        self.draft: Draft = parse_draft(text)
        self._accounts: list[Account] = []
        self._config_error = ""
        try:
            config = services.config()
        except ConfigError as error:
            self._config_error = error_text(error)
        else:
            self._accounts = list(config.accounts.values()) if config else []
        self._shown: dict[str, object] = {}  # the fields as first shown, read back
        self._shown_tags = ""

    # --- layout -------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        draft, meta = self.draft, self.draft.meta
        listed = {account.name for account in self._accounts}
        others = [name for name in draft.accounts if name not in listed]
        with VerticalScroll():
            yield Static("Draft settings", id="heading")
            with Horizontal(classes="row"):
                yield Label("Title", classes="lead")
                title = terminal_safe(meta.get("title") or "")
                yield Input(
                    title,
                    placeholder=terminal_safe(draft.title),
                    select_on_focus=False,  # a long title shows its start, not its end
                    id="title",
                )
            yield Label("Accounts")
            yield TickList[str](
                *account_rows(self._accounts, draft.accounts),
                *((shown(f"{name}  (not in the accounts file)"), name, True) for name in others),
                id="accounts",
            )
            if self._config_error:
                yield Static(shown(self._config_error), classes="note")
            with Horizontal(classes="row"):
                yield Label("Mentions", classes="lead")
                mentions = terminal_safe(", ".join(draft.mentions))
                yield Input(mentions, placeholder="hrw, @user@instance", id="mentions")
            with Horizontal(classes="row"):
                yield Label("Hashtags", classes="lead")
                tags = " ".join(f"#{tag.removeprefix('#')}" for tag in draft.hashtags)
                yield Input(
                    terminal_safe(tags), placeholder="#Elections #HumanRights", id="hashtags"
                )
            for pair in _PAIRS:
                with Horizontal(classes="row"):
                    for key in pair:
                        yield from self._field(key, meta.get(key), lead=key == pair[0])
            with Vertical(id="footer"):
                yield Note(id="error")
                with Horizontal(id="buttons"):
                    yield Button("Cancel", id="cancel")
                    yield Button("Save", id="save", variant="primary")

    def _field(self, key: str, value: object, *, lead: bool) -> ComposeResult:
        """A row's label and widget for `key` (`lead`: first in its row, lined up)."""
        classes = "lead" if lead else ""
        if key == "numbering":
            yield Label("Numbering", classes=classes)
            current = value if isinstance(value, str) else None
            yield Select(
                numbering_choices(current),
                value=current if current is not None else Select.NULL,
                prompt="(account's, else 1/7 first)",
                allow_blank=True,
                id="numbering",
            )
            return
        row = _ROWS[key]
        yield Label(row.label, classes=classes)
        yield setting_widget(row, value)

    def on_mount(self) -> None:
        self._shown = self._values()
        self._shown_tags = self.query_one("#hashtags", Input).value
        title = self.query_one("#title", Input)
        title.cursor_position = 0
        title.focus()

    # --- reading the fields -------------------------------------------------------------
    def _values(self) -> dict[str, object]:
        """Every field as a front-matter value (None: no key)."""
        chosen = set(self.query_one("#accounts", SelectionList).selected)
        listed = [*self.draft.accounts, *(account.name for account in self._accounts)]
        accounts = [name for name in dict.fromkeys(listed) if name in chosen]
        numbering = self.query_one("#numbering", Select).value
        return {
            "title": self.query_one("#title", Input).value.strip() or None,
            "accounts": accounts or None,
            "mentions": words(self.query_one("#mentions", Input).value) or None,
            "hashtags": parse_tags(self.query_one("#hashtags", Input).value)[0] or None,
            "numbering": None if numbering is Select.NULL else str(numbering),
            **setting_values(self),
        }

    def changes(self) -> dict[str, object]:
        """The keys whose field differs from how it was shown (None: emptied)."""
        return {key: value for key, value in self._values().items() if value != self._shown[key]}

    def _refusal(self, changes: Mapping[str, object]) -> str | None:
        typed = self.query_one("#hashtags", Input).value
        _, bad = parse_tags(typed)
        if bad and typed != self._shown_tags:
            return not_hashtags(bad)
        return settings_refusal(self.text, changes)

    # --- actions ------------------------------------------------------------------------
    def action_ok(self) -> None:
        changes = self.changes()
        refusal = self._refusal(changes) if changes else None
        if refusal is not None:
            self.query_one("#error", Note).say(shown(refusal))
            return
        self.dismiss(changes)
