"""Who holds a claim (`Worker`, written into `claimed_by`), whether that process is surely
gone, and whether an edition's claim is free: plain Python, so `queue` can tell without
SQLAlchemy (`claims.may_take` is the same rule in SQL, for taking an edition)."""

from __future__ import annotations

import os
import socket
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

from composer.store.statuses import HELD, EditionStatus, utc_now

BOOT_ID = Path("/proc/sys/kernel/random/boot_id")


@dataclass(frozen=True, slots=True)
class Worker:
    """Who holds a claim, written into it: what kind of front end, on which host, pid and
    boot, since when. Kept as one text (`claimed_by`): `kind host pid boot since`."""

    kind: str
    host: str
    pid: int
    boot: str
    since: datetime

    @classmethod
    def this_process(cls, kind: str) -> Worker:
        # At most 64 characters (a long FQDN would not fit the claim's 200).
        host = socket.gethostname().replace(" ", "-")[:64] or "localhost"
        return cls(kind, host, os.getpid(), _boot_id(), utc_now().replace(microsecond=0))

    def __str__(self) -> str:
        since = self.since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return f"{self.kind} {self.host} {self.pid} {self.boot} {since}"

    @classmethod
    def parse(cls, text: str | None) -> Worker | None:
        """The worker a claim names; None for a name of another form (tests, old claims)."""
        parts = (text or "").split(" ")
        if len(parts) != 5 or not parts[2].isdigit():
            return None
        try:
            since = datetime.strptime(parts[4], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        except ValueError:
            return None
        return cls(parts[0], parts[1], int(parts[2]), parts[3], since)

    def describe(self) -> str:
        return f"{self.kind} on {self.host} (pid {self.pid})"

    def is_dead(self) -> bool:
        """Surely gone: on this host, and from an earlier boot or with its pid gone. A
        holder elsewhere (or of unknown boot) is alive until its lease says otherwise."""
        if self.host != Worker.this_process("").host:
            return False
        boot = _boot_id()
        if boot == self.boot:  # this boot, and the same pid namespace: its pid says
            return not _pid_alive(self.pid)
        kernel, theirs = boot.split("/")[0], self.boot.split("/")[0]
        return "-" not in (kernel, theirs) and kernel != theirs  # it ran before a reboot


@cache
def _boot_id() -> str:
    """This boot of this machine, and the pid namespace (a container sharing the host's name
    and kernel has pids of its own): `BOOTID/NAMESPACE`, `-` for what cannot be known."""
    try:
        boot = BOOT_ID.read_text(encoding="ascii").strip().replace(" ", "").replace("/", "")
    except OSError:
        boot = ""  # not Linux: only the lease tells a dead holder
    try:
        namespace = os.readlink("/proc/self/ns/pid").replace(" ", "").replace("/", "")
    except OSError:
        namespace = ""
    return f"{boot or '-'}/{namespace or '-'}"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    except OSError:
        return True
    try:  # a zombie (killed, not yet reaped by its parent) is dead too
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
        return stat.rsplit(")", 1)[-1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def claim_is_free(
    status: EditionStatus,
    claimed_by: str | None,
    claimed_until: datetime | None,
    now: datetime,
    dead: Collection[str] | None = None,
) -> bool:
    """Whether nobody live holds an edition being published or retracted: no claim, a claim
    run out, or one held by a process surely gone (`dead`: those holders, if known; else
    each is asked, Worker.is_dead). The rule of `claims.may_take` for those statuses; a test
    holds the two to agreeing."""
    if status not in HELD:
        return False
    if claimed_by is None or claimed_until is None or claimed_until < now:
        return True
    if dead is not None:
        return claimed_by in dead
    worker = Worker.parse(claimed_by)
    return worker is not None and worker.is_dead()
