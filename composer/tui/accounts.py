"""The accounts screen: each account of the accounts file, whether its secrets can be read
(never their values), and a Verify that asks the platform who the account is."""

from __future__ import annotations

from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from composer.publishing import Verification, verify_account
from composer.tui.keymap import ACCOUNTS_KEYS, bindings
from composer.tui.remote import cell, error_text, plain
from composer.tui.services import Services
from composer.tui.tables import ShownRows, selected_key
from composer.workspace.config import Account, ConfigError

COLUMNS = ("Account", "Platform", "Handle", "Credentials", "Verified", "Limit", "Quota")


def secret_problems(account: Account) -> list[str]:
    """Why each secret of the account cannot be read (ConfigError names the variable or the
    command, never a value); empty when every one can."""
    problems = []
    for key in account.secret_sources:
        try:
            account.secret_value(key)
        except Exception as error:  # whatever a command did: a line on screen, not a crash
            problems.append(error_text(error))
    return problems


class AccountsScreen(Screen[None]):
    DEFAULT_CSS = """
    AccountsScreen #accounts-notice { height: auto; padding: 0 1; color: $warning; }
    AccountsScreen #accounts-table { height: auto; max-height: 60%; }
    AccountsScreen #accounts-detail { height: 1fr; overflow-y: auto; padding: 0 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = bindings("accounts", ACCOUNTS_KEYS)

    def __init__(self, services: Services) -> None:
        super().__init__()
        self.services = services
        self.accounts: dict[str, Account] = {}
        self.problems: dict[str, list[str] | None] = {}  # None: not checked yet
        self.verifications: dict[str, Verification] = {}  # what the last Verify said
        self.verifying: set[str] = set()
        self._shown = ShownRows()

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="accounts-notice")
        yield DataTable[object](id="accounts-table", cursor_type="row")
        yield Static("", id="accounts-detail")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.sub_title = "Accounts"
        self.query_one("#accounts-table", DataTable).add_columns(*COLUMNS)
        self.load(reload=False)

    # --- reading ------------------------------------------------------------------------
    def load(self, *, reload: bool) -> None:
        notice = self.query_one("#accounts-notice", Static)
        try:
            if reload:
                self.services.reload_config()
            choice = self.services.config_choice()
        except ConfigError as error:
            self.accounts = {}
            notice.update(plain(error_text(error)))
        else:
            config = choice.config
            self.accounts = dict(config.accounts) if config else {}
            if config is None:
                notice.update(
                    "No accounts.toml: copy accounts.example.toml to accounts.toml and "
                    "add your accounts"
                )
            else:
                told = f"; {config.notify.summary()}" if config.notify else ""
                notice.update(plain(choice.notice or f"Accounts file: {config.name}{told}"))
        self.problems = {name: None for name in self.accounts}
        self.verifications = {}
        self.verifying = set()
        self.show_table()
        self.check_secrets()

    @work(thread=True, exclusive=True, group="accounts-secrets")
    def check_secrets(self) -> None:
        # A secret may come from a command (a password manager): not on the UI's thread.
        for name, account in list(self.accounts.items()):
            problems = secret_problems(account)
            self.app.call_from_thread(self._checked, name, problems)

    def _checked(self, name: str, problems: list[str]) -> None:
        if name in self.accounts:
            self.problems[name] = problems
            self.show_table()

    def show_table(self) -> None:
        rows = [(name, self._row(name, account)) for name, account in self.accounts.items()]
        self._shown.show(self.query_one("#accounts-table", DataTable), rows)
        self.show_detail()

    def _row(self, name: str, account: Account) -> tuple[object, ...]:
        problems = self.problems.get(name)
        credentials = "…" if problems is None else "missing" if problems else "present"
        verification = self.verifications.get(name)
        verified: object = ""
        limit = quota = "-"
        if name in self.verifying:
            verified = "verifying…"
        elif verification is not None:
            if verification.info is not None:
                info = verification.info
                verified = cell(f"✓ {info.handle}", 40)
                limit = str(info.max_characters) if info.max_characters else "-"
                if info.daily_quota is not None:
                    left = "?" if info.remaining_quota is None else str(info.remaining_quota)
                    quota = f"{left}/{info.daily_quota} a day"
            else:
                verified = cell(f"✗ {verification.error}", 40)
        return (
            cell(name),
            account.platform,
            cell(account.handle or "-"),
            credentials,
            verified,
            limit,
            quota,
        )

    def selected_name(self) -> str | None:
        return selected_key(self.query_one("#accounts-table", DataTable))

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.show_detail()

    def show_detail(self) -> None:
        detail = self.query_one("#accounts-detail", Static)
        name = self.selected_name()
        if name is None:
            detail.update("No accounts." if not self.accounts else "")
            return
        account = self.accounts[name]
        lines = [f"{name}: {account.platform} at {account.api_url}"]
        if account.notify is not None:  # [accounts.NAME.notify]
            lines.append(account.notify.summary())
        lines += self.problems.get(name) or []
        verification = self.verifications.get(name)
        if verification is not None and verification.error:
            lines.append(f"verify: {verification.error}")
        detail.update(plain("\n".join(lines)))

    # --- actions ------------------------------------------------------------------------
    def action_verify(self) -> None:
        name = self.selected_name()
        if name is None:
            self.notify("No account selected", severity="warning")
            return
        self.verify(name)

    def action_verify_all(self) -> None:
        for name in self.accounts:
            self.verify(name)

    def action_reload(self) -> None:
        self.load(reload=True)

    @work(group="accounts-verify")
    async def verify(self, name: str) -> None:
        # What verifying decides (the client, its stored session, every failure a reason)
        # is publishing's, shared with `thread-composer accounts verify`.
        if name in self.verifying:
            return
        self.verifying.add(name)
        self.verifications.pop(name, None)
        self.show_table()
        try:
            verification = await verify_account(self.accounts[name])
        finally:
            self.verifying.discard(name)
        if name in self.accounts:
            self.verifications[name] = verification
            self.show_table()
