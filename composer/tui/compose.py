"""The compose screen: the drafts, an editor of the draft file, and its live preview.

The preview is re-split in a thread worker a moment after each keystroke (the latest text
only: results of older text are dropped), and the file is saved atomically a second after
typing stops, on ctrl+s, when another draft is opened and on exit. A file changed on disk by
someone else is never overwritten silently. A draft opens with the cursor at the start of its
body, below the front matter. Unsaved text kept from an earlier session is restored only when
the user chooses to (RecoveryDialog), never autosaved before that.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Header, OptionList, TextArea
from textual.widgets.option_list import Option, OptionDoesNotExist
from textual.worker import Worker, get_current_worker

from composer.text.display import terminal_safe
from composer.tui.confirm import ConfirmDialog
from composer.tui.draft_settings import DraftSettingsDialog
from composer.tui.import_document import ImportDialog
from composer.tui.insert_image import AltLimit, InsertImageDialog, image_insert_point
from composer.tui.keymap import COMPOSE_KEYS, PLATFORM_KEYS, bindings
from composer.tui.newdraft import NewDraftDialog
from composer.tui.pickers import HashtagsChoice, HashtagsPicker, MentionsChoice, MentionsPicker
from composer.tui.preview import PreviewPane, label_of
from composer.tui.preview_work import (
    ConfigSource,
    PlatformPreview,
    Preview,
    platform_preview,
)
from composer.tui.recovery import RecoveryDialog
from composer.tui.remote import error_text
from composer.tui.schedule import ScheduleDialog
from composer.tui.scheduled import ScheduleResult
from composer.tui.services import Services
from composer.tui.spell_editor import SpellEditor
from composer.tui.thumbnails import PictureWidget
from composer.workspace.config import Config, ConfigError
from composer.workspace.draft_split import draft_account, platforms_for
from composer.workspace.drafts import (
    Draft,
    DraftError,
    body_line,
    list_drafts,
    parse_draft,
    read_draft_file,
    update_front_matter,
    write_atomically,
)
from composer.workspace.images import account_figures, alt_text_limit, alt_text_required
from composer.workspace.recovery import (
    describe_changes,
    forget_unsaved,
    track_unsaved,
    unsaved_text,
)

# Seconds of quiet typing before the preview is re-split while a split is still running (when
# none is, a keystroke is split at once).
PREVIEW_DELAY = 0.06
AUTOSAVE_DELAY = 1.0  # seconds of quiet typing before the file is saved
DISK_CHECK_INTERVAL = 2.0  # how often the file is compared with what was read or written


def draft_label(title: str, name: str, broken: bool) -> Text:
    """A draft's line in the list: its title (else its file name; the list cuts it to one
    line, app.tcss), after a ⚠ while it cannot be read (first: a cut never hides it)."""
    label = Text("⚠ ", style="bold") if broken else Text()
    return label.append(terminal_safe(title.strip() or name))


class ComposeScreen(Screen[None]):
    """Write a draft and see its thread on each platform as you type."""

    BINDINGS: ClassVar[list[BindingType]] = [
        *bindings("compose", COMPOSE_KEYS),
        Binding("alt+left", "platform(-1)", "Previous platform", group=PLATFORM_KEYS),
        Binding("alt+right", "platform(1)", "Next platform", group=PLATFORM_KEYS),
    ]
    # app.tcss: -narrow drops the footer's ctrl+p hint, -wide puts the preview beside the editor.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (90, "-medium"), (120, "-wide")]  # noqa: RUF012

    def __init__(
        self, services: Services, draft: Path | None = None, pictures: PictureWidget | None = None
    ) -> None:
        super().__init__()
        self.services = services
        self.pictures = pictures  # draws thumbnails (None: the terminal cannot, chips only)
        self.draft_path = draft
        self.draft: Draft | None = None  # the last draft that parsed
        self.disk_text: str | None = None  # the file's text as last read or written here
        self.conflict = False  # the file changed on disk under us
        self.requested = 0  # generation of the latest text sent to the preview
        self.shown = 0  # generation of the preview on screen
        self._preview_timer: Timer | None = None
        self._preview_worker: Worker[None] | None = None
        self._previewed_text: str | None = None
        self._config_error_shown = False
        self._save_timer: Timer | None = None
        self._keep_failed = False  # said once that the unsaved text cannot be kept
        # The draft whose kept copy awaits the user's Restore or Discard: left alone till then.
        self._recovery_pending: Path | None = None
        self._listed_label: str | None = None  # the open draft's line in the list, as shown

    # --- layout ------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="compose-body"):
            yield OptionList(id="drafts")
            with Vertical(id="work"):
                yield SpellEditor(self.services, id="editor")
                yield PreviewPane(
                    id="preview", pictures=self.pictures, link_cards=self.services.link_cards
                )
        yield Footer(compact=True)

    def on_mount(self) -> None:
        editor = self.query_one("#editor", TextArea)
        editor.cursor_blink = not self.app.is_headless  # steady screenshots in tests
        self.query_one("#drafts", OptionList).border_title = "Drafts"
        self.refresh_drafts()
        path = self.draft_path
        if path is None:
            summaries = [s for s in list_drafts(self.services.drafts_dir) if s.error is None]
            path = summaries[0].path if summaries else None
        if path is not None:
            self.open_draft(path)
        else:
            self.sub_title = "no draft: ctrl+n to start one"
            editor.read_only = True  # nothing to save the text to yet
        editor.focus()
        self.set_interval(DISK_CHECK_INTERVAL, self.check_disk)

    @property
    def editor(self) -> SpellEditor:
        return self.query_one("#editor", SpellEditor)

    @property
    def preview_current(self) -> bool:
        """Whether the preview on screen is that of the editor's text (no split pending)."""
        return self.shown == self.requested and self.editor.text == self._previewed_text

    @property
    def saved(self) -> bool:
        return self.disk_text is not None and self.editor.text == self.disk_text

    def display_name(self, path: Path) -> str:
        """The draft's path as the user knows it: under the drafts folder's name."""
        folder = self.services.drafts_dir
        try:
            return str(Path(folder.name) / path.relative_to(folder))
        except ValueError:
            return str(path)

    def update_status(self) -> None:
        if self.draft_path is None:
            return
        if self.conflict:
            state = "⚠ changed on disk (ctrl+s to overwrite)"
        elif self.saved:
            state = "● saved"
        else:
            state = "○ unsaved"
        self.sub_title = f"{self.display_name(self.draft_path)} {state}"

    # --- drafts ------------------------------------------------------------------------------
    def refresh_drafts(self) -> None:
        drafts = self.query_one("#drafts", OptionList)
        drafts.clear_options()
        summaries = sorted(list_drafts(self.services.drafts_dir), key=lambda s: s.name)
        for summary in summaries:
            label = draft_label(summary.title, summary.name, bool(summary.error))
            drafts.add_option(Option(label, id=str(summary.path)))
        self._listed_label = None  # as on disk: the next preview says how the editor has it
        self._highlight_current()

    def relabel_current(self, preview: Preview) -> None:
        """The open draft's line in the list, as the editor's text now is: its title, and
        ⚠ only while its front matter is broken (not as it was when listed)."""
        if self.draft_path is None:
            return
        title = preview.draft.title if preview.draft is not None else ""
        label = draft_label(title, self.draft_path.stem, preview.error is not None)
        if label.plain == self._listed_label:
            return
        try:
            self.query_one("#drafts", OptionList).replace_option_prompt(str(self.draft_path), label)
        except OptionDoesNotExist:
            return  # a new draft not listed yet: the next listing has it
        self._listed_label = label.plain

    def _highlight_current(self) -> None:
        drafts = self.query_one("#drafts", OptionList)
        for index in range(drafts.option_count):
            if drafts.get_option_at_index(index).id == str(self.draft_path):
                drafts.highlighted = index

    @on(OptionList.OptionSelected, "#drafts")
    def draft_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id and event.option.id != str(self.draft_path):
            self.switch_to(Path(event.option.id))

    def switch_to(self, path: Path) -> None:
        """Open another draft, after saving this one; stays here when saving is not safe."""
        if not self.save_now():
            self.notify(
                f"{self.display_name(self.draft_path or path)} changed on disk: "
                "ctrl+s to overwrite it, then open the other draft",
                severity="warning",
            )
            self._highlight_current()
            return
        self.open_draft(path)

    def open_draft(self, path: Path) -> None:
        try:
            text = read_draft_file(path, self.display_name(path))
        except DraftError as error:
            self.notify(terminal_safe(error_text(error)), severity="error", markup=False)
            return
        self.draft_path = path
        self.editor.read_only = False
        self.disk_text = text
        self.conflict = False
        kept = unsaved_text(path, text, self.services.data_dir)
        self._recovery_pending = path if kept is not None else None
        self.editor.load_text(text)
        # In the body: a first key typed above the +++ line would make the settings text.
        self.editor.move_cursor((body_line(text), 0))
        self._listed_label = None
        self._highlight_current()
        self.update_status()
        self.request_preview(delay=0)
        if kept is not None:
            self.app.push_screen(
                RecoveryDialog(self.display_name(path), describe_changes(text, kept)),
                lambda restore: self.recovery_chosen(path, kept, bool(restore)),
            )

    def recovery_chosen(self, path: Path, kept: str, restore: bool) -> None:
        """The user's answer about the unsaved text of `path` kept from an earlier session."""
        self._recovery_pending = None
        if path != self.draft_path:
            return  # cannot happen while the dialog is modal; never touch another draft
        name = self.display_name(path)
        if not restore:
            forget_unsaved(path, self.services.data_dir)
            self.notify(f"{name}: the unsaved text was discarded", markup=False)
            return
        editor = self.editor
        row, _ = editor.cursor_location
        editor.replace(kept, (0, 0), editor.document.end, maintain_selection_offset=False)
        editor.move_cursor((min(row, editor.document.line_count - 1), 0))
        self.notify(
            f"{name}: the unsaved text is back in the editor and is saved to the file in a "
            "second (ctrl+z takes it out again)",
            markup=False,
            timeout=8,
        )

    def action_new_draft(self) -> None:
        self.app.push_screen(NewDraftDialog(self.services.drafts_dir), self.open_new)

    def action_import_document(self) -> None:
        self.app.push_screen(ImportDialog(self.services), self.open_new)

    def open_new(self, path: Path | None) -> None:
        """A draft just written (a new one, an imported one): listed, and opened."""
        if path is not None:
            self.refresh_drafts()
            self.switch_to(path)

    # --- typing: preview and autosave --------------------------------------------------------
    @on(TextArea.Changed, "#editor")
    def text_changed(self, event: TextArea.Changed) -> None:
        self.update_status()
        if self.draft_path is None:
            return
        self.track_unsaved()
        if self._save_timer is not None:
            self._save_timer.stop()
            self._save_timer = None
        if not self.saved:
            self._save_timer = self.set_timer(AUTOSAVE_DELAY, self.autosave)
        self.request_preview()

    def track_unsaved(self) -> None:
        """Keep the text on every change until the next save (a crash loses no keystroke),
        and forget it once the text is the file's again (an undo back to it): what was taken
        out must not come back with the next session."""
        if self.draft_path is None or self._recovery_pending == self.draft_path:
            return
        try:
            track_unsaved(self.draft_path, self.editor.text, self.disk_text, self.services.data_dir)
        except OSError as error:
            if not self._keep_failed:
                self._keep_failed = True
                self.notify(f"cannot keep unsaved text: {error}", severity="error", markup=False)

    def request_preview(self, delay: float = PREVIEW_DELAY) -> None:
        """Re-split the editor's text: at once when no split is running, else after `delay`
        seconds without typing (a burst of keys makes one split, not one each)."""
        self.requested += 1
        if self._preview_timer is not None:
            self._preview_timer.stop()
        running = self._preview_worker is not None and self._preview_worker.is_running
        if delay <= 0 or not running:
            self._start_preview()
        else:
            self._preview_timer = self.set_timer(delay, self._start_preview)

    def _start_preview(self) -> None:
        name = self.display_name(self.draft_path) if self.draft_path else "<draft>"
        pane = self.query_one(PreviewPane)
        self._preview_worker = self.compute_preview(
            self.requested, self.editor.text, name, self.draft_path, pane.platform, pane.previews
        )

    def config(self) -> Config | None:
        try:
            return self.services.config()
        except ConfigError as error:
            if not self._config_error_shown:
                self._config_error_shown = True
                shown = terminal_safe(error_text(error))
                self.app.call_from_thread(self.notify, shown, severity="error", markup=False)
            return None

    @work(thread=True, exclusive=True, group="preview")
    def compute_preview(
        self,
        generation: int,
        text: str,
        name: str,
        path: Path | None,
        active: str | None,
        previous: dict[str, PlatformPreview],
    ) -> None:
        """Split `text` for each platform, the one on screen first (shown at once, the other
        tabs keeping their previous threads until all are split). A newer keystroke cancels this
        worker, which then stops before the next platform."""
        worker = get_current_worker()
        config = self.config()
        try:
            draft = parse_draft(text, name, path)  # its images are found beside its file
        except DraftError as error:
            preview = Preview(None, error=str(error))
            self.app.call_from_thread(self.show_preview, generation, text, preview, True)  # type: ignore[arg-type]
            return
        platforms = platforms_for(draft, config)
        order = sorted(platforms, key=lambda platform: platform != active)
        done: dict[str, PlatformPreview] = {}
        services = self.services
        source = ConfigSource(services.config_path, services.workdir, services.config_generation)
        made = services.split_process.previews(
            draft, order, source, lambda platform: platform_preview(draft, platform, config)
        )
        for platform in order:
            if worker.is_cancelled:
                made.close()  # the process's previews not begun are not needed
                return
            done[platform] = next(made)
            complete = len(done) == len(platforms)
            # The tab on screen at once; the hidden tabs' threads with the last one (shown
            # earlier they would only repaint the same screen).
            first = platform == order[0] and set(platforms) <= set(previous)
            if complete or first:
                merged = [done.get(p) or previous[p] for p in platforms]
                self.app.call_from_thread(
                    self.show_preview,  # type: ignore[arg-type]
                    generation,
                    text,
                    Preview(draft, merged),
                    complete,
                )

    async def show_preview(
        self, generation: int, text: str, preview: Preview, complete: bool = True
    ) -> None:
        if generation != self.requested:
            return  # the text changed since: a newer preview is on its way
        if preview.draft is not None:
            self.draft = preview.draft
        try:
            await self.query_one(PreviewPane).show(preview)
        except NoMatches:
            return  # the app is closing (quit while a split was on its way): nothing to show
        self.relabel_current(preview)
        if complete:
            self.shown = generation
            self._previewed_text = text
        self.show_cursor_place()

    def action_platform(self, step: int) -> None:
        self.query_one(PreviewPane).step_platform(step)

    def action_copy_post(self) -> None:
        self.query_one(PreviewPane).copy_post()

    def action_copy_thread(self) -> None:
        self.query_one(PreviewPane).copy_thread()

    @on(TextArea.SelectionChanged, "#editor")
    def cursor_moved(self) -> None:
        self.show_cursor_place()

    @on(PreviewPane.PlatformShown)
    def platform_shown(self) -> None:
        self.show_cursor_place()

    def show_cursor_place(self) -> None:
        """`Ln 12, Col 4 · post 7/15 · 241/280` under the editor, for the preview's platform,
        and that post's card highlighted and scrolled into view."""
        editor = self.editor
        row, column = editor.cursor_location
        place = f"Ln {row + 1}, Col {column + 1}"
        pane = self.query_one(PreviewPane)
        draft = self.draft
        post = None
        # Only for the text the preview was made of: a post's offsets are of that text.
        if draft is not None and not pane.error and self.preview_current:
            body_row = draft.first_line - 1
            offset = len(editor.get_text_range((body_row, 0), (row, column)))
            in_body = row >= body_row
            post = pane.post_at(draft.body, offset) if in_body else None
            total = pane.post_count
            if not in_body:
                place += " · front matter"
            elif post is not None:
                place += f" · post {post.index}/{total} · {post.length}/{pane.limit}"
        pane.highlight(post.index if post is not None else None)
        editor.border_subtitle = place
        self.show_cuts()

    def help_notes(self) -> list[str]:
        """What F1 adds below the keys: whether the editor checks spelling, and in what."""
        note = self.editor.spelling_note
        return [note] if note else []

    def show_cuts(self) -> None:
        """Each post's number in the editor's gutter, on the line its text begins (for the
        preview's platform; none while the preview is not of the editor's text)."""
        pane = self.query_one(PreviewPane)
        draft = self.draft
        if draft is None or pane.error or not self.preview_current:
            self.editor.show_cuts([])
            return
        body = draft.body
        cuts: list[tuple[int, int, int]] = []
        first_row, done, row = draft.first_line - 1, 0, 0
        for offset, number in pane.post_starts(body):
            row += body.count("\n", done, offset)
            done = offset
            column = offset - (body.rfind("\n", 0, offset) + 1)
            cuts.append((first_row + row, column, number))
        self.editor.show_cuts(cuts)

    def autosave(self) -> None:
        if not self.saved:
            self.save_now()

    def check_disk(self) -> None:
        """Another program changed the file: take its text when nothing here is unsaved,
        else flag the conflict (the next save asks before overwriting)."""
        if self.draft_path is None or self.conflict or not self.disk_changed():
            return
        if self.saved and self.draft_path.is_file():
            self.open_draft(self.draft_path)
            self.notify(f"{self.display_name(self.draft_path)} changed on disk: reloaded")
        else:
            self.save_now()  # refuses, flags the conflict and warns

    def disk_changed(self) -> bool:
        """Whether the file is no longer what this screen last read or wrote."""
        if self.draft_path is None:
            return False
        try:
            current = read_draft_file(self.draft_path)
        except DraftError:
            return self.disk_text is not None and self.draft_path.exists()
        return current != self.disk_text

    def save_now(self, *, overwrite: bool = False) -> bool:
        """Write the editor's text to the draft file atomically, unless the file changed on
        disk under us (then warn, and write only with `overwrite`). True when saved."""
        if self.draft_path is None or self.saved:
            return True
        if not overwrite and (self.conflict or self.disk_changed()):
            if not self.conflict:
                self.conflict = True
                self.notify(
                    f"{self.display_name(self.draft_path)} was changed by another program; "
                    "not saved (ctrl+s to overwrite it)",
                    severity="warning",
                    markup=False,
                    timeout=8,
                )
            self.update_status()
            return False
        text = self.editor.text
        try:
            write_atomically(self.draft_path, text)
        except OSError as error:
            self.notify(f"cannot save: {error}", severity="error", markup=False)
            return False
        self.disk_text = text
        self.conflict = False
        forget_unsaved(self.draft_path, self.services.data_dir)
        self.update_status()
        return True

    def action_save(self) -> None:
        if not self.conflict and self.disk_changed() and not self.saved:
            self.save_now()  # marks the conflict and warns
            return
        if not self.conflict:
            self.save_now()
            return
        name = self.display_name(self.draft_path) if self.draft_path else "the draft"

        def confirmed(overwrite: bool | None) -> None:
            if overwrite:
                self.save_now(overwrite=True)

        self.app.push_screen(
            ConfirmDialog(
                f"{name} was changed by another program since it was opened here. "
                "Overwrite it with the text in the editor?",
                "Overwrite",
            ),
            confirmed,
        )

    def save_on_exit(self) -> None:
        """Called when the app quits: save, or keep the text beside a changed file."""
        if self.draft_path is None or self.saved:
            return
        if not self.save_now():
            keep = self.draft_path.with_name(f"{self.draft_path.name}.unsaved")
            write_atomically(keep, self.editor.text)

    # --- actions over the draft --------------------------------------------------------------
    def action_schedule(self) -> None:
        if self.draft_path is None:
            self.notify("no draft to schedule", severity="warning")
            return
        if not self.save_now():
            return

        def scheduled(result: ScheduleResult | None) -> None:
            if result is None:
                return
            if result.front_matter:  # the settings chosen there, kept in the draft
                self.change_front_matter(result.front_matter)
            self.notify(result.said(), markup=False)

        self.app.push_screen(ScheduleDialog(self.services, self.draft_path), scheduled)

    def action_draft_settings(self) -> None:
        if self.draft_path is None or self.editor.read_only:
            self.notify("no draft: ctrl+n to start one", severity="warning")
            return
        try:
            form = DraftSettingsDialog(self.services, self.editor.text)
        except DraftError as error:
            said = terminal_safe(f"fix the front matter first: {error}")
            self.notify(said, severity="error", markup=False)
            return
        self.app.push_screen(form, lambda changes: self.change_front_matter(changes or {}))

    def action_mentions(self) -> None:
        draft = self.draft or Draft(body="")
        self.app.push_screen(
            MentionsPicker(self.services, draft.mentions, draft.mention_placement),
            self.apply_mentions,
        )

    def action_hashtags(self) -> None:
        draft = self.draft or Draft(body="")
        self.app.push_screen(
            HashtagsPicker(
                self.services, draft.hashtags, draft.hashtag_placement, draft.hashtag_terms
            ),
            self.apply_hashtags,
        )

    def apply_mentions(self, choice: MentionsChoice | None) -> None:
        if choice is not None:
            self.change_front_matter(
                {"mentions": list(choice.names), "mention_placement": choice.placement}
            )

    def apply_hashtags(self, choice: HashtagsChoice | None) -> None:
        if choice is not None:
            self.change_front_matter(
                {
                    "hashtags": list(choice.tags),
                    "hashtag_placement": choice.placement,
                    "hashtag_terms": list(choice.terms) if choice.terms is not None else None,
                }
            )

    def change_front_matter(self, changes: dict[str, object]) -> None:
        """Rewrite those front-matter keys in the editor (an undoable edit)."""
        editor = self.editor
        try:
            text = update_front_matter(editor.text, changes)
        except DraftError as error:
            self.notify(f"fix the front matter first: {error}", severity="error", markup=False)
            return
        if text == editor.text:
            return
        row, column = editor.cursor_location
        added_lines = text.count("\n") - editor.text.count("\n")  # above the body
        editor.replace(text, (0, 0), editor.document.end, maintain_selection_offset=False)
        row = min(max(row + added_lines, 0), editor.document.line_count - 1)
        editor.move_cursor((row, column))

    def action_insert_image(self) -> None:
        """Ask for an image file and its alt text; the image line goes on its own line
        after the cursor's paragraph (an undoable edit, re-split as typing is)."""
        if self.draft_path is None or self.editor.read_only:
            self.notify("no draft to put an image in: ctrl+n to start one", severity="warning")
            return
        try:  # the text as it is now (the preview's draft may be a keystroke old)
            draft = parse_draft(self.editor.text, path=self.draft_path)
        except DraftError:
            draft = Draft(body="", path=self.draft_path)
        try:
            config: Config | None = self.services.config()
        except ConfigError:
            config = None  # the preview has said why
        platforms = platforms_for(draft, config)
        # The alt text each takes: a Mastodon instance's own limit where it is remembered.
        limits = [
            AltLimit(
                label_of(p), alt_text_limit(p, account_figures(draft_account(draft, p, config)))
            )
            for p in platforms
        ]
        required = any(alt_text_required(draft, draft_account(draft, p, config)) for p in platforms)
        self.app.push_screen(
            InsertImageDialog(self.draft_path.parent, limits, required=required),
            self.insert_image_line,
        )

    def insert_image_line(self, line: str | None) -> None:
        if line is None:
            return
        editor = self.editor
        lines = editor.document.lines
        row = image_insert_point(lines, editor.cursor_location[0], body_line(editor.text))
        if row < len(lines):
            editor.insert(f"{line}\n", (row, 0), maintain_selection_offset=False)
            editor.move_cursor((row, len(line)))
        else:  # after a last line without its newline
            editor.insert(f"\n{line}", editor.document.end, maintain_selection_offset=False)
            editor.move_cursor(editor.document.end)
