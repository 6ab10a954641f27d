"""Prepared images kept on disk, one file per source image and limits.

An entry is the exact bytes to upload, named `<source sha256>-<limits digest>`, written to a
temporary file in the same folder and renamed over the name: two processes preparing the
same image both write a complete file, and a reader sees a whole entry or none. A temporary
file left by a killed writer is removed an hour later. A file that is not a complete JPEG or
PNG within the limits (empty after a power cut, since the cache does not wait for the disk;
damaged; edited by hand) is not used: it is prepared again and replaced. The folder is
private (0700), the files 0600: the images are as sensitive as the drafts they belong to.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import tempfile
import time
from pathlib import Path

from PIL import Image

from composer.media.limits import JPEG, PNG, Limits, Prepared

_TEMPORARY = ".tmp-"
_STALE_SECONDS = 3600
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
        return _complete(data, limits)

    def put(self, name: str, prepared: Prepared) -> None:
        """Store `prepared` as `name` (atomically). Raises OSError when it cannot be written."""
        # The data folder and this one are private when made here (`locations`).
        self.folder.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.folder.mkdir(exist_ok=True, mode=0o700)
        self._sweep()
        descriptor, temporary = tempfile.mkstemp(dir=self.folder, prefix=_TEMPORARY)
        try:
            with os.fdopen(descriptor, "wb") as file:
                file.write(prepared.data)
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
