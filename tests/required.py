"""What a test does when something it needs from the machine is missing (the Bluesky PDS, a
spelling dictionary): it skips, saying why, except where the environment requires it (CI, or
the variable `.ci/run` sets after installing it), where it fails instead."""

from __future__ import annotations

import os
from typing import NoReturn

import pytest


def required(variable: str) -> str | None:
    """Why a missing peer must fail the tests rather than skip them (`variable`=1, or CI),
    or None."""
    if os.environ.get(variable) == "1":
        return f"{variable}=1"
    if os.environ.get("CI", "").lower() in ("true", "1"):
        return "CI=true"
    return None


def unavailable(variable: str, reason: str) -> NoReturn:
    """Skip for `reason`, or fail where `variable` (or CI) says it must be there."""
    if (why := required(variable)) is not None:
        pytest.fail(f"{why} but {reason}", pytrace=False)
    pytest.skip(reason)
