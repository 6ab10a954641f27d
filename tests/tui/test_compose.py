"""The compose screen driven as a user drives it: keys through Textual's pilot."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from rich.console import Console
from textual.binding import Binding
from textual.pilot import Pilot
from textual.widgets import OptionList, Static, TextArea

from composer.scheduling import ScheduledEdition
from composer.tui import Services, make_app
from composer.tui.app import ComposerApp
from composer.tui.compose import ComposeScreen
from composer.tui.confirm import ConfirmDialog
from composer.tui.newdraft import NewDraftDialog
from composer.tui.pickers import HashtagsChoice, HashtagsPicker, MentionsChoice, MentionsPicker
from composer.tui.preview import PostCard, PreviewPane
from composer.tui.preview_work import build_preview
from composer.tui.schedule import ScheduleDialog
from composer.tui.scheduled import ScheduleResult
from composer.workspace.draft_split import split_draft
from composer.workspace.drafts import parse_draft, update_front_matter
from tests.helpers import accounts_toml, linkedin_account
from tests.tui.conftest import FIXED_NOW, compose_settled

pytestmark = pytest.mark.anyio
SIZES = [(80, 24), (120, 40)]


def example(services: Services) -> Path:
    return services.drafts_dir / "example.md"


def screen_of(app: ComposerApp) -> ComposeScreen:
    assert isinstance(app.screen, ComposeScreen)
    return app.screen


def previews(app: ComposerApp) -> PreviewPane:
    return screen_of(app).query_one(PreviewPane)


def editor(app: ComposerApp) -> TextArea:
    return screen_of(app).query_one("#editor", TextArea)


def shown_text(widget: Static) -> str:
    """What a Static shows, as plain text (rendered at 100 columns)."""
    console = Console(width=100, record=True, file=io.StringIO())
    console.print(widget.content)
    return console.export_text()


async def wait_until(pilot: Pilot[object], condition: Callable[[], bool]) -> None:
    """Let the app run until `condition` holds (timers fire late on a busy machine)."""
    for _ in range(500):
        if condition():
            return
        await pilot.pause(0.02)
    raise AssertionError("the app never got there")


async def type_at_end(app: ComposerApp, pilot: object, text: str) -> None:
    area = editor(app)
    area.move_cursor(area.document.end)
    await pilot.press(*[("space" if c == " " else c) for c in text])  # type: ignore[attr-defined]


@pytest.mark.parametrize("size", SIZES)
async def test_typing_re_splits_the_preview(tui_services: Services, size: tuple[int, int]) -> None:
    app = make_app(tui_services, example(tui_services))
    async with app.run_test(size=size) as pilot:
        await compose_settled(pilot)
        pane = previews(app)
        assert list(pane.previews) == ["x", "mastodon", "bluesky"]  # the draft's accounts
        before = pane.previews["x"].thread
        assert before is not None
        await type_at_end(app, pilot, " Zebra-crossing quagmire appended.")
        await compose_settled(pilot)
        after = pane.previews["x"].thread
        assert after is not None and after is not before
        assert "Zebra-crossing quagmire appended." in after.posts[-1].text
        # The preview is what publishing would send: the same composition of the same text.
        expected = split_draft(parse_draft(editor(app).text), "x", tui_services.config())
        assert [(p.text, p.length) for p in after.posts] == [
            (p.text, p.length) for p in expected.posts
        ]
        total = len(expected.posts)
        assert f"X · {total} posts · 280" in shown_text(pane.query_one("#summary", Static))
        cards = list(pane.query(PostCard))
        assert [(c.border_title, c.border_subtitle) for c in cards] == [
            (f"{p.index}/{total}", f"{p.length}/280") for p in expected.posts
        ]
        assert "Zebra-crossing quagmire appended." in shown_text(cards[-1])


async def test_the_card_titles_show_index_and_length(tui_services: Services) -> None:
    app = make_app(tui_services, example(tui_services))
    async with app.run_test(size=(120, 40)) as pilot:
        await compose_settled(pilot)
        thread = previews(app).previews["x"].thread
        assert thread is not None
        text = app.export_screenshot()
        first = thread.posts[0]
        assert f"1/{len(thread.posts)}" in text
        assert f"{first.length}/280" in text


async def test_autosave_writes_the_file_after_a_pause(
    tui_services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    import composer.tui.compose as compose_module

    writes: list[Path] = []
    real_write = compose_module.write_atomically

    def spy(path: Path, text: str) -> None:
        writes.append(path)
        real_write(path, text)

    monkeypatch.setattr(compose_module, "write_atomically", spy)
    path = example(tui_services)
    original = path.read_text()
    app = make_app(tui_services, path)
    async with app.run_test(size=(80, 24)) as pilot:
        await compose_settled(pilot)
        screen = screen_of(app)
        assert screen.sub_title == "drafts/example.md ● saved"
        await type_at_end(app, pilot, " More.")
        assert screen.sub_title == "drafts/example.md ○ unsaved"
        assert path.read_text() == original  # not on every keystroke
        await wait_until(pilot, lambda: path.read_text() != original)
        assert path.read_text() == original + " More."
        assert writes == [path]  # through the atomic writer
        assert screen.sub_title == "drafts/example.md ● saved"
        assert sorted(p.name for p in path.parent.iterdir()) == ["example.md"]  # no temp left


async def test_ctrl_s_saves_at_once_and_quitting_saves(tui_services: Services) -> None:
    path = example(tui_services)
    original = path.read_text()
    app = make_app(tui_services, path)
    async with app.run_test(size=(80, 24)) as pilot:
        await compose_settled(pilot)
        await type_at_end(app, pilot, " A")
        await pilot.press("ctrl+s")
        assert path.read_text() == original + " A"
        assert screen_of(app).sub_title.endswith("● saved")
        await type_at_end(app, pilot, " B")
        await pilot.press("ctrl+q")
    assert path.read_text() == original + " A B"


async def test_a_front_matter_error_is_shown_and_the_last_preview_kept(
    tui_services: Services,
) -> None:
    app = make_app(tui_services, example(tui_services))
    async with app.run_test(size=(80, 24)) as pilot:
        await compose_settled(pilot)
        pane = previews(app)
        good = dict(pane.previews)
        area = editor(app)
        original = area.text
        # Line 7 of the file is `hook = true`: break it, with markup-like text in it.
        area.move_cursor((6, 0))
        area.select_line(6)
        await pilot.press(*"hook = [bold")
        await compose_settled(pilot)
        assert pane.has_class("-error")
        shown = shown_text(pane.query_one("#preview-error", Static))
        assert "drafts/example.md:7: bad front matter" in shown
        assert pane.previews == good  # the cards of the last good text stay
        area.replace(original.replace("hook = true", "hook = false"), (0, 0), area.document.end)
        await compose_settled(pilot)
        assert not pane.has_class("-error")
        thread = pane.previews["x"].thread
        assert thread is not None and thread.posts[0].text.startswith("1/")  # no hook now


async def test_open_another_draft_from_the_list(tui_services: Services) -> None:
    other = tui_services.drafts_dir / "another.md"
    other.write_text('+++\ntitle = "Another"\nplatforms = ["bluesky"]\n+++\nShort one.\n')
    path = example(tui_services)
    app = make_app(tui_services, path)
    async with app.run_test(size=(80, 24)) as pilot:
        await compose_settled(pilot)
        await type_at_end(app, pilot, " Z")
        drafts = screen_of(app).query_one("#drafts", OptionList)
        assert [drafts.get_option_at_index(i).id for i in range(drafts.option_count)] == [
            str(other),
            str(path),
        ]
        drafts.focus()
        drafts.highlighted = 0
        await pilot.press("enter")
        await compose_settled(pilot)
        assert editor(app).text == other.read_text()
        assert list(previews(app).previews) == ["bluesky"]
        assert screen_of(app).sub_title == "drafts/another.md ● saved"
        assert path.read_text().endswith(" Z")  # the draft left was saved first


async def test_the_palette_runs_an_action(tui_services: Services) -> None:
    path = example(tui_services)
    app = make_app(tui_services, path)
    async with app.run_test(size=(80, 24)) as pilot:
        await compose_settled(pilot)
        await type_at_end(app, pilot, " P")
        await pilot.press("ctrl+p")
        await pilot.press(*"save the draft")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert path.read_text().endswith(" P")
        await pilot.press("ctrl+p")
        await pilot.press(*"go to queue")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert app.current_mode == "queue"


async def test_a_mentions_choice_rewrites_the_front_matter(tui_services: Services) -> None:
    app = make_app(tui_services, example(tui_services))
    async with app.run_test(size=(120, 40)) as pilot:
        await compose_settled(pilot)
        await pilot.press("ctrl+o")
        picker = app.screen
        assert isinstance(picker, MentionsPicker)
        assert picker.chosen == ("hrw", "freedomhouse") and picker.placement == "first"
        picker.dismiss(MentionsChoice(("hrw",), "last"))
        await compose_settled(pilot)
        text = editor(app).text
        assert 'mentions = ["hrw"]\nmention_placement = "last"\n' in text
        assert 'hashtags = ["KazakhstanElections"]' in text  # the rest untouched
        pane = previews(app)
        handles = {"x": "@hrw", "mastodon": "@hrw@mastodon.social", "bluesky": "@hrw.org"}
        for platform, handle in handles.items():
            thread = pane.previews[platform].thread
            assert thread is not None
            assert handle in thread.posts[-1].text and handle not in thread.posts[0].text
        await pilot.press("ctrl+z")  # an ordinary edit: undo brings the old mentions back
        assert 'mentions = ["hrw", "freedomhouse"]' in editor(app).text


async def test_a_hashtags_choice_rewrites_the_front_matter(tui_services: Services) -> None:
    app = make_app(tui_services, example(tui_services))
    async with app.run_test(size=(80, 24)) as pilot:
        await compose_settled(pilot)
        await pilot.press("ctrl+g")
        picker = app.screen
        assert isinstance(picker, HashtagsPicker)
        assert picker.tags == ("KazakhstanElections",) and picker.terms is None
        picker.dismiss(HashtagsChoice(("Vote2026",), "first", ("OSCE",)))
        await compose_settled(pilot)
        draft = parse_draft(editor(app).text)
        assert draft.hashtags == ["Vote2026"] and draft.hashtag_placement == "first"
        assert draft.hashtag_terms == ["OSCE"]
        thread = previews(app).previews["x"].thread
        assert thread is not None
        published = "\n".join(p.text for p in thread.posts)
        assert "#Vote2026" in thread.posts[0].text and "#Kazakhstan " not in published


async def test_a_file_changed_on_disk_is_not_overwritten_silently(
    tui_services: Services,
) -> None:
    path = example(tui_services)
    app = make_app(tui_services, path)
    async with app.run_test(size=(80, 24)) as pilot:
        await compose_settled(pilot)
        await type_at_end(app, pilot, " mine")
        path.write_text("Someone else's text.\n")  # before the autosave
        await wait_until(pilot, lambda: "changed on disk" in screen_of(app).sub_title)
        assert path.read_text() == "Someone else's text.\n"
        await pilot.press("ctrl+s")
        dialog = app.screen
        assert isinstance(dialog, ConfirmDialog)
        dialog.dismiss(True)
        await pilot.pause()
        assert path.read_text().endswith(" mine")
        assert screen_of(app).sub_title.endswith("● saved")


async def test_quitting_beside_a_changed_file_keeps_both(tui_services: Services) -> None:
    path = example(tui_services)
    app = make_app(tui_services, path)
    async with app.run_test(size=(80, 24)) as pilot:
        await compose_settled(pilot)
        await type_at_end(app, pilot, " ours")
        path.write_text("Theirs.\n")
        await pilot.press("ctrl+q")
    assert path.read_text() == "Theirs.\n"
    assert path.with_name("example.md.unsaved").read_text().endswith(" ours")


async def test_ctrl_n_creates_and_opens_a_draft(tui_services: Services) -> None:
    app = make_app(tui_services, example(tui_services))
    async with app.run_test(size=(80, 24)) as pilot:
        await compose_settled(pilot)
        await pilot.press("ctrl+n")
        assert isinstance(app.screen, NewDraftDialog)
        await pilot.press(*"Budget", "space", *"hearing", "enter")
        await compose_settled(pilot)
        created = tui_services.drafts_dir / "budget-hearing.md"
        assert parse_draft(created.read_text()).title == "Budget hearing"
        assert screen_of(app).sub_title == "drafts/budget-hearing.md ● saved"
        options = screen_of(app).query_one("#drafts", OptionList)
        assert options.option_count == 2


async def test_a_new_draft_is_empty_below_its_settings_and_typing_goes_there(
    tui_services: Services,
) -> None:
    """No placeholder to publish by mistake, and the first key typed is the report's."""
    app = make_app(tui_services, example(tui_services))
    async with app.run_test(size=(80, 24)) as pilot:
        await compose_settled(pilot)
        await pilot.press("ctrl+n")
        await pilot.press(*"Budget", "enter")
        await compose_settled(pilot)
        created = tui_services.drafts_dir / "budget.md"
        assert parse_draft(created.read_text()).body == ""
        assert editor(app).cursor_location == (3, 0)  # below the closing +++
        await pilot.press("H", "i", "ctrl+s")
    draft = parse_draft(created.read_text())
    assert (draft.meta, draft.body) == ({"title": "Budget"}, "Hi")


