"""The daemon's JSON lines: valid JSON, never a secret, never a raw terminal control."""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Iterator

import pytest

from composer.daemon import JsonLines
from composer.redaction import REDACTED, forget_secrets, register_secret

HOSTILE = "revoked\x1b]52;c;cm0gLXJmIH4=\x07 \x9b31m \u202egnp.exe\x1b]0;pwned\x07\x7f"
RAW_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


@pytest.fixture(autouse=True)
def empty_registry() -> Iterator[None]:
    forget_secrets()
    yield
    forget_secrets()


def formatted(message: str, fields: dict[str, object], exc: BaseException | None = None) -> str:
    record = logging.LogRecord(
        "composer.daemon", logging.ERROR, __file__, 1, message, None,
        (type(exc), exc, None) if exc else None,
    )  # fmt: skip
    record.fields = fields
    return JsonLines().format(record)


def test_remote_text_is_escaped_and_the_line_stays_valid_json() -> None:
    line = formatted("edition", {"error": HOSTILE, "posts": [HOSTILE], "edition": 3})
    assert not RAW_CONTROL.search(line), ascii(line)
    decoded = json.loads(line)
    assert decoded["error"] == HOSTILE  # the same text, only written as escapes
    assert decoded["posts"] == [HOSTILE] and decoded["edition"] == 3


def test_registered_secrets_and_credential_shapes_never_reach_the_log() -> None:
    register_secret("s3kr")
    line = formatted(
        "refresh failed s3kr",
        {"error": "refresh_token=abcdef123 Authorization: Bearer zzzzzzzzzz9", "n": ["s3kr"]},
        exc=RuntimeError("the token s3kr was revoked"),
    )
    for secret in ("s3kr", "abcdef123", "zzzzzzzzzz9"):
        assert secret not in line
    decoded = json.loads(line)
    assert REDACTED in decoded["event"] and REDACTED in decoded["error"]
    assert "Traceback" not in line


def test_an_exception_is_one_redacted_field_not_a_traceback() -> None:
    register_secret("t0k3n-value")
    try:
        raise ValueError("bad t0k3n-value")
    except ValueError:
        exc_info = sys.exc_info()
    line = formatted("planning", {}, exc=exc_info[1])
    assert json.loads(line)["error"] == f"ValueError: bad {REDACTED}"
