"""Mentions and hashtags pickers (contract; built by the issue-6 dialogs work).

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

from collections.abc import Sequence
from dataclasses import dataclass

from textual.app import ComposeResult
from textual.screen import ModalScreen
from textual.widgets import Static

from composer.tui.services import Services


@dataclass(frozen=True, slots=True)
class MentionsChoice:
    names: tuple[str, ...]  # contact keys of the accounts file, or handles written out
    placement: str  # first | spread | last


@dataclass(frozen=True, slots=True)
class HashtagsChoice:
    tags: tuple[str, ...]  # appended tags, without "#"
    placement: str  # first | last
    terms: tuple[str, ...] | None  # hashtag terms linked in this draft; None: all


class MentionsPicker(ModalScreen[MentionsChoice | None]):
    def __init__(self, services: Services, chosen: Sequence[str], placement: str) -> None:
        super().__init__()
        self.services = services
        self.chosen = tuple(chosen)
        self.placement = placement

    def compose(self) -> ComposeResult:
        yield Static("mentions")


class HashtagsPicker(ModalScreen[HashtagsChoice | None]):
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

    def compose(self) -> ComposeResult:
        yield Static("hashtags")
