"""The queue screen: scheduled editions in their own zones, and cancel, move, publish now;
below them the recurring rules, with their next times, and stop.

The database is the truth (the daemon and the CLI change it too), so both tables are read
again every two seconds and each cursor stays on the row it was on. The bindings act on the
focused table only (tab moves between them).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

import composer.store as store
from composer.daemon_note import daemon_note
from composer.recurring import describe_rule, next_times
from composer.scheduling import ScheduledEdition
from composer.store import Database, EditionStatus, QueueEntry, Recurrence, StoreError, find_edition
from composer.text.display import plural
from composer.tui.confirm import ConfirmDialog
from composer.tui.keymap import QUEUE_KEYS, bindings
from composer.tui.move import MoveDialog
from composer.tui.remote import cell, error_text, plain, tell
from composer.tui.sending import publish_now
from composer.tui.services import Services
from composer.tui.tables import ShownRows, selected_item, selected_number, titled_table
from composer.workspace.when import format_local

REFRESH_SECONDS = 2.0
COLUMNS = ("ID", "Status", "When", "Account", "Posts", "Title")  # the title, widest, last
RULE_COLUMNS = ("ID", "Next", "Every", "Account", "Draft", "Last error")
EDITION_ACTIONS = {"cancel_edition", "move_edition", "publish_now"}
RULE_ACTIONS = {"stop_rule"}


class QueueScreen(Screen[None]):
    DEFAULT_CSS = """
    QueueScreen DataTable { border: round $primary-darken-2; }
    QueueScreen DataTable:focus { border: round $primary; }
    QueueScreen #queue-table { height: 1fr; }
    QueueScreen #rules-table { height: auto; max-height: 8; }
    QueueScreen #queue-detail { height: auto; max-height: 4; padding: 0 1; }
    QueueScreen #daemon-note { height: auto; padding: 0 1; color: $warning; }
    """
    BINDINGS: ClassVar[list[BindingType]] = bindings("queue", QUEUE_KEYS)

    def __init__(self, services: Services) -> None:
        super().__init__()
        self.services = services
        self.show_done = False
        self.entries: dict[int, QueueEntry] = {}
        self.rules: dict[int, Recurrence] = {}
        self._shown = ShownRows()
        self._shown_rules = ShownRows()

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="daemon-note")
        yield titled_table("queue-table", "Editions", zebra_stripes=True)
        yield titled_table("rules-table", "Recurring rules (tab here, s stops one)")
        yield Static("", id="queue-detail")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        table = self.query_one("#queue-table", DataTable)
        table.add_columns(*COLUMNS)
        self.query_one("#rules-table", DataTable).add_columns(*RULE_COLUMNS)
        self.sub_title = "Queue"
        self.refresh_entries()
        self.set_interval(REFRESH_SECONDS, self.refresh_entries)

    # --- reading ------------------------------------------------------------------------
    def refresh_entries(self) -> None:
        """Both tables, read again (the CLI and the daemon change them too)."""
        now = self.services.now()
        try:
            entries = store.upcoming(self.services.database(), include_done=self.show_done)
            rules = store.recurrences(self.services.database())
            note = daemon_note(self.services.database(), now)
        except StoreError as error:
            self.query_one("#queue-detail", Static).update(plain(error_text(error)))
            return
        self.query_one("#daemon-note", Static).update(plain(f"⚠ {note}" if note else ""))
        self.query_one("#daemon-note", Static).display = note is not None
        self._refresh_rules(rules)
        self.entries = {entry.edition_id: entry for entry in entries}
        rows = [(str(entry.edition_id), self._row(entry, now)) for entry in entries]
        if self._shown.show(self.query_one("#queue-table", DataTable), rows):
            self.show_detail()

    def _refresh_rules(self, rules: list[Recurrence]) -> None:
        self.rules = {rule.id: rule for rule in rules if rule.id is not None}
        table = self.query_one("#rules-table", DataTable)
        if self._shown_rules.show(table, [(str(rule.id), self._rule_row(rule)) for rule in rules]):
            table.border_subtitle = (
                "" if rules else "none: a Repeat in the schedule dialog (ctrl+t) makes one"
            )
            self.show_detail()

    def _row(self, entry: QueueEntry, now: datetime) -> tuple[object, ...]:
        when = (
            format_local(entry.scheduled_at, entry.timezone or "UTC") if entry.scheduled_at else "-"
        )
        title = entry.title
        if entry.follows_edition_id is not None:
            title = f"↳ follows {entry.follows_edition_id}: {title}"
        return (
            str(entry.edition_id),
            entry.state(now),
            when,
            cell(entry.account),
            str(entry.post_count),
            cell(title, 48),
        )

    @staticmethod
    def _rule_row(rule: Recurrence) -> tuple[object, ...]:
        times = next_times(rule, 1)
        return (
            str(rule.id),
            format_local(times[0], rule.timezone) if times else "-",
            cell(describe_rule(rule.rule)),
            cell(rule.account),
            cell(Path(rule.draft_path).name, 32),
            cell(rule.last_error or "", 80),
        )

    def selected_id(self) -> int | None:
        return selected_number(self.query_one("#queue-table", DataTable))

    def selected(self) -> QueueEntry | None:
        return selected_item(self.query_one("#queue-table", DataTable), self.entries)

    def selected_rule(self) -> Recurrence | None:
        return selected_item(self.query_one("#rules-table", DataTable), self.rules)

    def rules_focused(self) -> bool:
        focused = self.focused
        return focused is not None and focused.id == "rules-table"

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Each table's bindings, only while it has the focus."""
        if action in RULE_ACTIONS:
            return self.rules_focused()
        if action in EDITION_ACTIONS:
            return not self.rules_focused()
        return True

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.show_detail()

    def on_descendant_focus(self) -> None:
        self.show_detail()

    def show_detail(self) -> None:
        detail = self.query_one("#queue-detail", Static)
        if self.rules_focused():
            detail.update(plain(self._rule_detail()))
            return
        entry = self.selected()
        if entry is None:
            detail.update("Nothing scheduled." if not self.show_done else "No editions.")
            return
        text = f"{entry.edition_id}: {entry.title} on {entry.account} ({entry.platform})"
        if entry.follows_edition_id is not None:
            text += f"\n{self._follows(entry)}"
        if resume := entry.resume_command():
            text += f"\nstopped mid-thread; resume: {resume}"
        if entry.last_error:
            text += f"\n{entry.last_error}"
        detail.update(plain(text))

    def _follows(self, entry: QueueEntry) -> str:
        """What a follow-up continues, and whether it waits for it."""
        parent_id = entry.follows_edition_id
        assert parent_id is not None
        parent = self.entries.get(parent_id)
        if parent is not None:
            status = parent.status
        else:
            try:
                status = find_edition(self.services.database(), parent_id).status
            except StoreError as error:
                return f"follows edition {parent_id}: {error}"
        if entry.status is EditionStatus.SCHEDULED and status is not EditionStatus.PUBLISHED:
            return (
                f"held: it follows edition {parent_id}, which is {status.value}, not published "
                "yet; it is sent once that one is"
            )
        return f"follows edition {parent_id} ({status.value})"

    def _rule_detail(self) -> str:
        rule = self.selected_rule()
        if rule is None:
            return "No recurring rules."
        text = (
            f"rule {rule.id}: {Path(rule.draft_path).name} on {rule.account}, "
            f"every {describe_rule(rule.rule)!r} in {rule.timezone}"
        )
        if rule.last_error:  # before the times: the detail is cut at four lines
            text += f"\nlast error: {rule.last_error}"
        times = [format_local(at, rule.timezone) for at in next_times(rule, 3)]
        return text + f"\nnext: {', then '.join(times) or '-'}"

    # --- actions ------------------------------------------------------------------------
    def action_refresh(self) -> None:
        self._shown.forget()
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
        question = f"Cancel {named(entry)}? It will not be published."
        cancel = partial(store.cancel, edition_id=entry.edition_id)
        done = f"Cancelled edition {entry.edition_id}"
        await self._change_if_confirmed(question, "Cancel edition", cancel, done)

    @work(exclusive=True, group="queue-dialog")
    async def action_move_edition(self) -> None:
        entry = self._scheduled("moved")
        if entry is None:
            return
        zone = entry.timezone or "UTC"
        when = format_local(entry.scheduled_at, zone) if entry.scheduled_at else "no time"
        description = f"Move {named(entry)} (now {when}) to:"
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
        posts = plural(entry.post_count, "post")
        question = f"Publish {named(entry)} ({posts}) now?"
        if not await self.app.push_screen_wait(ConfirmDialog(question, "Publish now")):
            return
        self.refresh_entries()
        await publish_now(self, self.services, entry.edition_id, resume=False)
        self.refresh_entries()

    @work(exclusive=True, group="queue-dialog")
    async def action_stop_rule(self) -> None:
        rule = self.selected_rule()
        if rule is None or rule.id is None:
            self.notify("No recurring rule selected", severity="warning")
            return
        question = (
            f"Stop recurring rule {rule.id} (every {describe_rule(rule.rule)!r} in "
            f"{rule.timezone}) on "
            f'{rule.account} for draft "{Path(rule.draft_path).name}"? No more editions will '
            "be made; those already made stay in the queue."
        )
        stop = partial(store.stop_recurrence, recurrence_id=rule.id)
        await self._change_if_confirmed(question, "Stop rule", stop, f"Stopped rule {rule.id}")

    async def _change_if_confirmed(
        self, question: str, button: str, change: Callable[[Database], object], done: str
    ) -> None:
        """Ask; on yes, make the change in the store and say how it went; then read the
        tables again (the change, or what another process did meanwhile)."""
        if not await self.app.push_screen_wait(ConfirmDialog(question, button)):
            return
        try:
            change(self.services.database())
        except StoreError as error:
            tell(self, error_text(error), severity="error")
        else:
            self.notify(done)
        self.refresh_entries()


def named(entry: QueueEntry) -> str:
    """An edition as the queue's questions name it: `edition 12 "Title" on ank-masto`."""
    return f'edition {entry.edition_id} "{entry.title}" on {entry.account}'
