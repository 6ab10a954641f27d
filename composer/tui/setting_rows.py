"""The per-network settings rows (language, visibility, content warning, who may reply or
quote, link cards) and the accounts list, as the schedule dialog and the draft settings form
both show them: one table, so both offer the same values and write them the same way.

A row is a Select where the setting has a closed set of values, else an Input; blank (the
Select's prompt, an empty Input) is "not set here": the account's value, else the
platform's. `setting_values` reads the rows back as front-matter values (None: no key).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from textual.dom import DOMNode
from textual.widgets import Input, Select

from composer.text.options import QUOTES_TYPED, check_option
from composer.text.platform_facts import REPLIES, VISIBILITIES
from composer.tui.notes import shown
from composer.workspace.config import Account


@dataclass(frozen=True, slots=True)
class SettingRow:
    """A front-matter key, its widget's id, its label, and a Select's (value, shown)
    choices: none for an Input."""

    key: str
    widget: str
    label: str
    choices: tuple[tuple[str, str], ...] = ()


_QUOTES = (("true", "anyone"), ("false", "not the first post"), ("none", "no post"))
SETTING_ROWS = (
    SettingRow("language", "language", "Language"),
    SettingRow("visibility", "visibility", "Visibility", tuple((v, v) for v in VISIBILITIES)),
    SettingRow(
        "reply_visibility", "reply-visibility", "Later posts", tuple((v, v) for v in VISIBILITIES)
    ),
    SettingRow("content_warning", "content-warning", "Content warning"),
    SettingRow("replies", "replies", "Who may reply", tuple((v, v) for v in REPLIES)),
    SettingRow("quotes", "quotes", "Quotes", _QUOTES),
    SettingRow("link_card", "link-card", "Link cards", (("true", "on"), ("false", "off"))),
)
SETTING_IDS = {row.widget: row.key for row in SETTING_ROWS}
_TYPED: dict[str, dict[str, object]] = {  # a Select's value as the front matter writes it
    "quotes": QUOTES_TYPED,
    "link_card": {"true": True, "false": False},
}


def setting_widget(row: SettingRow, value: object) -> Input | Select[str]:
    """A settings row's widget, `value` (the draft's) preselected."""
    if not row.choices:
        shown_value = value if isinstance(value, str) else ""
        hint = "en, ru, kk" if row.key == "language" else "none"
        return Input(shown_value, placeholder=hint, id=row.widget)
    chosen = str(value).lower() if isinstance(value, bool) else str(value)
    values = [v for v, _ in row.choices]
    return Select(
        [(text, v) for v, text in row.choices],
        value=chosen if chosen in values else Select.NULL,
        prompt="(account's)",
        allow_blank=True,
        id=row.widget,
    )


def setting_values(screen: DOMNode) -> dict[str, object]:
    """The settings rows of `screen` as front-matter values, by key (None: not set)."""
    chosen: dict[str, object] = {}
    for row in SETTING_ROWS:
        if row.choices:
            value = screen.query_one(f"#{row.widget}", Select).value
            given = None if value is Select.NULL else str(value)
            typed = _TYPED.get(row.key, {})
            chosen[row.key] = typed.get(given or "", given)
        else:
            chosen[row.key] = screen.query_one(f"#{row.widget}", Input).value.strip() or None
    return chosen


def setting_problem(values: Mapping[str, object]) -> str | None:
    """The first value of `values` (from `setting_values`) that no platform takes, said as
    "Label: problem"; None when all are fine."""
    for row in SETTING_ROWS:
        value = values.get(row.key)
        if row.key == "link_card" or value is None:  # link_card: fetched, not a post option
            continue
        problem = check_option(row.key, value)
        if problem is not None:
            return f"{row.label}: {problem}"
    return None


def account_rows(accounts: Iterable[Account], chosen: Iterable[str]) -> list[tuple[str, str, bool]]:
    """The accounts file's accounts as a SelectionList's rows: "name  (platform)", ticked
    when among `chosen`."""
    ticked = set(chosen)
    return [(shown(f"{a.name}  ({a.platform})"), a.name, a.name in ticked) for a in accounts]
