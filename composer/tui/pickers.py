"""Mentions and hashtags pickers.

`MentionsPicker(services, chosen, placement)`: fuzzy search over the accounts file's contacts
showing each platform's handle, pick several, choose the placement (first | spread | last);
dismissed with a `MentionsChoice` or None.

`HashtagsPicker(services, tags, placement, terms)`: the appended tags (editable), their
placement (first | last), and which of the accounts file's hashtag terms are linked in this
draft (`terms`: None means all of them); dismissed with a `HashtagsChoice` or None.

The compose screen writes the choice into the draft's front matter (`mentions`,
`mention_placement`, `hashtags`, `hashtag_placement`, `hashtag_terms`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar, TypeVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.fuzzy import FuzzySearch, Matcher
from textual.widgets import (
    Button,
    Input,
    Label,
    OptionList,
    RadioSet,
    SelectionList,
    Static,
)
from textual.widgets.option_list import Option

from composer.text.display import terminal_safe
from composer.text.enrich import MENTION_PLACEMENTS, TAG_PLACEMENTS
from composer.text.entities import extract_hashtags
from composer.text.platform_facts import (
    CONTACT_PLATFORMS,
    is_handle,  # the accounts file's own rule for a handle, so both accept the same
)
from composer.tui.dialog import FormDialog
from composer.tui.notes import Note, shown
from composer.tui.services import Services
from composer.tui.toggles import TickList, TickRadio
from composer.workspace.config import Config, ConfigError, Contact


@dataclass(frozen=True, slots=True)
class MentionsChoice:
    names: tuple[str, ...]  # contact keys of the accounts file, or handles written out
    placement: str  # first | spread | last


@dataclass(frozen=True, slots=True)
class HashtagsChoice:
    tags: tuple[str, ...]  # appended tags, without "#"
    placement: str  # first | last
    terms: tuple[str, ...] | None  # hashtag terms linked in this draft; None: all


def parse_tags(text: str) -> tuple[list[str], list[str]]:
    """Tags typed comma or space separated, "#" optional: the tags (no "#") and the ones
    that are not hashtags (a platform would not link them)."""
    tags: list[str] = []
    bad: list[str] = []
    for word in re.split(r"[,\s]+", text.strip()):
        if not word:
            continue
        bare = word.removeprefix("#").removeprefix("＃")
        found = extract_hashtags("#" + bare)
        if len(found) == 1 and found[0].value == bare:
            if bare not in tags:
                tags.append(bare)
        else:
            bad.append(word)
    return tags, bad


def not_hashtags(bad: Sequence[str]) -> str:
    """What is said of words typed as tags that are not hashtags ("" for none)."""
    if not bad:
        return ""
    words = ", ".join(repr(word) for word in bad)
    return f"not a hashtag: {words} (letters, digits and _ only, not all digits)"


def _marked(text: str, query: str, style: str = "") -> Content:
    """`text` made terminal-safe, in `style`, with the letters `query` matches reversed."""
    safe = terminal_safe(text)
    content = Content.styled(safe, style) if style else Content(safe)
    if query.strip():
        score, offsets = FuzzySearch().match(query.strip(), safe)
        for offset in offsets if score else ():
            content = content.stylize("reverse", offset, offset + 1)
    return content


def _placement_and_buttons(placements: Sequence[str], current: str) -> ComposeResult:
    """The end of both pickers: the error line, where the items go, Cancel and OK."""
    yield Note(id="error", classes="error")
    yield Horizontal(
        Label("Placement"), _placement_radios(placements, current, "placement"), classes="row"
    )
    yield Horizontal(
        Button("Cancel", id="cancel"),
        Button("OK", id="ok", variant="primary"),
        classes="buttons",
    )


def _placement_radios(choices: Sequence[str], current: str, widget_id: str) -> RadioSet:
    return RadioSet(
        *(
            TickRadio(choice, value=choice == current, id=f"{widget_id}-{choice}")
            for choice in choices
        ),
        id=widget_id,
    )


def _pressed(radios: RadioSet, default: str) -> str:
    button = radios.pressed_button
    if button is None or button.id is None:
        return default
    return button.id.removeprefix(f"{radios.id}-")


def _load_config(services: Services) -> tuple[Config | None, str]:
    try:
        return services.config(), ""
    except ConfigError as error:
        return None, str(error)


_PICKER_CSS = """
{name} {{ align: center middle; }}
{name} > VerticalScroll {{
    width: 100; max-width: 100%; height: auto; max-height: 100%;
    border: thick $primary; padding: 0 1; background: $surface;
}}
{name} .title {{ text-style: bold; }}
{name} .note {{ color: $text-muted; }}
{name} .error {{ color: $error; }}
{name} SelectionList, {name} OptionList {{ height: auto; max-height: 12; }}
{name} RadioSet {{ layout: horizontal; height: auto; }}
{name} .row {{ height: auto; }}
{name} .row Label {{ padding: 1 1 0 0; width: auto; }}
{name} .buttons {{ height: auto; align-horizontal: right; }}
{name} .buttons Button {{ margin-left: 1; }}
"""


class ContactList(OptionList):
    """Contacts, several lines each (a SelectionList row is one line): Enter, Space or a
    click toggles the highlighted one."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "select", "Toggle", id="mentions.toggle", show=False),
    ]


