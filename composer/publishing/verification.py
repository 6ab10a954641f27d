"""Verifying an account: a harmless authenticated call that says who the account is and
what its platform allows, or why it cannot be used. The one decision behind the accounts
screen's Verify and `thread-composer accounts verify`.

The client is the pre-flight's (`connect.preflight`): every secret read first, in a worker
thread (a `_cmd` may wait on a password manager), then the account's stored session, so a
refresh token X rotates while verifying is kept for the next run.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

from composer.errors import ComposerError
from composer.platforms.base import AccountInfo
from composer.platforms.errors import PlatformError, plain
from composer.publishing.connect import preflight
from composer.redaction import redact
from composer.workspace.config import Account


@dataclass(frozen=True, slots=True)
class Verification:
    """What verifying one account said: its info, or why it failed (one line, redacted;
    remote words in it are to be shown terminal-safe)."""

    account: str
    info: AccountInfo | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.info is not None


async def verify_account(account: Account) -> Verification:
    """Ask the platform who `account` is. Every failure is a `Verification` with its reason,
    never an exception: an odd header a client cannot parse included."""
    try:
        client = await preflight(account)
    except Exception as error:
        return Verification(account.name, error=failure_reason(error))
    try:
        return Verification(account.name, info=await client.verify())
    except Exception as error:
        return Verification(account.name, error=failure_reason(error))
    finally:
        await client.aclose()


async def verify_accounts(accounts: Sequence[Account]) -> list[Verification]:
    """Each account verified at the same time (one slow platform does not hold up the
    others), the results in the order of `accounts`."""
    return list(await asyncio.gather(*(verify_account(account) for account in accounts)))


def failure_reason(error: BaseException) -> str:
    """Why verifying failed, on one line: a platform's own reason with what its status
    means (`plain`), the message of one of the package's errors, an unexpected one's type
    too. Redacted: a client's or a command's error may quote a credential."""
    if isinstance(error, PlatformError):
        message = plain(error)
    elif isinstance(error, ComposerError):
        message = str(error)
    else:
        message = f"{type(error).__name__}: {error}"
    return redact(" ".join((message or type(error).__name__).split()))
