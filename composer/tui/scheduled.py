"""What the schedule dialog did, for the compose screen: editions scheduled, rules made, or
a thread published now, and the front matter the dialog's settings change."""

from __future__ import annotations

from dataclasses import dataclass, field

from composer.recurring import CreatedRule
from composer.scheduling import ScheduledEdition

__all__ = ["ScheduleResult"]


@dataclass(frozen=True, slots=True)
class ScheduleResult:
    """What the dialog did: editions scheduled, rules made (Repeat), or published now (with
    their URLs)."""

    editions: list[ScheduledEdition] = field(default_factory=list)
    published_now: bool = False
    message: str = ""
    rules: list[CreatedRule] = field(default_factory=list)
    # The settings chosen in the dialog that the draft's front matter did not say (None: a
    # key taken out), for the compose screen to write to the draft.
    front_matter: dict[str, object] = field(default_factory=dict)

    def said(self) -> str:
        """What the compose screen tells the user: the message, else each edition."""
        if self.message:
            return self.message
        if not self.editions:
            return "nothing scheduled"
        verb = "published" if self.published_now else "scheduled"
        lines = [
            f"{edition.account} at {edition.at_utc:%Y-%m-%d %H:%M} UTC (#{edition.id})"
            for edition in self.editions
        ]
        return f"{verb}: " + "; ".join(lines)