_Choice = TypeVar("_Choice", "MentionsChoice", "HashtagsChoice")


class _Picker(FormDialog[_Choice | None]):
    """What both pickers do alike: OK (`action_ok`, each its own) and Cancel (nothing
    changes), and one error line. Enter is each field's own (a search, the tags)."""

    SUBMIT_ON_ENTER = False

    def _error(self, message: str) -> None:
        self.query_one("#error", Note).say(shown(message))


class MentionsPicker(_Picker[MentionsChoice]):
    """Contacts to mention, in the order chosen, and where the mentions go."""

    DEFAULT_CSS = _PICKER_CSS.format(name="MentionsPicker")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "ok", "OK", id="mentions.ok"),
    ]

    def __init__(self, services: Services, chosen: Sequence[str], placement: str) -> None:
        super().__init__()
        self.services = services
        self.chosen = tuple(chosen)
        self.placement = placement
        config, self._config_error = _load_config(services)
        self._contacts: dict[str, Contact] = dict(config.contacts) if config else {}
        self._order: list[str] = list(dict.fromkeys(self.chosen))

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static("Mentions", classes="title")
            yield Input(
                placeholder="search contacts; or type @user@instance and Enter to add it",
                id="search",
            )
            yield ContactList(id="contacts")
            yield Static("", id="chosen", classes="note")
            yield from _placement_and_buttons(MENTION_PLACEMENTS, self.placement)

    def on_mount(self) -> None:
        if self._config_error:
            self._error(self._config_error)
        elif not self._contacts:
            self._error("no contacts in the accounts file: write handles out (@user@instance)")
        self._fill("")
        self.query_one("#search", Input).focus()

    # --- the list ----------------------------------------------------------------------
    def _row(self, name: str, query: str) -> Content:
        """A row: checked or not, the contact's name and key, then its handle on each
        platform, with the letters the search matched highlighted. Built from plain text (no
        markup is read from the accounts file)."""
        box = "☑ " if name in self._order else "☐ "
        contact = self._contacts.get(name)
        if contact is None:
            kind = "handle written out" if name.startswith("@") else "unknown contact"
            return Content.assemble(box, _marked(name, query, "bold"), (f"  ({kind})", "dim"))
        parts: list[str | Content | tuple[str, str]] = [
            box,
            _marked(contact.name, query, "bold"),
            " (",
            _marked(name, query, "dim"),
            ")\n    ",
        ]
        for number, platform in enumerate(CONTACT_PLATFORMS):
            handle = contact.handle(platform)
            parts.append(f"{' · ' if number else ''}{platform} ")
            parts.append(_marked(handle, query) if handle else ("no handle: name used", "italic"))
        return Content.assemble(*parts)

    def _candidates(self, query: str) -> list[str]:
        """The contacts matching `query` fuzzily (best first), after the chosen names that
        are not contacts; everything in the file's order when the query is empty."""
        extra = [name for name in self._order if name not in self._contacts]
        if not query.strip():
            return [*extra, *self._contacts]
        matcher = Matcher(query.strip())
        scored: list[tuple[float, int, str]] = []
        for index, (key, contact) in enumerate(self._contacts.items()):
            fields = [key, contact.name, *contact.handles.values()]
            score = max(matcher.match(field) for field in fields)
            if score > 0:
                scored.append((-score, index, key))
        hits = [key for _, _, key in sorted(scored)]
        extra_hits = [name for name in extra if matcher.match(name) > 0]
        return [*extra_hits, *hits]

    def _fill(self, query: str) -> None:
        rows = self.query_one("#contacts", ContactList)
        highlighted = rows.highlighted
        rows.clear_options()
        rows.add_options(
            [Option(self._row(name, query), id=name) for name in self._candidates(query)]
        )
        if highlighted is not None and rows.option_count:
            rows.highlighted = min(highlighted, rows.option_count - 1)
        self._show_chosen()

    def _show_chosen(self) -> None:
        def label(name: str) -> str:
            contact = self._contacts.get(name)
            return contact.name if contact else name

        text = ", ".join(label(name) for name in self._order) or "none"
        self.query_one("#chosen", Static).update(f"Chosen, in order: {shown(text)}")

    # --- events ------------------------------------------------------------------------
    @on(Input.Changed, "#search")
    def _search(self, event: Input.Changed) -> None:
        self._fill(event.value)

    @on(Input.Submitted, "#search")
    def _submitted(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        if not text:
            self.action_ok()
            return
        if text.startswith("@"):
            if not is_handle(text):
                self._error(
                    f"{text!r} is not a handle: use @user (X, Threads), @user@instance "
                    "(Mastodon) or @name.domain (Bluesky)"
                )
                return
            if text not in self._order:
                self._order.append(text)
        else:
            hits = [name for name in self._candidates(text) if name in self._contacts]
            if not hits:
                self._error(f"no contact matches {text!r}")
                return
            if hits[0] not in self._order:
                self._order.append(hits[0])
        self._error("")
        event.input.value = ""  # refills the list through Input.Changed

    @on(OptionList.OptionSelected, "#contacts")
    def _toggled(self, event: OptionList.OptionSelected) -> None:
        name = event.option.id
        assert name is not None  # every row has its name as id
        if name in self._order:
            self._order.remove(name)
        else:
            self._order.append(name)
        query = self.query_one("#search", Input).value
        event.option_list.replace_option_prompt(name, self._row(name, query))
        self._show_chosen()

    def action_ok(self) -> None:
        placement = _pressed(self.query_one("#placement", RadioSet), self.placement)
        self.dismiss(MentionsChoice(tuple(self._order), placement))


class HashtagsPicker(_Picker[HashtagsChoice]):
    """Which hashtag terms are linked, the tags appended, and where they go."""

    DEFAULT_CSS = _PICKER_CSS.format(name="HashtagsPicker")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "ok", "OK", id="hashtags.ok"),
    ]

    def __init__(
        self,
        services: Services,
        tags: Sequence[str],
        placement: str,
        terms: Sequence[str] | None,
    ) -> None:
        super().__init__()
        self.services = services
        self.tags = tuple(tags)
        self.placement = placement
        self.terms = tuple(terms) if terms is not None else None
        config, self._config_error = _load_config(services)
        self._all_terms = config.hashtags.terms if config else ()
        self._always = config.hashtags.always if config else ()

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static("Hashtags", classes="title")
            yield Label("Terms linked at their first occurrence")
            linked = set(self._all_terms if self.terms is None else self.terms)
            yield TickList[str](
                *((shown(term), term, term in linked) for term in self._all_terms), id="terms"
            )
            if not self._all_terms:
                yield Static("no hashtag terms in the accounts file", classes="note")
            yield Label("Tags added to the thread (comma or space separated, # optional)")
            yield Input(" ".join(f"#{tag}" for tag in self.tags), id="tags")
            always = " ".join(f"#{tag}" for tag in self._always)
            if always:
                yield Static(f"always added by the accounts file: {shown(always)}", classes="note")
            yield from _placement_and_buttons(TAG_PLACEMENTS, self.placement)

    def on_mount(self) -> None:
        if self._config_error:
            self._error(self._config_error)
        self.query_one("#tags", Input).focus()

    @on(Input.Changed, "#tags")
    def _check(self, event: Input.Changed) -> None:
        _, bad = parse_tags(event.value)
        self._error(not_hashtags(bad))

    @on(Input.Submitted, "#tags")
    def _submitted(self) -> None:
        self.action_ok()

    def action_ok(self) -> None:
        tags, bad = parse_tags(self.query_one("#tags", Input).value)
        if bad:
            self._error(not_hashtags(bad))
            return
        selected = set(self.query_one("#terms", SelectionList).selected)
        terms = tuple(term for term in self._all_terms if term in selected)
        placement = _pressed(self.query_one("#placement", RadioSet), self.placement)
        all_on = len(terms) == len(self._all_terms)
        self.dismiss(HashtagsChoice(tuple(tags), placement, None if all_on else terms))
