"""The history screen: what was published, searchable, and the editions that stopped midway
with their reason and a Resume action (the ledger resumes at the first unsent post), and a
Retract action that takes an edition back (its posts deleted on the platform, last first;
the record stays). Each edition says which edition it follows and which follow-ups continue
it (a thread and its updates)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Input, Static

from composer.publishing import retract_plan
from composer.store import (
    FinishedEdition,
    HistoryHit,
    PostStatus,
    StoreError,
    recent_finished,
    search,
)
from composer.text.display import plural
from composer.tui.confirm import ConfirmDialog
from composer.tui.keymap import HISTORY_KEYS, bindings
from composer.tui.remote import cell, error_text, plain, tell
from composer.tui.sending import publish_now, retract_now
from composer.tui.services import Services
from composer.tui.tables import ShownRows, selected_item, titled_table

REFRESH_SECONDS = 2.0
POST_MARKS = {
    PostStatus.SENT: "✓",
    PostStatus.SENDING: "…",
    PostStatus.FAILED: "✗",
    PostStatus.PENDING: "○",
    PostStatus.RETRACTED: "⌫",
}


def post_summary(statuses: Sequence[PostStatus]) -> str:
    """A thread's posts in a few characters, however long it is: `✓ 14/15 · ✗ 1` (sent of
    all, then each other state that has posts); post by post in the detail below."""
    counts = Counter(statuses)
    parts = [f"{POST_MARKS[PostStatus.SENT]} {counts[PostStatus.SENT]}/{len(statuses)}"]
    parts += [
        f"{mark} {counts[status]}"
        for status, mark in POST_MARKS.items()
        if status is not PostStatus.SENT and counts[status]
    ]
    return " · ".join(parts)


def _sent(at: datetime | None) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if at else "-"


def _thread(outcome: FinishedEdition, *, long: bool = False) -> str:
    """Where the edition sits in its conversation: short, "↳ 12 then 14, 15" (it follows
    edition 12; follow-ups 14 and 15 continue it); long, the same in words."""
    parts: list[str] = []
    if outcome.follows_edition_id is not None:
        parent = outcome.follows_edition_id
        parts.append(f"follows edition {parent}" if long else f"↳ {parent}")
    if outcome.continued_by:
        ids = ", ".join(str(edition_id) for edition_id in outcome.continued_by)
        plural = "s" if len(outcome.continued_by) > 1 else ""
        parts.append(f"continued by edition{plural} {ids}" if long else f"then {ids}")
    return ("; " if long else " ").join(parts)


class HistoryScreen(Screen[None]):
    DEFAULT_CSS = """
    HistoryScreen #history-search { margin: 0 0; }
    HistoryScreen DataTable { height: 1fr; border: round $primary-darken-2; }
    HistoryScreen DataTable:focus { border: round $primary; }
    HistoryScreen #history-detail { height: auto; max-height: 5; padding: 0 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = bindings("history", HISTORY_KEYS)

    def __init__(self, services: Services) -> None:
        super().__init__()
        self.services = services
        self.outcomes: dict[int, FinishedEdition] = {}
        self._shown_hits = ShownRows()
        self._shown_outcomes = ShownRows()

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(
            placeholder="Search published posts (every word must match)", id="history-search"
        )
        yield titled_table("history-posts", "Published posts")
        yield titled_table(
            "history-editions", "Editions (ctrl+r resumes one that stopped, ctrl+t retracts)"
        )
        yield Static("", id="history-detail")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.sub_title = "History"
        self.query_one("#history-posts", DataTable).add_columns(
            "Sent", "Account", "#", "Link", "Text"
        )
        self.query_one("#history-editions", DataTable).add_columns(
            "ID", "Status", "Account", "Posts", "Thread", "Title", "Reason"
        )
        self.refresh_all()
        self.set_interval(REFRESH_SECONDS, self.refresh_all)

    # --- reading ------------------------------------------------------------------------
    def refresh_all(self) -> None:
        try:
            self.refresh_hits()
            self.refresh_outcomes()
        except StoreError as error:
            self.query_one("#history-detail", Static).update(plain(error_text(error)))

    def refresh_hits(self) -> None:
        query = self.query_one("#history-search", Input).value
        hits = search(self.services.database(), query)
        table = self.query_one("#history-posts", DataTable)
        if not self._shown_hits.show(
            table, [(str(hit.post_id), self._hit_row(hit)) for hit in hits]
        ):
            return
        if not hits:
            table.border_subtitle = "nothing found" if query.strip() else "nothing published yet"
        else:
            table.border_subtitle = plural(len(hits), "post")

    @staticmethod
    def _hit_row(hit: HistoryHit) -> tuple[object, ...]:
        return (
            _sent(hit.sent_at) + (" (retracted)" if hit.retracted else ""),
            cell(hit.account),
            str(hit.index),
            cell(hit.url or "-"),
            cell(hit.text, 200),
        )

    def refresh_outcomes(self) -> None:
        outcomes = recent_finished(self.services.database())
        self.outcomes = {outcome.edition_id: outcome for outcome in outcomes}
        rows = [(str(outcome.edition_id), self._outcome_row(outcome)) for outcome in outcomes]
        if self._shown_outcomes.show(self.query_one("#history-editions", DataTable), rows):
            self.show_detail()

    @staticmethod
    def _outcome_row(outcome: FinishedEdition) -> tuple[object, ...]:
        return (
            str(outcome.edition_id),
            outcome.status.value,
            cell(outcome.account),
            post_summary([post.status for post in outcome.posts]),
            _thread(outcome),
            cell(outcome.title, 40),
            cell(outcome.last_error or "", 80),
        )

    def selected(self) -> FinishedEdition | None:
        return selected_item(self.query_one("#history-editions", DataTable), self.outcomes)

    def _selected_if(
        self, allowed: Callable[[FinishedEdition], bool], rule: str
    ) -> FinishedEdition | None:
        """The selected edition when `allowed` says the action may go on; else None, and the
        user told why (nothing selected, or the `rule` it breaks)."""
        outcome = self.selected()
        if outcome is None:
            self.notify("No edition selected", severity="warning")
        elif not allowed(outcome):
            status = outcome.status.value
            tell(self, f"Edition {outcome.edition_id} is {status}: {rule}", severity="warning")
        else:
            return outcome
        return None

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id == "history-editions":
            self.show_detail()

    def show_detail(self) -> None:
        detail = self.query_one("#history-detail", Static)
        outcome = self.selected()
        if outcome is None:
            detail.update("")
            return
        lines = [
            f"{outcome.edition_id}: {outcome.title} on {outcome.account}, {outcome.status.value}"
        ]
        if outcome.follows_edition_id is not None or outcome.continued_by:
            lines.append(_thread(outcome, long=True))
        if outcome.last_error:
            lines.append(f"stopped: {outcome.last_error}")
        if outcome.posts:
            marks = "".join(POST_MARKS[post.status] for post in outcome.posts)
            lines.append(f"posts: {marks}")
        links = [f"{post.position}: {post.url}" for post in outcome.posts if post.url]
        if links:
            lines.append("  ".join(links))
        detail.update(plain("\n".join(lines)))

    def on_input_changed(self, event: Input.Changed) -> None:
        try:
            self.refresh_hits()
        except StoreError as error:
            self.query_one("#history-detail", Static).update(plain(error_text(error)))

    # --- actions ------------------------------------------------------------------------
    def action_focus_search(self) -> None:
        self.query_one("#history-search", Input).focus()

    @work(group="history-resume")  # not exclusive: a second one must not stop the first
    async def action_resume(self) -> None:
        outcome = self._selected_if(
            lambda edition: edition.resumable, "only a partial or failed edition can be resumed"
        )
        if outcome is None:
            return
        total = len(outcome.posts)
        question = (
            f'Resume edition {outcome.edition_id} "{outcome.title}" on {outcome.account}? '
            f"It continues at post {outcome.sent + 1} of {total}: "
            f"{plural(total - outcome.sent, 'post')} still to send."
        )
        if not await self.app.push_screen_wait(ConfirmDialog(question, "Resume")):
            return
        await publish_now(self, self.services, outcome.edition_id, resume=True)
        self.refresh_all()

    @work(group="history-retract")  # not exclusive: a second one must not stop the first
    async def action_retract(self) -> None:
        outcome = self._selected_if(
            lambda edition: edition.retractable,
            "only an edition that went out (or partly) can be retracted",
        )
        if outcome is None:
            return
        try:
            plan = retract_plan(self.services.database(), outcome.edition_id, with_follow_ups=False)
        except StoreError as error:
            tell(self, error_text(error), title="Not retracted", severity="error")
            return
        note = plan.note("retract each of them here too to take them back")
        question = plan.question() + (f" Note: {note}." if note else "")
        if plan.posts and not await self.app.push_screen_wait(ConfirmDialog(question, "Retract")):
            return
        await retract_now(self, self.services, plan)
        self.refresh_all()