async def test_schedule_pushes_the_dialog_and_reports_the_result(
    tui_services: Services,
) -> None:
    path = example(tui_services)
    app = make_app(tui_services, path)
    async with app.run_test(size=(80, 24)) as pilot:
        await compose_settled(pilot)
        await pilot.press("ctrl+t")
        dialog = app.screen
        assert isinstance(dialog, ScheduleDialog) and dialog.draft_path == path
        edition = ScheduledEdition(7, "ank-x", FIXED_NOW, "Asia/Almaty", 20)
        dialog.dismiss(ScheduleResult(editions=[edition]))
        await pilot.pause()
        messages = [n.message for n in app._notifications]
        assert "scheduled: ank-x at 2026-11-30 08:00 UTC (#7)" in messages


async def test_settings_chosen_in_the_schedule_dialog_are_written_to_the_draft(
    tui_services: Services,
) -> None:
    """The dialog's settings go into the draft's front matter; the rest of it, comments
    and spacing included, stays as it was."""
    path = example(tui_services)
    before = path.read_text()
    app = make_app(tui_services, path)
    async with app.run_test(size=(80, 24)) as pilot:
        await compose_settled(pilot)
        await pilot.press("ctrl+t")
        dialog = app.screen
        assert isinstance(dialog, ScheduleDialog)
        changes = {"replies": "nobody", "quotes": False}
        dialog.dismiss(ScheduleResult(message="scheduled", front_matter=changes))
        await pilot.pause()
        text = screen_of(app).editor.text
    assert parse_draft(text).post_options == replace(
        parse_draft(before).post_options, replies="nobody", quotes="not_first"
    )
    assert update_front_matter(before, changes) == text


