"""What a person is told when a platform refuses or cannot be reached: plain words with the
platform's own reason; the technical message stays for the log."""

from __future__ import annotations

import httpx
import pytest

from composer.platforms import errors


@pytest.mark.parametrize(
    ("error", "told"),
    [
        (
            errors.Refused(
                "Bluesky refused com.atproto.server.createSession (401 AuthenticationRequired)",
                status=401,
                reason="Invalid identifier or password",
            ),
            "Invalid identifier or password (login refused, HTTP 401)",
        ),
        (
            errors.Refused(
                "X POST /2/tweets: 403",
                status=403,
                reason="You are not permitted to perform this action.",
            ),
            "You are not permitted to perform this action. (not allowed, HTTP 403)",
        ),
        (
            errors.RateLimited(
                "Mastodon POST /api/v1/statuses: 429", status=429, reason="Too many requests"
            ),
            "Too many requests (too many requests for now, HTTP 429)",
        ),
        (
            errors.Unclear(
                "Threads POST /me/threads_publish: HTTP 502", status=502, reason="Bad Gateway"
            ),
            "Bad Gateway (the platform's server failed, HTTP 502)",
        ),
        (
            errors.Refused(
                "Mastodon POST /api/v1/statuses: 422",
                status=422,
                reason="Text character limit of 500 exceeded",
            ),
            "Text character limit of 500 exceeded (HTTP 422)",
        ),
        (errors.Unavailable("Bluesky: no session"), "Bluesky: no session"),
    ],
)
def test_plain_words_keep_the_platforms_reason(error: errors.PlatformError, told: str) -> None:
    assert errors.plain(error) == told
    assert "createSession" not in errors.plain(error) and "/api/" not in errors.plain(error)


@pytest.mark.parametrize(
    ("transport", "words", "kind"),
    [
        (
            httpx.ConnectError("[Errno 111] Connection refused"),
            "no connection (",
            errors.Unavailable,
        ),
        (
            httpx.ConnectTimeout("timed out"),
            "no connection within the time limit",
            errors.Unavailable,
        ),
        (httpx.ReadTimeout("timed out"), "no answer within the time limit", errors.Unclear),
        (
            httpx.RemoteProtocolError("Server disconnected"),
            "the connection broke off",
            errors.Unclear,
        ),
        (httpx.WriteError("broken pipe"), "the connection failed", errors.Unclear),
    ],
)
def test_a_request_without_an_answer(
    transport: httpx.TransportError, words: str, kind: type[errors.PlatformError]
) -> None:
    error = errors.no_answer(transport, "X POST /2/tweets: " + str(transport), "X", creates=True)
    assert type(error) is kind  # sent and unanswered: maybe created, looked for first
    assert errors.plain(error).startswith(f"could not reach X: {words}")
    assert type(transport).__name__ not in errors.plain(error)
    assert "/2/tweets" in str(error)  # the log keeps where
