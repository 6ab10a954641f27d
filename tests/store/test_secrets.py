"""Secrets never reach the database: redaction of error texts, and the raw files checked."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from composer.store import (
    AttemptOutcome,
    Database,
    DraftText,
    EditionStatus,
    create_edition,
    edition_posts,
    open_database,
    record_attempt,
    record_thread,
    redact,
    set_edition_status,
)
from composer.store.errors import MAX_ERROR_CHARS, REDACTED
from tests.store.conftest import T0, assert_no_secrets

FAKE_TOKEN = "tc-fake-mastodon-token-7f3a9c1e5b2d4068a1b3c5d7e9f1a2b4c6d8e0f2a4b6c8d0e2f4"
FAKE_PASSWORD = "tc-fake-app-password-zq8w-xk3m-vr7t-pn2y"
FAKE_JWT = "eyJhbGciOiJFUzI1NksifQ.eyJzdWIiOiJkaWQ6cGxjOmZha2UifQ.c2lnbmF0dXJlLWZha2UtdGM"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Authorization: Bearer abc123def456", f"Authorization: {REDACTED}"),
        ("authorization=Basic dXNlcjpwYXNz\nnext", f"authorization={REDACTED}\nnext"),
        ('{"Authorization": "Bearer x"}', f'{{"Authorization": {REDACTED}}}'),
        ("sent with Bearer abcdefgh12345678", f"sent with Bearer {REDACTED}"),
        ("GET /v1?access_token=abc123&limit=5", f"GET /v1?access_token={REDACTED}&limit=5"),
        ('{"password": "hunter2", "user": "u"}', f'{{"password": "{REDACTED}", "user": "u"}}'),
        ("appPassword: abcd-efgh", f"appPassword: {REDACTED}"),
        ('{"refreshJwt":"abc"}', f'{{"refreshJwt":"{REDACTED}"}}'),
        ("token " + FAKE_JWT + " expired", f"token {REDACTED} expired"),
        (
            'oauth_token="t1", oauth_signature="s%3D"',
            f'oauth_token="{REDACTED}", oauth_signature="{REDACTED}"',
        ),
        ("The access token was revoked", "The access token was revoked"),
        (f"token {FAKE_TOKEN} revoked", f"token {REDACTED} revoked"),
        ("app password abcd-ef12-ghij-kl34 wrong", f"app password {REDACTED} wrong"),
        (
            "POST https://mastodon.social/api/v1/statuses/113456789012345678 failed",
            "POST https://mastodon.social/api/v1/statuses/113456789012345678 failed",
        ),
        (
            "at://did:plc:abcdefghijklmnopqrstuvwx/app.bsky.feed.post/3kabcdefghij2",
            "at://did:plc:abcdefghijklmnopqrstuvwx/app.bsky.feed.post/3kabcdefghij2",
        ),
        ("HTTP 503 Service Unavailable", "HTTP 503 Service Unavailable"),
        ("Выборы: password incorrect", "Выборы: password incorrect"),
        # A stored reason keeps the file:line it had, whatever the file is called.
        ("drafts/token:12: bad front matter", "drafts/token:12: bad front matter"),
        ("/srv/secret:3: not UTF-8", "/srv/secret:3: not UTF-8"),
        ("export X_TOKEN=... before running", "export X_TOKEN=... before running"),
        (
            'echo: OAuth oauth_consumer_key="ck1", oauth_nonce="n", oauth_token="t-2" end',
            f"echo: OAuth {REDACTED} end",
        ),
        (
            "accounts.toml:11: accounts.x: consumer_secret_env: environment variable C is not set",
            "accounts.toml:11: accounts.x: consumer_secret_env: environment variable C is not set",
        ),
    ],
)
def test_redact(text: str, expected: str) -> None:
    assert redact(text) == expected


def test_redact_known_secret_values_and_length() -> None:
    assert redact(f"echo {FAKE_TOKEN}!", [FAKE_TOKEN, ""]) == f"echo {REDACTED}!"
    assert len(redact("x" * 100_000)) == MAX_ERROR_CHARS
    assert redact("a1" * 50_000) == REDACTED  # linear time, not a backtracking blow-up


def http_401_echo(token: str, password: str) -> str:
    """What a misbehaving server or proxy may send back: our own request, credentials and all."""
    return (
        "HTTP 401 Unauthorized\r\n"
        f"request: POST /api/v1/statuses?access_token={token}\r\n"
        f"Authorization: Bearer {token}\r\n"
        f'body: {{"error": "invalid_token", "echo": {{"password": "{password}", '
        f'"accessJwt": "{FAKE_JWT}"}}}}\r\n'
        f"WWW-Authenticate: Bearer realm=x, error_description=token {token} revoked"
    )


def run_failed_edition(db: Database, account: str) -> None:
    """The ledger calls a publisher makes for a 401: it knows the account name only."""
    thread = record_thread(db, DraftText(title="OSCE statement", body="one two"))
    assert thread.id is not None
    edition = create_edition(db, thread.id, account=account, platform="mastodon", posts=["one"])
    assert edition.id is not None
    post_id = edition_posts(db, edition.id)[0].id
    assert post_id is not None
    # The error text comes from the client layer, which had the credential in hand.
    error = http_401_echo(os.environ["TC_FAKE_MASTODON_TOKEN"], os.environ["TC_FAKE_PASSWORD"])
    record_attempt(
        db, post_id, outcome=AttemptOutcome.ERROR, started_at=T0, http_status=401, error=error
    )
    set_edition_status(db, edition.id, EditionStatus.FAILED, last_error=error)


def test_secrets_never_reach_the_database_files(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TC_FAKE_MASTODON_TOKEN", FAKE_TOKEN)
    monkeypatch.setenv("TC_FAKE_PASSWORD", FAKE_PASSWORD)
    secrets = [FAKE_TOKEN, FAKE_PASSWORD, FAKE_JWT]
    db = open_database(str(db_path))
    run_failed_edition(db, "fake-masto")
    assert Path(f"{db_path}-wal").exists()
    assert_no_secrets(db_path, secrets)  # while open: the rows are still in the WAL
    with db.read_session() as session:
        stored = session.connection().exec_driver_sql("SELECT error FROM attempts").scalar()
    assert isinstance(stored, str) and "401 Unauthorized" in stored and REDACTED in stored
    db.close()
    assert_no_secrets(db_path, secrets)  # after the checkpoint into the main file


def test_the_checker_does_find_a_stored_secret(db_path: Path) -> None:
    db = open_database(str(db_path))
    record_thread(db, DraftText(title=FAKE_TOKEN, body="a title is not redacted"))
    with pytest.raises(AssertionError, match="secret"):
        assert_no_secrets(db_path, [FAKE_TOKEN])
    db.close()
