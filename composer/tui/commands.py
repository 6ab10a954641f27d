"""The command palette's commands (ctrl+p): the compose screen's actions and opening a draft
by name (the app itself offers its other screens: ComposerApp.get_system_commands)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from composer.text.display import terminal_safe
from composer.workspace.drafts import list_drafts

Command = tuple[str, str, Callable[[], object]]


class ComposerCommands(Provider):
    """Save, schedule, mentions, hashtags, insert an image, new draft, and open a draft."""

    def commands(self) -> list[Command]:
        from composer.tui.compose import ComposeScreen
        from composer.tui.keymap import COMPOSE_KEYS

        found: list[Command] = []
        screen = self.screen
        if isinstance(screen, ComposeScreen):
            found += [
                (k.command, f"{k.help} ({k.key})", getattr(screen, f"action_{k.action}"))
                for k in COMPOSE_KEYS
            ]
            for summary in list_drafts(screen.services.drafts_dir):
                name = terminal_safe(summary.name)
                found.append(
                    (
                        f"Open draft {name}",
                        terminal_safe(summary.title or summary.error or ""),
                        partial(screen.switch_to, summary.path),
                    )
                )
        return found

    async def discover(self) -> Hits:
        for name, help_text, callback in self.commands():
            yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, callback in self.commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)
