"""Start-up of the commands a person waits for, against `python -c pass` in the same run:
three commands, and three shell completions (a draft name, an account name, an edition id),
each one press of Tab.

Each command runs as a new process (median of 7, the commands taken in turn), twice: with
bytecode cached, as a user's Python keeps it (a private pycache folder, filled by a first
run), and with nothing cached or written, as when `PYTHONDONTWRITEBYTECODE=1` is set in CI
and dev shells. The ratio to `python -c pass` is what the targets of issue 16 are written
in.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNS = 7


ACCOUNTS = """
[accounts.ank-masto]
platform = "mastodon"
instance = "https://mastodon.social"
access_token_env = "MASTODON_TOKEN"
"""


def completing(line: str, shell: str = "bash") -> dict[str, str]:
    """The environment a shell's completion function sets for `line` (Tab after its end)."""
    words = [*line.split(), ""]
    return {
        "COMP_WORDS": " ".join(words),
        "COMP_CWORD": str(len(words) - 1),
        "_THREAD_COMPOSER_COMPLETE": f"{shell}_complete",
    }


def median_runs(runs: dict[str, tuple[list[str], dict[str, str]]], cwd: Path) -> dict[str, float]:
    """The median time of each command, the commands taken in turn RUNS times (so a change
    in the machine's load falls on every command alike, the baseline included)."""
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(RUNS):
        for name, (argv, env) in runs.items():
            started = time.perf_counter()
            subprocess.run(argv, env=env, cwd=cwd, capture_output=True, check=True)
            times[name].append(time.perf_counter() - started)
    return {name: statistics.median(taken) for name, taken in times.items()}


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="bench-startup-"))
    try:
        (folder / "small.txt").write_text("The count was slow. " * 20, encoding="utf-8")
        (folder / "drafts").mkdir()
        (folder / "drafts" / "report.md").write_text("A report.\n", encoding="utf-8")
        (folder / "accounts.toml").write_text(ACCOUNTS, encoding="utf-8")
        db = f"sqlite:///{folder / 'history.sqlite3'}"
        python = [sys.executable]
        composer = [*python, "-m", "composer"]
        commands: dict[str, tuple[list[str], dict[str, str]]] = {
            "python -c pass": ([*python, "-c", "pass"], {}),
            "split small.txt --platform x": (
                [*composer, "split", "small.txt", "--platform", "x"], {}
            ),
            "queue (empty database)": ([*composer, "--db", db, "queue"], {}),
            "history (empty database)": ([*composer, "--db", db, "history"], {}),
            "Tab: publish DRAFT": (composer, completing("thread-composer publish")),
            "Tab: verify ACCOUNT": (composer, completing("thread-composer accounts verify")),
            "Tab: retract ID (zsh)": (
                composer, completing(f"thread-composer --db {db} retract", "zsh")
            ),
        }  # fmt: skip
        base = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        cached = {**base, "PYTHONPYCACHEPREFIX": str(folder / "pycache")}
        uncached = {**base, "PYTHONDONTWRITEBYTECODE": "1"}
        uncached["PYTHONPYCACHEPREFIX"] = str(folder / "empty-pycache")  # read none either
        for argv, extra in commands.values():  # fill the cache; make the database
            env = {**cached, **extra}
            subprocess.run(argv, env=env, cwd=folder, capture_output=True, check=True)
        print(f"{'command':<30} {'cached':>10} {'ratio':>6} {'no bytecode':>12} {'ratio':>6}")
        with_cache = {n: (a, {**cached, **e}) for n, (a, e) in commands.items()}
        without = {n: (a, {**uncached, **e}) for n, (a, e) in commands.items()}
        warm_times, cold_times = median_runs(with_cache, folder), median_runs(without, folder)
        rows = {name: (warm_times[name], cold_times[name]) for name in commands}
        pass_cached, pass_uncached = rows["python -c pass"]
        for name, (warm, cold) in rows.items():
            print(
                f"{name:<30} {warm * 1000:>7.0f} ms {warm / pass_cached:>5.1f}x "
                f"{cold * 1000:>9.0f} ms {cold / pass_uncached:>5.1f}x"
            )
    finally:
        shutil.rmtree(folder)


if __name__ == "__main__":
    main()
