"""The one place a platform client is built: with the account's stored session or tokens
(Bluesky, X OAuth 2.0), so a rotated refresh token is never lost, and, for publishing,
only once every secret of the account has been read (the pre-flight)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

import httpx

from composer.platforms.base import PlatformClient
from composer.platforms.clients import UnsupportedPlatform, make_client
from composer.publishing.errors import PreflightError
from composer.store import Claimed, Database, find_edition, off_loop
from composer.workspace.config import Account, Config, ConfigError
from composer.workspace.sessions import SessionFile


def client_for(account: Account, http: httpx.AsyncClient | None = None) -> PlatformClient:
    """The account's client, with its stored session or tokens (Bluesky, X OAuth 2.0); on
    `http` when given (one connection pool and TLS setup shared by many editions)."""
    options: dict[str, Any] = {} if http is None else {"http": http}
    if account.platform == "bluesky":
        identity = f"bluesky {account.api_url} {account.handle}"
        options["session_store"] = SessionFile(account.name, identity=identity)
    elif account.platform == "x" and account.x_auth == "oauth2":
        identity = f"x {account.api_url} {account.client_id}"
        options["token_store"] = SessionFile(account.name, identity=identity)
    return make_client(account, **options)


async def preflight(account: Account, http: httpx.AsyncClient | None = None) -> PlatformClient:
    """The account's client, built once every secret of the account is read (and cached, so
    publishing never reads one again): the one check every front end makes before an
    edition is written, claimed or set publishing. Secrets are read in a worker thread: a
    `_cmd` may wait on a password manager."""
    try:
        await asyncio.to_thread(_read_secrets, account)
        return client_for(account, http)
    except ConfigError as error:  # its message names the file, line, account and key
        raise PreflightError(str(error)) from None
    except (UnsupportedPlatform, OSError) as error:
        raise PreflightError(f"{account.name}: {error}") from None


def _read_secrets(account: Account) -> None:
    for key in account.secret_sources:
        account.secret_value(key)


async def preflight_accounts(accounts: Sequence[Account]) -> list[PlatformClient]:
    """Each account's client, in order; the first PreflightError closes those already built."""
    clients: list[PlatformClient] = []
    try:
        for account in accounts:
            clients.append(await preflight(account))
    except BaseException:
        for client in clients:
            await client.aclose()
        raise
    return clients


async def preflight_edition(
    db: Database, edition_id: int, config: Config, http: httpx.AsyncClient | None = None
) -> PlatformClient:
    """The pre-flight of an edition already in the ledger: its account still configured,
    on the platform its posts were written for, with every secret readable. StoreError
    for an edition that does not exist."""
    edition = await off_loop(db, find_edition, db, edition_id)
    return await _preflight_written(edition_id, edition.account, edition.platform, config, http)


async def preflight_claimed(
    claimed: Claimed, config: Config, http: httpx.AsyncClient | None = None
) -> PlatformClient:
    """`preflight_edition` of an edition the daemon has claimed: the claim says its account
    and platform, so the edition is not read again."""
    return await _preflight_written(
        claimed.edition_id, claimed.account, claimed.platform, config, http
    )


async def _preflight_written(
    edition_id: int,
    account_name: str,
    platform: str,
    config: Config,
    http: httpx.AsyncClient | None,
) -> PlatformClient:
    """The pre-flight of edition `edition_id`, written for `platform` on `account_name`."""
    try:
        account = config.account(account_name)
    except ConfigError as error:
        raise PreflightError(f"edition {edition_id}: {error}") from None
    if account.platform != platform:
        raise PreflightError(
            f"edition {edition_id} was written for {platform}, but account "
            f"{account.name} is a {account.platform} account now"
        )
    return await preflight(account, http)
