"""The ids a person may type after a command, as shell completion offers them: editions in
the statuses a command takes, and active recurring rules, newest first, each with a few
words to tell them apart. Written as SQL text (`reading`), so completion reads an
up-to-date SQLite file through sqlite3 (`quick`) and imports no SQLAlchemy."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from composer.store.reading import in_list, rows

if TYPE_CHECKING:
    from composer.store.reading import Source

CHOICES_LIMIT = 200  # a shell lists what fits a screen or two; more is noise


@dataclass(frozen=True, slots=True)
class Choice:
    """An id and what it is: "ank-x · scheduled · OSCE: elections without competition"."""

    id: int
    description: str


def edition_choices(
    source: Source, statuses: Sequence[str], *, limit: int = CHOICES_LIMIT
) -> list[Choice]:
    """The editions in `statuses`, newest first."""
    sql = (
        "SELECT editions.id, editions.account, editions.status, threads.title "
        "FROM editions JOIN threads ON threads.id = editions.thread_id "
        f"WHERE editions.status IN {in_list(statuses)} "
        "ORDER BY editions.id DESC LIMIT :limit"
    )
    return [
        Choice(row["id"], f"{row['account']} · {row['status']} · {row['title']}")
        for row in rows(source, sql, {"limit": limit})
    ]


def rule_choices(source: Source, *, limit: int = CHOICES_LIMIT) -> list[Choice]:
    """The active recurring rules, newest first."""
    sql = (
        "SELECT id, account, rule, draft_path FROM recurrences WHERE active "
        "ORDER BY id DESC LIMIT :limit"
    )
    return [
        Choice(row["id"], f"{row['account']} · {row['rule']} · {row['draft_path']}")
        for row in rows(source, sql, {"limit": limit})
    ]
