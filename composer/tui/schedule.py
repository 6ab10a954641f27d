"""The schedule dialog: when and to which accounts a draft goes, or publish it now.

`ScheduleDialog(services, draft_path)` is pushed by the compose screen (ctrl+t). It asks for
the accounts (the draft's by default), a date and time and a zone (validated exactly as
`thread-composer schedule` does, through `composer.scheduling`), or "next free slot", or
"publish now" (after a ConfirmDialog naming the accounts). Its settings rows choose the
draft's per-network settings (language, visibility, content warning, who may reply or
quote), the draft's own preselected: the editions are planned with them, the summary shows
what each account sends, and the compose screen writes the changes to the draft's front
matter (`ScheduleResult.front_matter`). "Repeat" takes a recurring rule
instead of a time (`schedule --every`: one rule per account), "Continue" the id of an edition
the draft continues (`--follows`, with "UPDATE" for `--update`). It does the
scheduling or publishing itself and is dismissed with a `ScheduleResult`, or None when
cancelled.

Every decision (which zone, whether a time exists, which slot is free, whether the accounts
file may publish, a rule's times, a follow-up's account and numbers) is taken by
`composer.scheduling`, `composer.recurring` and `composer.publishing`; this module only
collects the input and shows their answers.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Checkbox, Input, Label, Select, SelectionList, Static

from composer.daemon_note import daemon_note
from composer.errors import ComposerError
from composer.publishing import (
    EditionPlan,
    Event,
    PublishError,
    check_not_published,
    follow_up,
    plan_editions,
    ready_to_send,
    run_editions,
)
from composer.recurring import RuleError, create_rules, parse_rule, rule_zone
from composer.scheduling import (
    ScheduleChoice,
    ScheduleError,
    draft_schedule,
    draft_zone,
    next_free_slot,
    schedule_draft,
    schedule_follow_up,
    when_given,
)
from composer.store import Database, StoreError, find_edition
from composer.text.display import plural
from composer.tui.confirm import ConfirmDialog
from composer.tui.dialog import Dialog
from composer.tui.notes import Note, shown
from composer.tui.remote import error_text
from composer.tui.scheduled import ScheduleResult
from composer.tui.sending import Progress
from composer.tui.services import Services
from composer.tui.setting_rows import (
    SETTING_IDS,
    SETTING_ROWS,
    account_rows,
    setting_problem,
    setting_values,
    setting_widget,
)
from composer.tui.toggles import TickBox, TickList
from composer.workspace.config import Account, Config, ConfigError
from composer.workspace.draft_split import (
    account_overrides,
    post_options,
    quota_warning,
    split_draft,
)
from composer.workspace.drafts import Draft, DraftError, load_draft
from composer.workspace.when import (
    WhenError,
    format_local,
    next_quarter_hour,
    parse_when,
    zone_info,
)

_SAID_INLINE = (ScheduleError, WhenError, StoreError, RuleError)
# What to do when an account already has the thread (the CLI says "use --again ...").
SCHEDULE_AGAIN = "tick Again to schedule it once more"
PUBLISH_AGAIN = "tick Again to publish it once more"
BOTH_REFUSED = (
    "Repeat makes a recurring rule and Continue a one-off follow-up: fill in only one of them"
)


class ScheduleDialog(Dialog[ScheduleResult | None]):
    """Schedule a draft for its accounts, or publish it now. Escape cancels."""

    DEFAULT_CSS = """
    ScheduleDialog > VerticalScroll { width: 100; max-height: 100%; padding: 0 1; }
    ScheduleDialog #title { text-style: bold; margin-bottom: 1; }
    ScheduleDialog SelectionList { height: auto; max-height: 8; }
    ScheduleDialog #when { width: 1fr; }
    ScheduleDialog #zone { width: 1fr; }
    ScheduleDialog #repeat { width: 1fr; }
    ScheduleDialog #follows { width: 14; }
    ScheduleDialog #language { width: 12; }
    ScheduleDialog #content-warning { width: 1fr; }
    ScheduleDialog .row Select { width: 1fr; }
    ScheduleDialog #summary { color: $text-muted; }
    ScheduleDialog #publish-note, ScheduleDialog #note, ScheduleDialog #daemon {
        color: $warning;
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "schedule", "Schedule", id="schedule.schedule"),
    ]

    def __init__(self, services: Services, draft_path: Path) -> None:
        super().__init__()
        self.services = services
        self.draft_path = draft_path
        self._draft: Draft | None = None
        self._config: Config | None = None
        self._quota_warnings: dict[str, str | None] = {}  # by account: the draft is fixed here
        self._zone = "UTC"
        self._load_error: str | None = None
        self._suggested = ""  # the time offered, until the user types their own
        self._busy = False
        self._progress = Progress({})
        try:
            self._draft = load_draft(str(draft_path))
            self._config = services.config()
            self._zone = draft_zone(self._draft, self._config)
        except (DraftError, ConfigError, ScheduleError) as error:
            self._load_error = error_text(error)
        self._suggested = next_quarter_hour(services.now(), self._zone)
        # The draft's own `schedule` time, when it has one, is the time offered.
        self._from_draft = draft_schedule(self._draft) if self._draft else None
        self._base = self._draft  # the draft as its file says, before the settings rows
        self._changes: dict[str, object] = {}

    # --- layout -------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        title = self._draft.title if self._draft else self.draft_path.name
        drafted = set(self._draft.accounts) if self._draft else set()
        accounts = self._config.accounts.values() if self._config else ()
        with VerticalScroll():
            yield Static(f"Schedule [i]{shown(title)}[/i]", id="title")
            yield Label("Accounts")
            yield TickList[str](*account_rows(accounts, drafted), id="accounts")
            with Horizontal(classes="row"):
                yield Label("When")
                yield Input(
                    self._from_draft or self._suggested,
                    placeholder="YYYY-MM-DD HH:MM",
                    id="when",
                )
                yield Label("Zone")
                yield Input(self._zone, placeholder="IANA zone, e.g. Europe/Berlin", id="zone")
            with Horizontal(classes="row"):
                yield TickBox("Next free slot of each account", id="next-slot")
                yield TickBox("Again (a second copy)", id="again")
            with Horizontal(classes="row"):
                yield Label("Repeat")
                yield Input(placeholder="Mon 09:00, daily 09:00", id="repeat")
                yield Label("Continue")
                yield Input(placeholder="edition id", type="integer", id="follows")
                yield TickBox("UPDATE", id="update", disabled=True)
            meta = self._draft.meta if self._draft else {}
            for rows in (SETTING_ROWS[:4], SETTING_ROWS[4:]):
                with Horizontal(classes="row"):
                    for row in rows:
                        yield Label(row.label)
                        yield setting_widget(row, meta.get(row.key))
            yield Note(shown("\n".join(self._unknown_accounts())), id="note")
            with Vertical(id="footer"):
                yield Note(id="daemon")
                yield Note(id="summary")
                yield Note(id="error")
                yield Note(id="publish-note")
                yield Note(id="progress")
                with Horizontal(id="buttons"):
                    yield Button("Cancel", id="cancel")
                    yield Button("Publish now", id="publish", variant="warning")
                    yield Button("Schedule", id="schedule", variant="primary")

    def _settings(self) -> dict[str, object]:
        """The settings rows as front-matter values (None: not set); ScheduleError naming
        the first that no platform takes."""
        chosen = setting_values(self)
        problem = setting_problem(chosen)
        if problem is not None:
            raise ScheduleError(problem)
        return chosen

    def _apply_settings(self) -> None:
        """The draft as the settings rows make it (planned with, shown, written back)."""
        if self._base is None:
            return
        self._changes = {}
        self._draft = self._base
        chosen = self._settings()
        meta = dict(self._base.meta)
        for key, value in chosen.items():
            if meta.get(key) != value or (key in meta) != (value is not None):
                self._changes[key] = value
            if value is None:
                meta.pop(key, None)
            else:
                meta[key] = value
        self._draft = replace(self._base, meta=meta)

    def _options_lines(self, accounts: list[Account]) -> list[str]:
        """What each account's editions are sent with, and what its platform lacks."""
        assert self._draft is not None
        lines: list[str] = []
        for account in accounts:
            resolved = post_options(self._draft, account.platform, account_overrides(account))
            own = resolved.shown(defaults=False)
            if own:
                lines.append(f"{account.name}: " + ", ".join(f"{k}={v}" for k, v in own.items()))
            lines.extend(f"{account.name}: {warning}" for warning in resolved.warnings)
            quota = self._quota_warning(account)
            if quota is not None:
                lines.append(f"⚠ {account.name}: {quota}")
        return lines

    def _quota_warning(self, account: Account) -> str | None:
        """The account's daily quota against its thread (`quota_warning`, through the split
        every front end makes), worked out once per account while the dialog is open."""
        if account.name not in self._quota_warnings:
            assert self._draft is not None
            own = account_overrides(account)
            try:
                thread = split_draft(self._draft, account.platform, self._config, own)
            except ComposerError:  # said when it is scheduled; not a quota
                self._quota_warnings[account.name] = None
            else:
                self._quota_warnings[account.name] = quota_warning(own, len(thread.posts))
        return self._quota_warnings[account.name]

    def _finish(self, result: ScheduleResult) -> None:
        """Dismissed with `result` and the settings the draft is to take."""
        self.dismiss(replace(result, front_matter=dict(self._changes)))

    def _unknown_accounts(self) -> list[str]:
        """What the accounts file says of the draft's accounts it does not have."""
        if self._draft is None or self._config is None:
            return []
        said: list[str] = []
        for name in self._draft.accounts:
            try:
                self._config.account(name)
            except ConfigError as error:
                said.append(f"the draft's {error}")
        return said

    def on_mount(self) -> None:
        if self._load_error is not None:
            self._error(self._load_error)
            for button in ("#schedule", "#publish"):
                self.query_one(button, Button).disabled = True
            return
        self.query_one("#when", Input).focus()
        self._say_whether_a_daemon_runs()
        self._refresh()
        self._check_publish()

    def _say_whether_a_daemon_runs(self) -> None:
        """A scheduled thread goes out only if a daemon runs: say so when none has lately."""
        try:
            note = daemon_note(self.services.database(), self.services.now(), scheduling=True)
        except StoreError as error:
            note = error_text(error)
        self.query_one("#daemon", Note).say(shown(note or ""))

    # --- what the user sees as they type ------------------------------------------------
    @on(Input.Changed, "#zone")
    def _zone_changed(self, event: Input.Changed) -> None:
        """The time offered follows the zone (a time the user typed stays as typed)."""
        when = self.query_one("#when", Input)
        if when.value == self._suggested:
            try:
                zone_info(event.value.strip() or self._zone)
            except WhenError:
                return  # said by _changed
            self._suggested = next_quarter_hour(
                self.services.now(), event.value.strip() or self._zone
            )
            when.value = self._suggested

    @on(Input.Changed)
    @on(Checkbox.Changed)
    @on(Select.Changed)
    def _changed(self, event: Input.Changed | Checkbox.Changed | Select.Changed) -> None:
        if self._load_error is None and not self._busy:
            if event.control.id in SETTING_IDS:
                try:
                    self._apply_settings()
                except ScheduleError as error:
                    self._error(error_text(error))
                    return
                self._refresh()
                self._check_publish()
                return
            if event.control.id == "follows":
                self._check_the_followed_account()
            self._refresh()
            if event.control.id in ("repeat", "follows", "update"):
                self._check_publish()

    def _check_the_followed_account(self) -> None:
        """A follow-up goes on the account of the edition it continues: check that one
        alone, when the accounts file has it (else the summary says what is wrong)."""
        try:
            follows = self._follows()
            if follows is None:
                return
            account = find_edition(self.services.database(), follows).account
        except (ScheduleError, StoreError):
            return
        accounts = self.query_one("#accounts", SelectionList)
        names = [accounts.get_option_at_index(i).value for i in range(accounts.option_count)]
        if account in names and accounts.selected != [account]:
            with accounts.prevent(SelectionList.SelectedChanged):
                accounts.deselect_all()
                accounts.select(account)

    @on(SelectionList.SelectedChanged)
    def _accounts_changed(self) -> None:
        if self._load_error is None and not self._busy:
            self._refresh()
            self._check_publish()

    def _refresh(self) -> None:
        next_slot = self.query_one("#next-slot", Checkbox).value
        repeating = bool(self._repeat())
        following = bool(self.query_one("#follows", Input).value.strip())
        # A rule brings its own times.
        self.query_one("#when", Input).disabled = next_slot or repeating
        self.query_one("#next-slot", Checkbox).disabled = repeating
        self.query_one("#update", Checkbox).disabled = not following
        self._error("")
        try:
            self.query_one("#summary", Note).say(shown(self._summary(next_slot)))
        except _SAID_INLINE as error:
            self.query_one("#summary", Note).say("")
            self._error(error_text(error))

    def _summary(self, next_slot: bool) -> str:
        now = self.services.now()
        repeat, follows = self._repeat(), self._follows()
        if repeat and follows is not None:
            raise ScheduleError(BOTH_REFUSED)
        if repeat:
            return self._rule_summary(repeat)
        zone = self._zone_given() or self._zone
        lines: list[str] = []
        self._settings()  # a setting no platform takes is said first
        if follows is not None:
            plan = self._follow_plan(follows, published=False)
            lines.append(plan.continuation())
            accounts = [plan.account]
        else:
            names = self._chosen_accounts()
            assert self._config is not None  # the accounts come from it
            accounts = [self._config.account(name) for name in names]
            lines.extend(self._options_lines(accounts))
        if next_slot:
            zone_info(zone)
            db = self.services.database()
            slots = [(a.name, next_free_slot(db, a, zone, now)) for a in accounts]
            times = [f"{name}: {format_local(at, zone)}" for name, at in slots]
            lines.append("next free slots: " + "; ".join(times))
        else:
            typed = self.query_one("#when", Input).value
            if self._from_draft is not None and typed.strip() == self._from_draft:
                assert self._draft is not None  # said as `schedule DRAFT` says it
                when_given(self._draft, self.draft_path, zone, ScheduleChoice(now))
            when = parse_when(typed, zone, now)
            utc = when.at_utc.strftime("%Y-%m-%d %H:%M UTC")
            lines.append(f"{when.display()} = {utc}")
        return "\n".join(lines)

    def _rule_summary(self, repeat: str) -> str:
        """The rule's next three times in its zone, for the accounts checked, and what the
        DST changes of the coming year do to it."""
        assert self._draft is not None
        accounts = self._chosen_accounts()
        rule = parse_rule(repeat, rule_zone(self._draft, self._config, self._zone_given()))
        now = self.services.now()
        times = [format_local(at, rule.zone) for at in rule.upcoming(now, 3)]
        if not times:
            raise RuleError(f"the rule {repeat!r} never comes due (check its day and month)")
        lines = [f"repeats for {', '.join(accounts)}; next: " + "; ".join(times)]
        return "\n".join(lines + [f"note: {note}" for note in rule.dst_notes(now)])

    def _follow_plan(self, follows: int, *, published: bool) -> EditionPlan:
        """The draft planned as the continuation of edition `follows` on the account checked,
        which must be that edition's (published: to send now, which needs that edition
        published)."""
        assert self._draft is not None
        accounts = self._chosen_accounts()
        try:
            continuing = follow_up(
                self.services.database(),
                follows,
                update=self.query_one("#update", Checkbox).value,
                account_names=accounts,
                published=published,
            )
            [plan] = plan_editions(
                self._draft,
                self.draft_path,
                self._config,
                (),
                for_real=published,
                follows=continuing,
            )
        except PublishError as error:
            raise ScheduleError(str(error)) from error
        return plan

    def _repeat(self) -> str:
        return self.query_one("#repeat", Input).value.strip()

    def _follows(self) -> int | None:
        """The edition id typed in Continue, None when empty; ScheduleError when not an id."""
        typed = self.query_one("#follows", Input).value.strip()
        if not typed:
            return None
        try:
            edition_id = int(typed)
        except ValueError:
            raise ScheduleError(f"{typed!r} is not an edition id (a number)") from None
        if edition_id < 1:
            raise ScheduleError(f"{typed!r} is not an edition id (a number)")
        return edition_id

    def _check_publish(self) -> None:
        """Publish now is offered only when publishing would accept these accounts."""
        reason = ""
        try:
            if self._repeat():
                reason = "Repeat makes a rule; empty it to publish once, now"
            else:
                self._plans()
        except (ScheduleError, StoreError) as error:
            reason = error_text(error)
        self.query_one("#publish", Button).disabled = bool(reason)
        self.query_one("#publish-note", Note).say(shown(f"publish now: {reason}") if reason else "")

    def _chosen_accounts(self) -> list[str]:
        """The accounts checked; ScheduleError when there are none to check or none is."""
        accounts = list(self.query_one("#accounts", SelectionList).selected)
        if accounts:
            return accounts
        if self._config is None and self._draft is not None:
            try:  # publishing's own words for "no accounts file"
                plan_editions(self._draft, self.draft_path, None, [], for_real=False)
            except PublishError as error:
                raise ScheduleError(str(error)) from error
        raise ScheduleError("choose at least one account")

    def _again(self) -> bool:
        """Again: schedule or publish a thread an account already has."""
        return self.query_one("#again", Checkbox).value

    def _zone_given(self) -> str | None:
        return self.query_one("#zone", Input).value.strip() or None

    def _error(self, message: str) -> None:
        self.query_one("#error", Note).say(shown(message))

    def _plans(self) -> list[EditionPlan]:
        """What Publish now sends: the accounts' threads, or the continuation of the edition
        typed in Continue (as `publish --follows` plans it)."""
        assert self._draft is not None
        follows = self._follows()
        if follows is not None:
            return [self._follow_plan(follows, published=True)]
        accounts = self._chosen_accounts()
        try:
            return plan_editions(
                self._draft, self.draft_path, self._config, accounts, for_real=True
            )
        except PublishError as error:
            raise ScheduleError(str(error)) from error

    # --- actions -------------------------------------------------------------------------
    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "cancel":
            self.action_cancel()
        elif event.button.id == "schedule":
            self.action_schedule()
        elif event.button.id == "publish":
            self.publish_now()

    def action_cancel(self) -> None:
        if not self._busy:
            self.dismiss(None)

    def action_schedule(self) -> None:
        if self._busy or self._draft is None:
            return
        next_slot = self.query_one("#next-slot", Checkbox).value
        try:
            repeat, follows = self._repeat(), self._follows()
            if repeat and follows is not None:
                raise ScheduleError(BOTH_REFUSED)
            if repeat:
                self._make_rules(repeat)
                return
            if follows is not None:
                self._schedule_follow_up(follows, next_slot)
                return
            accounts = self._chosen_accounts()
            # Every account's time is checked before any is written: schedule_draft writes
            # as it goes, so a later account without slots would leave the first scheduled.
            self._summary(next_slot)
            editions = schedule_draft(*self._scheduled(), accounts, self._choice(next_slot))
        except _SAID_INLINE as error:
            self._error(error_text(error))
            return
        lines = [
            f"{e.account}: {format_local(e.at_utc, e.zone)}, {plural(e.posts, 'post')} "
            f"(edition {e.id})"
            for e in editions
        ]
        warnings = "".join(f"\nwarning: {e.account}: {w}" for e in editions for w in e.warnings)
        message = "scheduled " + "; ".join(lines) + warnings
        self._finish(ScheduleResult(editions=editions, message=message))

    def _scheduled(self) -> tuple[Database, Draft, Path, Config | None]:
        """What every kind of scheduling takes: the history, the draft, its file, accounts."""
        assert self._draft is not None
        return self.services.database(), self._draft, self.draft_path, self._config

    def _choice(self, next_slot: bool) -> ScheduleChoice:
        """The time, zone and "Again" as the dialog shows them."""
        return ScheduleChoice(
            self.services.now(),
            at=None if next_slot else self.query_one("#when", Input).value,
            next_slot=next_slot,
            zone=self._zone_given(),
            again=self._again(),
            again_hint=SCHEDULE_AGAIN,
        )

    def _make_rules(self, repeat: str) -> None:
        """One rule per checked account (RuleError when it cannot be made: nothing written)."""
        rules = create_rules(
            *self._scheduled(),
            self._chosen_accounts(),
            every=repeat,
            now=self.services.now(),
            zone=self._zone_given(),
        )
        lines = [
            f"rule {r.id} for {r.account}, every {repeat!r}; next "
            + (format_local(r.next_times[0], r.rule.zone) if r.next_times else "never")
            for r in rules
        ]
        notes = rules[0].notes if rules else []
        message = "made " + "; ".join(lines) + "".join(f"\nnote: {n}" for n in notes)
        self._finish(ScheduleResult(rules=rules, message=message))

    def _schedule_follow_up(self, follows: int, next_slot: bool) -> None:
        edition = schedule_follow_up(
            *self._scheduled(),
            follows,
            self._choice(next_slot),
            update=self.query_one("#update", Checkbox).value,
            accounts=self._chosen_accounts(),
        )
        message = (
            f"scheduled {edition.account}: {format_local(edition.at_utc, edition.zone)}, "
            f"{plural(edition.posts, 'post')} (edition {edition.id}), following edition {follows}"
        )
        self._finish(ScheduleResult(editions=[edition], message=message))

    @work(exclusive=True, group="publish")
    async def publish_now(self) -> None:
        """Confirm, then publish each account's thread, showing each account's progress."""
        try:
            plans = self._plans()
        except (ScheduleError, StoreError) as error:
            self._error(error_text(error))
            return
        self._set_busy(True)
        try:
            plans = await ready_to_send(plans)  # the instances and the pages: off the UI
            db = self.services.database()
            if not self._again():
                check_not_published(db, plans, again_hint=PUBLISH_AGAIN)
        except Exception as error:  # an account's client or secret too: on screen, no crash
            self._set_busy(False)
            self._error(error_text(error))
            return
        title = self._draft.title if self._draft else self.draft_path.name
        each = ", ".join(f"{p.account.name} ({plural(len(p.thread.posts), 'post')})" for p in plans)
        after = f", continuing edition {plans[0].follows.edition_id}" if plans[0].follows else ""
        question = f"Publish {title!r} now to {each}{after}? This cannot be taken back."
        warnings = [f"{p.account.name}: {w}" for p in plans for w in p.card_warnings]
        question += "".join(f"\n⚠ {w}" for w in warnings)
        if not await self.app.push_screen_wait(ConfirmDialog(question, "Publish now")):
            self._set_busy(False)
            return
        self._progress = Progress({p.account.name: len(p.thread.posts) for p in plans})
        self._show_progress()
        try:
            results = await run_editions(db, plans, self._on_event, again=self._again())
        except Exception as error:  # the pre-flight (nothing written), or the ledger keeps
            # what was sent: publish again resumes
            self._set_busy(False)
            self._error(error_text(error))
            return
        self._set_busy(False)
        lines: list[str] = []
        for plan, result in zip(plans, results, strict=True):
            if result.finished:
                after = f", following edition {plan.follows.edition_id}" if plan.follows else ""
                lines.append(
                    f"{plan.account.name}: published {plural(result.total, 'post')} "
                    f"(edition {result.edition_id}){after}"
                )
                lines.extend(f"  {url}" for url in result.urls if url)
            else:
                lines.append(f"{plan.account.name}: stopped: {result.error or result.status.value}")
        if not all(r.finished for r in results):
            self._error(
                "not every edition was published; press Publish now again to resume\n"
                + "\n".join(lines)
            )
            return
        self._finish(ScheduleResult(published_now=True, message="\n".join(lines)))

    def _on_event(self, account: str, event: Event) -> None:
        self._progress.note(account, event)
        self._show_progress()

    def _show_progress(self) -> None:
        self.query_one("#progress", Note).say(shown(self._progress.text()))

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        for selector in ("#schedule", "#cancel"):
            self.query_one(selector, Button).disabled = busy
        self.query_one("#publish", Button).disabled = busy
        if not busy:
            self._check_publish()
