"""An account's `media_upload_cmd` (Threads): a command that uploads an image file somewhere
public (the organisation's bucket, say) and prints its address.

Threads takes an image only by a public `image_url` that Meta's servers fetch
(https://developers.facebook.com/docs/threads/posts, "image_url ... must be on a public
server"), so the image has to be put somewhere first. The command is run as secret commands
are (composer.workspace.external_commands: no shell, its own process group, a timeout, its
output read strictly and never shown, its standard error discarded) with the prepared
file's path (its metadata already stripped) as its last argument. What it prints must be
exactly one https:// URL; anything else is refused with one line.
"""

from __future__ import annotations

import shlex
from urllib.parse import urlsplit

from composer.text.patterns import compile_on_use
from composer.workspace.secrets import ConfigError, command_output

__all__ = ["MAX_URL_CHARS", "MEDIA_UPLOAD_TIMEOUT", "run_media_upload"]

MEDIA_UPLOAD_TIMEOUT = 120.0
"""Seconds an upload command may run (an 8 MB image over a slow line) before it fails."""
MAX_URL_CHARS = 2048
MAX_OUTPUT = 64 * 1024  # bytes it may print (a URL and a newline); more is refused, unread
_URL = compile_on_use(r"https://[\x21-\x7e]+")  # printable ASCII, no space: one URL, nothing else


def run_media_upload(command: str, path: str, label: str) -> str:
    """Run `command` with `path` appended; the public https:// URL it printed. ConfigError
    (one line naming `label` and the command, never its output) otherwise."""
    text = command_output(
        [*shlex.split(command), path],
        label,
        command,
        MEDIA_UPLOAD_TIMEOUT,
        waiting="is it waiting for a login or a network that does not answer?",
        limit=MAX_OUTPUT,
    )
    url = text.strip()
    if not url:
        raise ConfigError(f"{label}: command {command!r} printed nothing; it must print the URL")
    parts = urlsplit(url) if _URL.fullmatch(url) and len(url) <= MAX_URL_CHARS else None
    if parts is None or not parts.hostname or parts.username or parts.password:
        raise ConfigError(
            f"{label}: command {command!r} printed something other than one https:// URL "
            "(it must print only the uploaded file's public address); run it yourself to see"
        )
    return url
