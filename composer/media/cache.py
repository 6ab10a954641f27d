"""Prepared images kept on disk, one file per source image and limits.

An entry is the exact bytes to upload, named `<source sha256>-<limits digest>`, written to a
temporary file in the same folder and renamed over the name: two processes preparing the
same image both write a complete file, and a reader sees a whole entry or none. A temporary
file left by a killed writer is removed an hour later. A file that is not a complete JPEG or
PNG within the limits (empty after a power cut, since the cache does not wait for the disk;
damaged; edited by hand) is not used: it is prepared again and replaced. The folder is
private (0700), the files 0600: the images are as sensitive as the drafts they belong to.

Pruning (`prune`, after publishing and in the daemon, `prune_if_due`, at most once a day):
an entry's modification time is when it was last used (`get` touches it: access times are
not kept on most disks), and an entry unused for `MAX_AGE` is dropped, then the least
recently used ones while the folder holds more than `MAX_BYTES`. A file still being
written is a temporary file, never an entry, so pruning never touches it; an entry dropped
while another process reads it stays readable to that process (POSIX), and is prepared
again when next needed.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import stat
import tempfile
import time
from pathlib import Path

from PIL import Image

from composer import locations
from composer.media.limits import JPEG, PNG, Limits, Prepared

_TEMPORARY = ".tmp-"
_STALE_SECONDS = 3600
MAX_AGE_SECONDS = 30 * 24 * 3600  # an entry unused this long is dropped
MAX_BYTES = 500 * 1024 * 1024  # beyond this, the least recently used entries are dropped
PRUNE_EVERY_SECONDS = 24 * 3600  # `prune_if_due`: the daemon prunes at most this often
_PRUNED_STAMP = ".pruned"  # its modification time: when the folder was last pruned
_SIGNATURES = {JPEG: b"\xff\xd8\xff", PNG: b"\x89PNG\r\n\x1a\n"}
_ENDINGS = {JPEG: b"\xff\xd9", PNG: b"IEND\xaeB`\x82"}


class MediaCache:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def path(self, name: str) -> Path:
        return self.folder / name

    def get(self, name: str, limits: Limits) -> Prepared | None:
        """The entry `name` if it is complete and within `limits`, else None."""
        try:
            data = self.path(name).read_bytes()
        except OSError:
            return None
        found = _complete(data, limits)
        if found is not None:
            self.touch(name)
        return found

    def touch(self, name: str) -> None:
        """Mark the entry `name` used now: the last to be pruned."""
        with contextlib.suppress(OSError):
            os.utime(self.path(name))

    def put(self, name: str, prepared: Prepared) -> None:
        """Store `prepared` as `name` (atomically). Raises OSError when it cannot be written."""
        self.put_bytes(name, prepared.data)

    def put_bytes(self, name: str, data: bytes) -> None:
        """Store `data` as the entry `name` (atomically; another kind of entry than an image:
        a link card). Raises OSError when it cannot be written."""
        # The data folder and this one are private when made here (`locations`).
        self.folder.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.folder.mkdir(exist_ok=True, mode=0o700)
        self._sweep()
        descriptor, temporary = tempfile.mkstemp(dir=self.folder, prefix=_TEMPORARY)
        try:
            with os.fdopen(descriptor, "wb") as file:
                file.write(data)
            os.replace(temporary, self.path(name))
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise

    def _sweep(self) -> None:
        """Remove temporary files left by a writer that was killed (none lives an hour)."""
        limit = time.time() - _STALE_SECONDS
        for stale in self.folder.glob(f"{_TEMPORARY}*"):
            with contextlib.suppress(OSError):
                if stale.stat().st_mtime < limit:
                    stale.unlink()

    def prune(
        self,
        *,
        now: float | None = None,
        max_age: float = MAX_AGE_SECONDS,
        max_bytes: int = MAX_BYTES,
    ) -> int:
        """Drop the entries unused for `max_age` seconds, then the least recently used while
        the rest hold more than `max_bytes`. Returns how many were dropped. Temporary files
        (writes in progress) are left to `_sweep`; an entry another process removes at the
        same time is simply gone."""
        now = time.time() if now is None else now
        entries: list[tuple[float, int, Path]] = []
        try:
            listed = list(os.scandir(self.folder))
        except OSError:
            return 0  # no cache yet
        for entry in listed:
            if entry.name.startswith("."):  # temporary files and the stamp
                continue
            with contextlib.suppress(OSError):
                info = entry.stat(follow_symlinks=False)
                if stat.S_ISREG(info.st_mode):
                    entries.append((info.st_mtime, info.st_size, Path(entry.path)))
        entries.sort()  # least recently used first
        total = sum(size for _, size, _ in entries)
        dropped = 0
        for used, size, path in entries:
            if used >= now - max_age and total <= max_bytes:
                break  # the rest are younger still
            try:
                path.unlink()
            except FileNotFoundError:
                pass  # another process pruned it meanwhile
            except OSError:
                continue  # kept (a read-only folder; a reader holding it, on Windows)
            else:
                dropped += 1
            total -= size
        return dropped

    def prune_if_due(self, *, now: float | None = None, every: float = PRUNE_EVERY_SECONDS) -> bool:
        """`prune` unless the folder was pruned less than `every` seconds ago (the stamp's
        time). Whether it pruned."""
        now = time.time() if now is None else now
        stamp = self.folder / _PRUNED_STAMP
        try:
            if now - stamp.stat().st_mtime < every:
                return False
        except FileNotFoundError:
            pass
        except OSError:
            return False
        if not self.folder.is_dir():
            return False
        self.prune(now=now)
        with contextlib.suppress(OSError):
            stamp.touch(mode=0o600)
            os.utime(stamp, (now, now))
        return True


def default_cache() -> MediaCache:
    """The cache in the data folder (`locations.media_cache_folder`)."""
    return MediaCache(locations.media_cache_folder())


def _complete(data: bytes, limits: Limits) -> Prepared | None:
    mime = next((m for m, sig in _SIGNATURES.items() if data.startswith(sig)), None)
    if mime is None or not data.endswith(_ENDINGS[mime]):
        return None
    try:
        with Image.open(io.BytesIO(data), formats=["JPEG", "PNG"]) as image:
            width, height = image.size
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return None
    if not limits.admit(data, mime, width, height):
        return None
    return Prepared(data, mime, width, height, hashlib.sha256(data).hexdigest())