async def test_opens_on_the_newest_draft_without_a_path(tui_services: Services) -> None:
    app = make_app(tui_services)
    async with app.run_test(size=(80, 24)) as pilot:
        await compose_settled(pilot)
        assert screen_of(app).draft_path == example(tui_services)


async def test_a_stale_preview_is_dropped(tui_services: Services) -> None:
    """A result computed for older text never replaces the preview of newer text."""
    app = make_app(tui_services, example(tui_services))
    async with app.run_test(size=(80, 24)) as pilot:
        await compose_settled(pilot)
        screen = screen_of(app)
        pane = previews(app)
        current = dict(pane.previews)
        old_text = editor(app).text
        stale = build_preview(old_text.replace("Sunday's", "STALE"), "x", tui_services.config())
        await screen.show_preview(screen.requested - 1, old_text, stale)
        assert pane.previews == current
        await screen.show_preview(screen.requested, old_text, stale)  # the latest: shown
        thread = pane.previews["x"].thread
        assert thread is not None and "STALE" in thread.posts[0].text


async def test_a_file_changed_on_disk_is_reloaded_when_nothing_is_unsaved(
    tui_services: Services,
) -> None:
    path = example(tui_services)
    app = make_app(tui_services, path)
    async with app.run_test(size=(80, 24)) as pilot:
        await compose_settled(pilot)
        path.write_text("Edited elsewhere.\n")
        screen_of(app).check_disk()  # what the screen's timer does every two seconds
        await compose_settled(pilot)
        assert editor(app).text == "Edited elsewhere.\n"
        thread = previews(app).previews["x"].thread
        assert thread is not None and thread.posts[0].text.startswith("Edited elsewhere.")
        assert screen_of(app).sub_title == "drafts/example.md ● saved"


