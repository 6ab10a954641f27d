"""The queue screen: scheduled editions in their own zones, and cancel, move, publish now.

The database is the truth (the daemon and the CLI change it too), so the table is read
again every two seconds and the cursor stays on the edition it was on.
"""

from __future__ import annotations

from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from composer.scheduling import ScheduledEdition
from composer.store import EditionStatus, StoreError
from composer.store import queue as store_queue
from composer.store.queue import QueueEntry
from composer.tui.confirm import ConfirmDialog
from composer.tui.move import MoveDialog
from composer.tui.remote import cell, plain, tell
from composer.tui.sending import publish_now
from composer.tui.services import Services
from composer.workspace.when import format_local

REFRESH_SECONDS = 2.0
COLUMNS = ("ID", "Status", "When", "Account", "Posts", "Title")  # the title, widest, last


class QueueScreen(Screen[None]):
    DEFAULT_CSS = """
    QueueScreen #queue-table { height: 1fr; }
    QueueScreen #queue-detail { height: auto; max-height: 4; padding: 0 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("c", "cancel_edition", "Cancel", id="queue.cancel"),
        Binding("m", "move_edition", "Move", id="queue.move"),
        Binding("p", "publish_now", "Publish now", id="queue.publish_now"),
        Binding("a", "toggle_done", "Show done", id="queue.toggle_done"),
        Binding("r", "refresh", "Refresh", id="queue.refresh"),
    ]

    def __init__(self, services: Services) -> None:
        super().__init__()
        self.services = services
        self.show_done = False
        self.entries: dict[int, QueueEntry] = {}
        self._shown: list[tuple[object, ...]] = []

    def compose(self) -> ComposeResult:
        yield Header()
        table: DataTable[object] = DataTable(
            id="queue-table", cursor_type="row", zebra_stripes=True
        )
        yield table
        yield Static("", id="queue-detail")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#queue-table", DataTable)
        table.add_columns(*COLUMNS)
        self.sub_title = "Queue"
        self.refresh_entries()
        self.set_interval(REFRESH_SECONDS, self.refresh_entries)

    # --- reading ------------------------------------------------------------------------
    def refresh_entries(self) -> None:
        try:
            entries = store_queue.upcoming(self.services.database(), include_done=self.show_done)
        except StoreError as error:
            self.query_one("#queue-detail", Static).update(plain(str(error)))
            return
        rows = [self._row(entry) for entry in entries]
        self.entries = {entry.edition_id: entry for entry in entries}
        if rows == self._shown:
            return  # nothing changed: leave the table (and its scroll) alone
        table = self.query_one("#queue-table", DataTable)
        keep = self.selected_id()
        table.clear()
        for entry, row in zip(entries, rows, strict=True):
            table.add_row(*row, key=str(entry.edition_id))
        self._shown = rows
        if keep is not None and keep in self.entries:
            table.move_cursor(row=table.get_row_index(str(keep)))
        self.show_detail()

    def _row(self, entry: QueueEntry) -> tuple[object, ...]:
        when = (
            format_local(entry.scheduled_at, entry.timezone or "UTC") if entry.scheduled_at else "-"
        )
        return (
            str(entry.edition_id),
            entry.status.value,
            when,
            cell(entry.account),
            str(entry.post_count),
            cell(entry.title, 48),
        )

    def selected_id(self) -> int | None:
        table = self.query_one("#queue-table", DataTable)
        if table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return int(key) if key is not None else None

    def selected(self) -> QueueEntry | None:
        edition_id = self.selected_id()
        return None if edition_id is None else self.entries.get(edition_id)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.show_detail()

    def show_detail(self) -> None:
        detail = self.query_one("#queue-detail", Static)
        entry = self.selected()
        if entry is None:
            detail.update("Nothing scheduled." if not self.show_done else "No editions.")
            return
        text = f"{entry.edition_id}: {entry.title} on {entry.account} ({entry.platform})"
        if entry.last_error:
            text += f"\n{entry.last_error}"
        detail.update(plain(text))

    # --- actions ------------------------------------------------------------------------
    def action_refresh(self) -> None:
        self._shown = []
        self.refresh_entries()

    def action_toggle_done(self) -> None:
        self.show_done = not self.show_done
        self.sub_title = "Queue, with recent finished editions" if self.show_done else "Queue"
        self.refresh_entries()

    def _scheduled(self, verb: str) -> QueueEntry | None:
        entry = self.selected()
        if entry is None:
            self.notify("No edition selected", severity="warning")
        elif entry.status is not EditionStatus.SCHEDULED:
            tell(
                self,
                f"Edition {entry.edition_id} is {entry.status.value}: only a scheduled "
                f"edition can be {verb}",
                severity="warning",
            )
            return None
        return entry

    @work(exclusive=True, group="queue-dialog")
    async def action_cancel_edition(self) -> None:
        entry = self._scheduled("cancelled")
        if entry is None:
            return
        question = (
            f'Cancel edition {entry.edition_id} "{entry.title}" on {entry.account}? '
            "It will not be published."
        )
        if not await self.app.push_screen_wait(ConfirmDialog(question, "Cancel edition")):
            return
        try:
            store_queue.cancel(self.services.database(), entry.edition_id)
        except StoreError as error:
            tell(self, str(error), severity="error")
        else:
            self.notify(f"Cancelled edition {entry.edition_id}")
        self.refresh_entries()

    @work(exclusive=True, group="queue-dialog")
    async def action_move_edition(self) -> None:
        entry = self._scheduled("moved")
        if entry is None:
            return
        zone = entry.timezone or "UTC"
        when = format_local(entry.scheduled_at, zone) if entry.scheduled_at else "no time"
        description = (
            f'Move edition {entry.edition_id} "{entry.title}" on {entry.account} (now {when}) to:'
        )
        moved: ScheduledEdition | None = await self.app.push_screen_wait(
            MoveDialog(self.services, entry.edition_id, description, zone)
        )
        if moved is not None:
            tell(self, f"Moved edition {moved.id} to {format_local(moved.at_utc, moved.zone)}")
        self.refresh_entries()

    @work(group="queue-publish")  # not exclusive: a second one must not stop the first
    async def action_publish_now(self) -> None:
        entry = self._scheduled("published now")
        if entry is None:
            return
        question = (
            f'Publish edition {entry.edition_id} "{entry.title}" ({entry.post_count} posts) '
            f"on {entry.account} now?"
        )
        if not await self.app.push_screen_wait(ConfirmDialog(question, "Publish now")):
            return
        self.refresh_entries()
        await publish_now(self, self.services, entry.edition_id, resume=False)
        self.refresh_entries()
