from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

from composer.store import Database, open_database
from composer.workspace.drafts import Draft, load_draft
from tests.fakes.pages import PageServer
from tests.helpers import ROOT
from tests.pds import make_account, pds  # noqa: F401 - fixtures: one real PDS per session

# Property tests run 200 examples each; `pytest --hypothesis-profile=thorough` runs 5,000.
settings.register_profile("default", max_examples=200, deadline=None)
settings.register_profile("thorough", max_examples=5000, deadline=None)
settings.load_profile("default")


@pytest.fixture(scope="session")
def example_draft() -> Draft:
    return load_draft(str(ROOT / "drafts" / "example.md"))


@pytest.fixture(scope="session")
def example_ru_draft() -> Draft:
    return load_draft(str(ROOT / "drafts" / "example-ru.md"))


@pytest.fixture(scope="session", autouse=True)
def compiled_once(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Commands run as subprocesses keep their byte code in one temporary cache, so each one
    does not compile the package again (some machines set PYTHONDONTWRITEBYTECODE)."""
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    os.environ["PYTHONPYCACHEPREFIX"] = str(tmp_path_factory.mktemp("pycache"))


@pytest.fixture(autouse=True)
def private_data_folder(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No test (nor the commands it runs) touches the user's own data folder."""
    monkeypatch.setenv("COMPOSER_DATA_DIR", str(tmp_path_factory.mktemp("data")))


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """Where `db` keeps the test's history database (for a command run on the same file)."""
    return tmp_path / "history.sqlite3"


@pytest.fixture
def db(db_path: Path) -> Iterator[Database]:
    """A new, migrated history database, closed after the test."""
    database = open_database(str(db_path))
    yield database
    database.close()


@pytest.fixture
def pages() -> Iterator[PageServer]:
    """A loopback web server of pages (for link cards), also answering as an HTTP proxy."""
    with PageServer().running() as server:
        yield server