def kept_copy(services: Services, path: Path) -> Path:
    from composer.workspace.recovery import recovery_file

    return recovery_file(path, services.data_dir)


async def test_undo_back_to_the_saved_text_forgets_the_kept_copy(tui_services: Services) -> None:
    """Type " SECRET", undo it before the autosave, quit: nothing of it survives, and the
    next session opens the file as it is, asking nothing (issue 10)."""
    path = example(tui_services)
    original = path.read_text()
    app = make_app(tui_services, path)
    async with app.run_test(size=(80, 24)) as pilot:
        await compose_settled(pilot)
        await type_at_end(app, pilot, " SECRET")
        copy = kept_copy(tui_services, path)
        assert "SECRET" in copy.read_text()
        for _ in range(10):
            if editor(app).text == original:
                break
            await pilot.press("ctrl+z")
        assert editor(app).text == original
        await wait_until(pilot, lambda: not copy.exists())  # the last Changed is handled
        await pilot.pause(1.3)  # past the autosave delay
        await pilot.press("ctrl+q")
    assert path.read_text() == original and not copy.exists()
    app = make_app(tui_services, path)
    async with app.run_test(size=(80, 24)) as pilot:
        await compose_settled(pilot)
        assert isinstance(app.screen, ComposeScreen)
        assert editor(app).text == original
    assert path.read_text() == original


