"""The screens' tables: refilled from the store on a timer, without losing the user's place.

The queue, history and accounts screens read their rows again every few seconds (the CLI and
the daemon change the store too). A table is refilled only when its rows changed, so its
scroll stays put, and the cursor stays on the row it was on (by key) when that row is still
there.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TypeVar

from textual.widgets import DataTable

Row = tuple[object, ...]


def titled_table(table_id: str, title: str, *, zebra_stripes: bool = False) -> DataTable[object]:
    """A table with a row cursor and a title in its border."""
    table: DataTable[object] = DataTable(
        id=table_id, cursor_type="row", zebra_stripes=zebra_stripes
    )
    table.border_title = title
    return table


def selected_key(table: DataTable[object]) -> str | None:
    """The key of the row under the cursor, None in an empty table."""
    if table.row_count == 0:
        return None
    return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value


def selected_number(table: DataTable[object]) -> int | None:
    """The row under the cursor as the number its key spells (an edition's or a rule's id),
    None in an empty table."""
    key = selected_key(table)
    return None if key is None else int(key)


_Item = TypeVar("_Item")


def selected_item(table: DataTable[object], items: Mapping[int, _Item]) -> _Item | None:
    """What `items` holds for the row under the cursor, each row keyed by its number."""
    number = selected_number(table)
    return None if number is None else items.get(number)


class ShownRows:
    """What a table shows, to refill it only when it changed."""

    def __init__(self) -> None:
        self._shown: list[tuple[str, Row]] = []

    def forget(self) -> None:
        """Refill on the next `show`, changed or not."""
        self._shown = []

    def show(self, table: DataTable[object], rows: Sequence[tuple[str, Row]]) -> bool:
        """Show `rows` (key, cells) in `table`, the cursor kept on its row; False, the table
        untouched, when they are the rows it shows."""
        if list(rows) == self._shown:
            return False
        keep = selected_key(table)
        table.clear()
        for key, cells in rows:
            table.add_row(*cells, key=key)
        self._shown = list(rows)
        if keep is not None and any(key == keep for key, _ in rows):
            table.move_cursor(row=table.get_row_index(keep))
        return True
