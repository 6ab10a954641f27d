"""Numeric options out of range: one line on stderr and exit 2, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

HUGE = "100000000000000000000000"


def run(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "composer", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=cwd,
        env={**os.environ, "NO_COLOR": "1", "COMPOSER_DB": str(cwd / "h.sqlite3")},
        timeout=120,
    )


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
    (tmp_path / "accounts.toml").write_text(
        '[accounts.m]\nplatform = "mastodon"\ninstance = "https://m.example"\n'
        'access_token_env = "E"\n',
        encoding="utf-8",
    )
    result = run(tmp_path, *args)
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr, result.stderr
