"""A PostgreSQL URL on an installation without the `postgres` extra: one line saying what to
install, exit 2 (the driver's absence is simulated: psycopg is a dev dependency here)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from composer.store import StoreError, open_database
from composer.store.database import POSTGRES_DRIVER_MISSING, database_url
from tests.helpers import ROOT, composer_env

# Port 1 on loopback: nothing listens, so a driver that is there fails to connect instead.
NOWHERE = "composer:secret@127.0.0.1:1/composer"


def without_psycopg(*argv: str) -> subprocess.CompletedProcess[str]:
    """`thread-composer ARGV` in an interpreter where `import psycopg` fails, as it does
    where only the base package was installed."""
    code = (
        "import sys\n"
        "sys.modules['psycopg'] = None  # import psycopg: ImportError\n"
        "from composer.cli import main\n"
        f"main({list(argv)!r})\n"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=composer_env(),
        timeout=60,
    )


@pytest.mark.parametrize("scheme", ["postgresql", "postgresql+psycopg"])
def test_a_missing_driver_is_one_line_naming_the_extra(scheme: str) -> None:
    result = without_psycopg("queue", "--db", f"{scheme}://{NOWHERE}")
    assert result.returncode == 2
    assert result.stderr == f"thread-composer: {POSTGRES_DRIVER_MISSING}\n"
    assert "pip install 'thread-composer[postgres]'" in result.stderr
    assert "secret" not in result.stderr


def test_the_message_is_only_for_a_missing_driver() -> None:
    # The driver present (here, a dev dependency): the server's absence is what is said.
    with pytest.raises(StoreError) as refused:
        open_database(f"postgresql://{NOWHERE}")
    assert "needs the driver" not in str(refused.value)
    assert "cannot open database" in str(refused.value)


def test_a_plain_postgresql_url_uses_the_driver_the_extra_installs() -> None:
    assert database_url(f"postgresql://{NOWHERE}").drivername == "postgresql+psycopg"
    # One named in the URL is kept.
    assert database_url(f"postgresql+pg8000://{NOWHERE}").drivername == "postgresql+pg8000"
