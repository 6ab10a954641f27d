"""`thread-composer accounts list|verify`, run as a user runs it, against loopback platforms:
who each account is, its limit and quota, or the platform's reason; results in account order
though asked at the same time; remote text terminal-safe; never a secret."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fakes.mastodon import FakeMastodon
from tests.fakes.server import Fault, Hangup, Request
from tests.fakes.x import FakeX
from tests.helpers import composer, mastodon_account, write_accounts, x_account
from tests.platforms.test_bluesky import MakeAccount

TOKEN = "masto-SECRET-4f3e2d"
X_KEYS = {"XA": "ck-SECRET-1", "XB": "cs-SECRET-2", "XC": "at-SECRET-3", "XD": "ats-SECRET-4"}
SECRETS = {"MASTO_TOKEN": TOKEN, **X_KEYS}


@pytest.fixture
def mastodon() -> Iterator[FakeMastodon]:
    fake = FakeMastodon(token=TOKEN, max_characters=640)
    with fake.running():
        yield fake


def run(folder: Path, *args: str, **env: str | None) -> tuple[int, str, str]:
    result = composer(*args, cwd=folder, env={**SECRETS, **env})
    assert "Traceback" not in result.stderr
    for secret in SECRETS.values():
        assert secret not in result.stdout + result.stderr
    return result.returncode, result.stdout, result.stderr


def test_every_account_in_order_ok_or_the_platforms_reason(
    tmp_path: Path, mastodon: FakeMastodon
) -> None:
    refusing = FakeMastodon(token="another-token")  # ours is refused: 401
    silent = FakeMastodon(token=TOKEN)
    silent.STALL_SECONDS = 0.5  # holds the request, then closes it unanswered
    x = FakeX(**dict(zip(("consumer_key", "consumer_secret", "access_token",
                          "access_token_secret"), X_KEYS.values(), strict=True)))  # fmt: skip
    with refusing.running(), silent.running(), x.running():
        silent.inject("GET", "/api/v1/accounts/verify_credentials", Fault.STALL)
        write_accounts(
            tmp_path,
            {
                "masto": mastodon_account(mastodon.url, "MASTO_TOKEN"),
                "revoked": mastodon_account(refusing.url, "MASTO_TOKEN"),
                "silent": mastodon_account(silent.url, "MASTO_TOKEN"),
                "ank-x": x_account(tuple(X_KEYS), base_url=x.url, daily_post_quota=17),
                "locked": {
                    "platform": "mastodon",
                    "instance": mastodon.url,
                    "access_token_cmd": "sh -c 'echo no passphrase >&2; exit 3'",
                },
            },
        )
        code, out, err = run(tmp_path, "accounts", "verify")

    assert code == 1, err
    lines = out.splitlines()
    assert [line.split()[1] for line in lines] == ["masto", "revoked", "silent", "ank-x", "locked"]
    assert lines[0] == "ok      masto (mastodon): @monitor@fake.social, 640 characters a post"
    assert lines[1].startswith("FAILED  revoked (mastodon): The access token is invalid")
    assert "(login refused, HTTP 401)" in lines[1]
    assert lines[2].startswith("FAILED  silent (mastodon): could not reach")
    assert lines[3] == "ok      ank-x (x): @ankreports, ? of 17 posts left today"
    assert lines[4].startswith("FAILED  locked (mastodon): ")
    assert "access_token_cmd" in lines[4] and "exit" in lines[4]
    assert len(mastodon.requests) == 2  # `masto`'s; `locked` asked nothing


def test_remote_text_is_shown_terminal_safe(tmp_path: Path) -> None:
    hostile = FakeMastodon(token=TOKEN, username="mon\x1b]0;owned\x07itor")
    with hostile.running():
        write_accounts(tmp_path, {"masto": mastodon_account(hostile.url, "MASTO_TOKEN")})
        code, out, _ = run(tmp_path, "accounts", "verify")
    assert code == 0
    assert "\x1b" not in out and "\x07" not in out
    assert "@mon\\u001b]0;owned\\u0007itor@fake.social" in out


def test_accounts_are_asked_at_the_same_time(tmp_path: Path) -> None:
    """The first platform answers only once the second has been asked: one account after the
    other, the first would wait in vain and fail."""
    first, second = FakeMastodon(token=TOKEN), FakeMastodon(token=TOKEN)
    second_asked = threading.Event()

    def wait_for_the_second(request: Request) -> None:
        if not second_asked.wait(timeout=20):
            raise Hangup

    def asked(request: Request) -> None:
        second_asked.set()

    first.on_request, second.on_request = wait_for_the_second, asked
    with first.running(), second.running():
        write_accounts(
            tmp_path,
            {
                "first": mastodon_account(first.url, "MASTO_TOKEN"),
                "second": mastodon_account(second.url, "MASTO_TOKEN"),
            },
        )
        code, out, err = run(tmp_path, "accounts", "verify")
    assert code == 0, out + err
    assert [line.split()[1] for line in out.splitlines()] == ["first", "second"]


def test_one_account_by_name_and_an_unknown_name(tmp_path: Path, mastodon: FakeMastodon) -> None:
    write_accounts(
        tmp_path,
        {
            "masto": mastodon_account(mastodon.url, "MASTO_TOKEN"),
            "other": mastodon_account("http://127.0.0.1:9", "MASTO_TOKEN"),
        },
    )
    code, out, _ = run(tmp_path, "accounts", "verify", "masto")
    assert code == 0 and out.splitlines() == [
        "ok      masto (mastodon): @monitor@fake.social, 640 characters a post"
    ]
    assert len(mastodon.requests) == 2  # verify_credentials and the instance; `other` untouched

    code, out, err = run(tmp_path, "accounts", "verify", "mastp")
    assert code == 2 and out == ""
    assert len(err.splitlines()) == 1
    assert "unknown account 'mastp'" in err and "masto" in err.split("unknown account")[1]


def test_json(tmp_path: Path, mastodon: FakeMastodon) -> None:
    import json

    write_accounts(tmp_path, {"masto": mastodon_account(mastodon.url, "MASTO_TOKEN")})
    code, out, _ = run(tmp_path, "accounts", "verify", "--json")
    assert code == 0
    assert json.loads(out)["accounts"] == [
        {
            "account": "masto",
            "platform": "mastodon",
            "ok": True,
            "handle": "@monitor@fake.social",
            "max_characters": 640,
            "daily_quota": None,
            "remaining_quota": None,
            "error": None,
        }
    ]


def test_an_x_token_rotated_while_verifying_is_kept(tmp_path: Path) -> None:
    """X refuses a refresh token once used: the second verify works only if the first kept
    the new one (the stored session, as publishing keeps it)."""
    x = FakeX(
        oauth2_access_token="o2-access",
        oauth2_refresh_token="o2-refresh",
        client_id="client-abc",
        client_secret="o2-client-secret",
    )
    env = {"O2A": "o2-access", "O2R": "o2-refresh", "O2S": "o2-client-secret"}
    with x.running():
        account = {
            "platform": "x",
            "handle": "@ankreports",
            "base_url": x.url,
            "client_id": "client-abc",
            "oauth2_access_token_env": "O2A",
            "oauth2_refresh_token_env": "O2R",
            "client_secret_env": "O2S",
        }
        write_accounts(tmp_path, {"x2": account})
        for _ in range(2):
            x.expire_access_token()
            code, out, err = run(tmp_path, "accounts", "verify", **env)
            assert code == 0, out + err
            assert out.startswith("ok      x2 (x): @ankreports")
    assert x.refreshes == 2


def test_list_says_where_secrets_come_from_never_their_values(tmp_path: Path) -> None:
    write_accounts(
        tmp_path,
        {
            "masto": mastodon_account("https://mastodon.social", "MASTO_TOKEN"),
            "ank-x": x_account(tuple(X_KEYS), handle="@ankreports"),
        },
    )
    code, out, _ = run(tmp_path, "accounts", "list")
    assert code == 0
    assert out.splitlines()[:3] == [
        "masto  mastodon  -",
        "    access_token: environment variable MASTO_TOKEN",
        "ank-x  x  @ankreports",
    ]
    assert "    consumer_key: environment variable XA" in out


def test_without_an_accounts_file(tmp_path: Path) -> None:
    code, out, err = run(tmp_path, "accounts", "verify")
    assert code == 2 and out == ""
    assert err.startswith("thread-composer: no accounts.toml") and len(err.splitlines()) == 1


def test_bluesky_on_a_real_pds(tmp_path: Path, pds: str, make_account: MakeAccount) -> None:
    """The PDS's own login: a right app password gives the handle (and a stored session),
    a wrong one the PDS's reason."""
    author = make_account()
    password = author.password
    bluesky = {"platform": "bluesky", "handle": author.handle, "service": pds}
    write_accounts(
        tmp_path,
        {
            "bsky": bluesky | {"app_password_env": "BSKY_PASSWORD"},
            "wrong": bluesky | {"app_password_env": "BSKY_WRONG"},
        },
    )
    code, out, _ = run(
        tmp_path, "accounts", "verify", BSKY_PASSWORD=password, BSKY_WRONG="wrong-password-1"
    )
    assert password not in out
    lines = out.splitlines()
    assert code == 1 and lines[0] == f"ok      bsky (bluesky): {author.handle}"
    assert lines[1].startswith("FAILED  wrong (bluesky): ") and "HTTP 401" in lines[1]
    code, out, _ = run(tmp_path, "accounts", "verify", "bsky", BSKY_PASSWORD=password)
    assert code == 0 and out.startswith("ok      bsky (bluesky): ")