async def test_a_kept_copy_is_shown_and_restored_only_on_restore(tui_services: Services) -> None:
    from composer.tui.recovery import RecoveryDialog
    from composer.workspace.recovery import keep_unsaved

    path = example(tui_services)
    original = path.read_text()
    kept = original + " SECRET\x1b[2J"
    keep_unsaved(path, kept, tui_services.data_dir)
    app = make_app(tui_services, path)
    async with app.run_test(size=(100, 30)) as pilot:
        await compose_settled(pilot)
        dialog = app.screen
        assert isinstance(dialog, RecoveryDialog)
        changes = shown_text(dialog.query_one("#changes", Static))
        assert "1 line added, 0 lines removed" in changes
        assert "+  SECRET\\u001b[2J" in changes  # escaped, never sent to the terminal
        assert screen_of_stack(app).editor.text == original  # the file's text until asked
        await pilot.press("escape")  # not a way out: the question stays
        assert app.screen is dialog
        await pilot.pause(1.3)  # past the autosave delay: nothing written
        assert path.read_text() == original
        assert kept_copy(tui_services, path).read_text() == kept
        await pilot.click("#restore")
        await pilot.pause()
        assert editor(app).text == kept
        messages = [n.message for n in app._notifications]
        assert any("back in the editor" in m for m in messages)
        await wait_until(pilot, lambda: path.read_text() == kept)  # the user chose it
        assert not kept_copy(tui_services, path).exists()


async def test_a_kept_copy_discarded_is_gone(tui_services: Services) -> None:
    from composer.tui.recovery import RecoveryDialog
    from composer.workspace.recovery import keep_unsaved

    path = example(tui_services)
    original = path.read_text()
    keep_unsaved(path, "Witness: A. Name\n" + original, tui_services.data_dir)
    app = make_app(tui_services, path)
    async with app.run_test(size=(100, 30)) as pilot:
        await compose_settled(pilot)
        assert isinstance(app.screen, RecoveryDialog)
        await pilot.click("#discard")
        await compose_settled(pilot)
        assert editor(app).text == original
        assert not kept_copy(tui_services, path).exists()
        await pilot.pause(1.3)
    assert path.read_text() == original


async def test_a_kept_copy_equal_to_the_file_is_deleted_silently(tui_services: Services) -> None:
    from composer.workspace.recovery import keep_unsaved

    path = example(tui_services)
    keep_unsaved(path, path.read_text(), tui_services.data_dir)
    app = make_app(tui_services, path)
    async with app.run_test(size=(80, 24)) as pilot:
        await compose_settled(pilot)
        assert isinstance(app.screen, ComposeScreen)
        assert not kept_copy(tui_services, path).exists()
        assert not app._notifications


async def test_a_draft_opens_with_the_cursor_in_the_body(tui_services: Services) -> None:
    """The first key a newcomer types goes into the report, never above the +++ line."""
    path = example(tui_services)
    original = parse_draft(path.read_text())
    app = make_app(tui_services, path)
    async with app.run_test(size=(80, 24)) as pilot:
        await compose_settled(pilot)
        await pilot.press("H", "i")
        await pilot.press("ctrl+s")
    draft = parse_draft(path.read_text())
    assert draft.meta == original.meta
    assert draft.body == "Hi" + original.body


def screen_of_stack(app: ComposerApp) -> ComposeScreen:
    """The compose screen below a dialog."""
    screen = next(s for s in app.screen_stack if isinstance(s, ComposeScreen))
    return screen


