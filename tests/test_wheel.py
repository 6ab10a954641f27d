"""thread-composer as a team installs it (issue 18): the wheel built, installed with
`uv tool install` (a tool folder of its own; the locked versions of its dependencies as
constraints, from uv's cache when they are there, else from the package index), then
`init`, `split` and `draft new` run in an empty folder, far from this clone. Needs uv (as
`uv` or `python3 -m uv`): it skips without it, except in CI (or with
COMPOSER_REQUIRE_WHEEL=1), where it fails."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Sequence
from pathlib import Path

import pytest

from composer.store.database import POSTGRES_DRIVER_MISSING
from tests.helpers import ROOT, composer_env
from tests.required import unavailable


def find_uv() -> list[str] | None:
    """How to run uv here: `uv` on PATH, else the system Python's module (as `.ci/run`)."""
    candidates = [[path] for path in [shutil.which("uv")] if path]
    candidates += [[path, "-m", "uv"] for path in [shutil.which("python3")] if path]
    for command in candidates:
        found = subprocess.run([*command, "--version"], capture_output=True, check=False)
        if found.returncode == 0:
            return command
    return None


def run(command: Sequence[str], cwd: Path, env: dict[str, str]) -> str:
    result = subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=600, check=False
    )
    assert result.returncode == 0, f"{' '.join(command)}:\n{result.stderr}"
    return result.stdout


def uv_and_env() -> tuple[list[str], dict[str, str]]:
    uv = find_uv()
    if uv is None:
        unavailable("COMPOSER_REQUIRE_WHEEL", "uv is not installed")
    # Not this project's environment: uv would take it as the one to use.
    outside = ("VIRTUAL_ENV", "UV_PROJECT_ENVIRONMENT")
    return uv, {name: value for name, value in os.environ.items() if name not in outside}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel `uv build` makes of this clone."""
    uv, env = uv_and_env()
    dist = tmp_path_factory.mktemp("dist")
    run([*uv, "build", "--wheel", "--out-dir", str(dist), str(ROOT)], ROOT, env)
    (built,) = dist.glob("thread_composer-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder of the `python` and `thread-composer` that `uv tool install WHEEL` made,
    as a team member installs it (a tool folder and a bin folder of its own, the lock's
    versions as constraints, from uv's cache when it has them)."""
    uv, env = uv_and_env()
    place = tmp_path_factory.mktemp("wheel")
    pins = place / "pins.txt"
    export = ["export", "--frozen", "--no-dev", "--no-emit-project", "--no-hashes"]
    run([*uv, *export, "--output-file", str(pins)], ROOT, env)
    env = {**env, "UV_TOOL_DIR": str(place / "tools"), "UV_TOOL_BIN_DIR": str(place / "bin")}
    install = [*uv, "tool", "install", "--python", sys.executable, "--constraints", str(pins)]
    install.append(str(wheel))
    cached = subprocess.run([*install, "--offline"], cwd=place, env=env, capture_output=True)
    if cached.returncode != 0:  # something is not in uv's cache yet: from the index
        run(install, place, env)
    assert (place / "bin" / "thread-composer").exists()
    return place / "tools" / "thread-composer" / "bin"


def test_init_split_and_draft_new_from_the_installed_wheel(installed: Path, tmp_path: Path) -> None:
    command = str(installed / "thread-composer")
    env = composer_env()
    env.pop("PYTHONPATH", None)
    where = run([str(installed / "python"), "-c", "import composer; print(composer.__file__)"],
                tmp_path, env)  # fmt: skip
    assert Path(where.strip()).is_relative_to(installed.parent), where  # not this clone

    made = run([command, "init"], tmp_path, env)
    assert "made accounts.toml" in made and "made drafts/example.md" in made
    assert "thread-composer accounts verify" in made

    split = subprocess.run(
        [command, "split", "drafts/example.md", "-p", "x", "--json"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert split.returncode == 0, split.stderr
    assert split.stderr == ""  # the init'ed accounts.toml loads without a word
    posts = json.loads(split.stdout)["posts"]
    assert len(posts) > 5 and "@hrw" in posts[0]["text"]

    created = run([command, "draft", "new", "Statement", "--account", "ank-x"], tmp_path, env)
    assert created.strip() == "drafts/statement.md"
    listed = json.loads(run([command, "draft", "list", "--json"], tmp_path, env))
    assert sorted(draft["name"] for draft in listed) == ["example", "statement"]


def test_postgresql_without_the_extra_says_what_to_install(installed: Path, tmp_path: Path) -> None:
    # The wheel alone has no psycopg: here it is missing for real.
    result = subprocess.run(
        [str(installed / "thread-composer"), "queue", "--db", "postgresql://u@127.0.0.1:1/db"],
        cwd=tmp_path, env=composer_env(), capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr == f"thread-composer: {POSTGRES_DRIVER_MISSING}\n"


def test_the_wheel_says_its_license_and_carries_it(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        (metadata,) = [name for name in names if name.endswith(".dist-info/METADATA")]
        fields = archive.read(metadata).decode("utf-8").split("\n\n", 1)[0].splitlines()
        (license_file,) = [name for name in names if name.endswith("/licenses/LICENSE")]
        assert archive.read(license_file) == (ROOT / "LICENSE").read_bytes()
    assert "License-Expression: MIT" in fields
    assert "Provides-Extra: postgres" in fields
    assert any(
        field.startswith("Classifier: Programming Language :: Python :: 3.11") for field in fields
    )
    assert "composer/examples/accounts.example.toml" in names
    assert "composer/examples/example.md" in names
