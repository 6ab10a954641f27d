"""`accounts list` (each account and where its secrets come from, never their values) and
`accounts verify [NAME]` (a harmless call per account: who the platform says it is, its
post limit and quota, or the platform's reason). Verifying is decided in
`composer.publishing.verification`, as the accounts screen's Verify."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import click

from composer.cli.base import EXIT_FAILURE, current_config, fail, safe
from composer.cli.completion import complete_accounts

if TYPE_CHECKING:
    from composer.publishing import Verification
    from composer.workspace.config import Account, Config, SecretSource


@click.group()
def accounts() -> None:
    """The accounts of the accounts file: list them, or verify them with their platforms."""


@accounts.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def accounts_list(as_json: bool) -> None:
    """Each account: its platform, handle and where each secret comes from (never its value)."""
    config = _config()
    if as_json:
        rows = [
            {
                "account": a.name,
                "platform": a.platform,
                "handle": a.handle,
                "secrets": {key: _source_json(s) for key, s in a.secret_sources.items()},
            }
            for a in config.accounts.values()
        ]
        click.echo(json.dumps({"accounts": rows}, ensure_ascii=False, indent=2))
        return
    if not config.accounts:
        click.echo(f"no accounts in {safe(config.name)}: add an [accounts.NAME] table")
    for account in config.accounts.values():
        click.echo(f"{safe(account.name)}  {account.platform}  {safe(account.handle or '-')}")
        for key, source in account.secret_sources.items():
            click.echo(f"    {key}: {safe(_source_text(source))}")


@accounts.command("verify")
@click.argument("name", required=False, shell_complete=complete_accounts)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def accounts_verify(name: str | None, as_json: bool) -> None:
    """Ask each account's platform (or NAME's) who the account is: its handle, post limit and
    quota, or why it cannot be used. Exit 1 if any fails."""
    import asyncio

    from composer.publishing import verify_accounts

    config = _config()
    chosen = [config.account(name)] if name is not None else list(config.accounts.values())
    if not chosen:
        fail(f"no accounts in {config.name}: add an [accounts.NAME] table")
    results = asyncio.run(verify_accounts(chosen))
    by_name = {account.name: account for account in chosen}
    if as_json:
        rows = [_verification_json(r, by_name[r.account]) for r in results]
        click.echo(json.dumps({"accounts": rows}, ensure_ascii=False, indent=2))
    else:
        for result in results:
            click.echo(_verification_line(result, by_name[result.account]))
    if not all(result.ok for result in results):
        raise SystemExit(EXIT_FAILURE)


def _config() -> Config:
    config = current_config()
    if config is None:
        fail("no accounts.toml: copy accounts.example.toml to accounts.toml and add your accounts")
    return config


def _source_text(source: SecretSource) -> str:
    """Where a secret is read from: the variable's name, or the line of the file that holds
    the command or the value (a command may quote more than it should: not shown)."""
    if source.kind == "env":
        return f"environment variable {source.reference}"
    if source.kind == "cmd":
        return f"the command of {source.config_key} (line {source.line})"
    return f"the accounts file itself (line {source.line})"


def _source_json(source: SecretSource) -> dict[str, Any]:
    shown: dict[str, Any] = {"from": source.kind, "key": source.config_key, "line": source.line}
    if source.kind == "env":
        shown["variable"] = source.reference
    return shown


def _verification_line(result: Verification, account: Account) -> str:
    label = f"{safe(result.account)} ({account.platform})"
    if result.info is None:
        return f"FAILED  {label}: {safe(result.error or 'no answer')}"
    info = result.info
    facts = [safe(info.handle)]
    if info.max_characters:
        facts.append(f"{info.max_characters} characters a post")
    if info.daily_quota is not None:
        left = "?" if info.remaining_quota is None else str(info.remaining_quota)
        facts.append(f"{left} of {info.daily_quota} posts left today")
    return f"ok      {label}: {', '.join(facts)}"


def _verification_json(result: Verification, account: Account) -> dict[str, Any]:
    info = result.info
    return {
        "account": result.account,
        "platform": account.platform,
        "ok": result.ok,
        "handle": info.handle if info else None,
        "max_characters": info.max_characters if info else None,
        "daily_quota": info.daily_quota if info else None,
        "remaining_quota": info.remaining_quota if info else None,
        "error": result.error,
    }