def test_the_preview_uses_the_accounts_own_limit_as_publishing_does() -> None:
    """A Mastodon account with `max_characters = 1000` is published in posts of up to 1000
    characters (plan_editions): the preview of a draft for that account splits the same."""
    from composer.publishing import plan_editions
    from composer.workspace.config import parse_config

    config = parse_config(
        '[accounts.masto]\nplatform = "mastodon"\ninstance = "https://example.social"\n'
        'access_token_env = "PREVIEW_LIMIT_TOKEN"\nmax_characters = 1000\n',
        name="accounts.toml",
        path=None,
    )
    body = " ".join(f"word{i}" for i in range(140))  # about 900 characters
    text = f'+++\ntitle = "Long"\naccounts = ["masto"]\n+++\n\n{body}\n'
    preview = build_preview(text, "long.md", config)
    [shown] = preview.platforms
    assert shown.thread is not None
    [plan] = plan_editions(parse_draft(text, "long.md"), Path("long.md"), config, ["masto"])
    assert plan.thread.limit == 1000
    assert shown.thread.limit == plan.thread.limit
    assert [p.text for p in shown.thread.posts] == [p.text for p in plan.thread.posts]


def test_the_preview_says_what_each_platform_is_sent_with_as_publishing_plans_it() -> None:
    from composer.publishing import plan_editions
    from composer.tui.preview import summary_of
    from composer.workspace.config import parse_config

    config = parse_config(
        '[accounts.masto]\nplatform = "mastodon"\ninstance = "https://example.social"\n'
        'access_token_env = "PREVIEW_OPTIONS_TOKEN"\nreply_visibility = "unlisted"\n',
        name="accounts.toml",
        path=None,
    )
    text = (
        '+++\ntitle = "CW"\naccounts = ["masto"]\nplatforms = ["x"]\n'
        'content_warning = "Detentions"\nreplies = "nobody"\n+++\n\nThe report.\n'
    )
    masto, x = build_preview(text, "cw.md", config).platforms
    said = summary_of(masto).plain
    assert "sent with reply_visibility unlisted, content_warning Detentions" in said
    assert "Mastodon has no control of who may reply" in said
    assert 'X has no replies = "nobody": using "mentioned"' in summary_of(x).plain
    [plan] = plan_editions(parse_draft(text, "cw.md"), Path("cw.md"), config, ["masto"])
    assert dict(masto.settings) == plan.shown_options(defaults=False)
    assert masto.thread is not None and masto.thread.limit == plan.thread.limit == 490


def test_each_compose_key_is_one_binding_and_one_palette_command_that_runs_an_action() -> None:
    from composer.tui.compose import ComposeScreen
    from composer.tui.keymap import COMPOSE_KEYS

    bindings = [b for b in ComposeScreen.BINDINGS if isinstance(b, Binding)]
    bound = [(b.key, b.action) for b in bindings if b.group is None]  # not the platform keys
    assert bound == [(k.key, k.action) for k in COMPOSE_KEYS]
    assert len({k.key for k in COMPOSE_KEYS}) == len(COMPOSE_KEYS)
    for k in COMPOSE_KEYS:
        assert callable(getattr(ComposeScreen, f"action_{k.action}", None)), k.action


def test_the_preview_of_a_linkedin_account_splits_and_refuses_as_publishing_does() -> None:
    """A LinkedIn account that continues a long report in comments is previewed in parts of
    a comment's limit, as published; one that does not shows publishing's refusal."""
    from composer.publishing import PublishError, plan_editions
    from composer.workspace.config import parse_config

    accounts = {"li": linkedin_account(), "li-more": linkedin_account(overflow="comments")}
    config = parse_config(accounts_toml(accounts), name="accounts.toml", path=None)
    body = "The count (in Almaty) was slow. " * 120  # about 4,100 characters as sent
    for name in ("li", "li-more"):
        text = f'+++\ntitle = "Long"\naccounts = ["{name}"]\n+++\n\n{body}\n'
        [shown] = build_preview(text, "long.md", config).platforms
        assert shown.thread is not None
        draft = parse_draft(text, "long.md")
        if name == "li":
            refusals = [w for w in shown.thread.warnings if "LinkedIn post takes 3,000" in w]
            with pytest.raises(PublishError) as refused:
                plan_editions(draft, Path("long.md"), config, [name])
            assert refusals == [str(refused.value).removeprefix("li: ")]
            continue
        [plan] = plan_editions(draft, Path("long.md"), config, [name])
        assert shown.thread.limit == plan.thread.limit == 1250
        assert [p.text for p in shown.thread.posts] == [p.text for p in plan.thread.posts]
