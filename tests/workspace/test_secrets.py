"""Secrets as they are read: checked, registered for redaction, commands contained."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from composer.redaction import REDACTED, forget_secrets, redact
from composer.workspace.config import Account, ConfigError, load_config

FAKE = "s3cr3t-FAKE-7f1c9e"
POSIX = pytest.mark.skipif(os.name != "posix", reason="process groups and modes are POSIX")


@pytest.fixture(autouse=True)
def empty_registry() -> Iterator[None]:
    forget_secrets()
    yield
    forget_secrets()


def account_with(tmp_path: Path, secret_line: str) -> Account:
    path = tmp_path / "accounts.toml"
    path.write_text(
        '[accounts.m]\nplatform = "mastodon"\ninstance = "https://mastodon.social"\n'
        + secret_line
        + "\n",
        encoding="utf-8",
    )
    path.chmod(0o600)
    return load_config(path, command_timeout=5).account("m")


def cmd(command: str) -> str:
    return "access_token_cmd = " + json.dumps(command)


@pytest.mark.parametrize("bad", ["vv\x1b]52;c;aGk=\x07vv", "vv\nvv", "vv\x9bvv", "vv\x7fvv"])
def test_a_secret_with_a_control_character_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, bad: str
) -> None:
    monkeypatch.setenv("TC_CTRL_TOKEN", bad)
    account = account_with(tmp_path, 'access_token_env = "TC_CTRL_TOKEN"')
    with pytest.raises(ConfigError) as caught:
        account.secret("access_token")
    message = str(caught.value)
    assert "accounts.m: the value of access_token_env holds a control character" in message
    assert "vv" not in message and "\n" not in message


def test_an_inline_secret_with_a_control_character_is_refused(tmp_path: Path) -> None:
    account = account_with(tmp_path, 'access_token = "abc\\u0007def"')
    with pytest.raises(ConfigError, match="the value of access_token holds a control character"):
        account.secret("access_token")


@POSIX
def test_a_command_printing_bytes_that_are_not_utf8_is_refused(tmp_path: Path) -> None:
    script = tmp_path / "print-bytes"
    script.write_bytes(b"#!/bin/sh\nprintf 'vv\\377\\376vv\\n'\n")
    script.chmod(0o700)
    account = account_with(tmp_path, cmd(str(script)))
    with pytest.raises(ConfigError) as caught:
        account.secret("access_token")
    assert "printed bytes that are not UTF-8 text" in str(caught.value)
    assert "vv" not in str(caught.value)


@POSIX
def test_a_failing_command_runs_once_per_process(tmp_path: Path) -> None:
    counter = tmp_path / "runs"
    account = account_with(tmp_path, cmd(f"sh -c 'echo run >> {counter}; exit 3'"))
    for _ in range(3):
        with pytest.raises(ConfigError, match="exit status 3"):
            account.secret("access_token")
    assert counter.read_text() == "run\n"


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    status = Path(f"/proc/{pid}/stat")
    return not (status.exists() and status.read_text().split(") ")[-1].startswith("Z"))


def wait_dead(pid: int, seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not alive(pid):
            return True
        time.sleep(0.05)
    return False


@POSIX
def test_a_command_that_leaves_a_child_running_has_its_group_ended(tmp_path: Path) -> None:
    pid_file = tmp_path / "child.pid"
    # The child keeps standard output open: reading to EOF would wait for it forever.
    script = f"sleep 300 & echo $! > {pid_file}; echo {FAKE}"
    account = account_with(tmp_path, cmd(f"sh -c '{script}'"))
    started = time.monotonic()
    assert account.secret("access_token") == FAKE
    assert time.monotonic() - started < 4  # not the 5 s timeout
    assert wait_dead(int(pid_file.read_text())), "the command's child is still running"


@POSIX
def test_a_command_that_times_out_has_its_group_ended(tmp_path: Path) -> None:
    pid_file = tmp_path / "child.pid"
    script = f"sleep 300 & echo $! > {pid_file}; wait"
    account = account_with(tmp_path, cmd(f"sh -c '{script}'"))
    with pytest.raises(ConfigError, match=r"did not finish within 0\.5 s"):
        account.secret("access_token", timeout=0.5)
    assert wait_dead(int(pid_file.read_text())), "the command's child is still running"


@POSIX
def test_a_large_output_does_not_block_the_command(tmp_path: Path) -> None:
    script = f"echo {FAKE}; head -c 300000 /dev/zero | tr '\\\\0' x"
    account = account_with(tmp_path, cmd(f"sh -c {json.dumps(script)}"))
    assert account.secret("access_token") == FAKE


def test_every_secret_read_is_redacted_everywhere_after(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    short = "Zq9!"  # short, and no pattern would recognise it
    monkeypatch.setenv("TC_SHORT_TOKEN", short)
    account = account_with(tmp_path, 'access_token_env = "TC_SHORT_TOKEN"')
    assert redact(f"token {short} was revoked") == f"token {short} was revoked"
    account.secret("access_token")
    assert redact(f"The access token {short} was revoked") == (
        f"The access token {REDACTED} was revoked"
    )
    assert short not in redact("echoed: q=Zq9%21 and WnE5IQ==")


@pytest.mark.parametrize("name", ["a\\u001b]0;pwned\\u0007", "a\\u009b", "a\\u202eb"])
def test_an_account_or_contact_name_with_a_control_character_is_refused(
    tmp_path: Path, name: str
) -> None:
    path = tmp_path / "accounts.toml"
    for table in (
        f'[accounts."{name}"]\nplatform = "mastodon"\ninstance = "https://m.example"\n'
        'access_token_env = "T"\n',
        f'[contacts."{name}"]\nname = "Someone"\n',
    ):
        path.write_text(table, encoding="utf-8")
        with pytest.raises(ConfigError, match="holds a control character"):
            load_config(path)
