"""Numeric options out of range: one line on stderr and exit 2, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import composer, mastodon_account, write_accounts

HUGE = "100000000000000000000000"


@pytest.mark.parametrize(
    "args",
    [
        ("history", "--limit", "1e23"),
        ("history", "--limit", HUGE),
        ("daemon", "--interval", "nan"),
        ("daemon", "--interval", "inf"),
        ("daemon", "--interval", "-inf"),
        ("queue", "cancel", HUGE),
        ("queue", "publish-now", HUGE),
        ("queue", "stop", HUGE),
        ("split", "-", "--platform", "x", "--limit", HUGE),
    ],
    ids=lambda args: " ".join(args)[:40],
)
def test_out_of_range_numbers_are_bad_input(tmp_path: Path, args: tuple[str, ...]) -> None:
    write_accounts(tmp_path, {"m": mastodon_account("https://m.example", "E")})
    result = composer(*args, cwd=tmp_path, db=tmp_path / "h.sqlite3")
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr, result.stderr
