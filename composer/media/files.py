"""Which image files are read, and how: the one rule for `probe` (the preview, the checks)
and `prepare` (the upload), so a file the preview accepts is one the upload can read."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from composer.media.errors import MediaError

# Pillow's names of the formats read: what cameras, phones, scanners and screenshot tools
# write. A JPEG may open as MPO, a camera file with extra frames (a preview, a depth map);
# its first frame is the photo. No plugin that runs an outside program (EPS, PDF).
READABLE = ("JPEG", "PNG", "GIF", "WEBP", "TIFF", "BMP")


def open_regular(path: Path) -> tuple[int, os.stat_result]:
    """An open descriptor on the image file at `path`, and what it is; MediaError for a
    missing file, a folder, a FIFO or a device. Opened without blocking (a named pipe put in
    the image's place would wait for a writer), then checked on what was opened, not on the
    name. The caller closes the descriptor."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise MediaError(path, "no such file") from None
    except IsADirectoryError:
        raise MediaError(path, "not a regular file") from None
    except OSError as error:
        raise MediaError(path, f"cannot be read ({error.strerror or error})") from None
    info = os.fstat(descriptor)
    if not stat.S_ISREG(info.st_mode):
        os.close(descriptor)
        raise MediaError(path, "not a regular file")
    return descriptor, info
