"""What each Mastodon instance says of images, remembered for the preview and the planning
checks: `max_media_attachments` (images a post), `description_limit` (alt text
characters), `image_size_limit` and `image_matrix_limit` (one image's bytes and pixels).

The Mastodon client reads them from /api/v2/instance when it verifies an account or
publishes, and `publish` asks an instance never asked before it plans a draft with images
(`remember`); the preview and the checks before publishing read them here
(`remembered`), never from the network: a keystroke never waits for an instance. An
instance not asked yet, or a figure it does not give, is None: the platform's facts apply.

One small JSON file in the data folder (`locations.instance_figures_file`), keyed by the
account's API address, rewritten whole (a temporary file renamed over it) so a reader sees
the old file or the new one. Two processes remembering at once: the last one's file stands,
and what the other added is read again from its instance next time. A damaged file, or a
figure that is not a positive number, is as good as absent. It sits above `locations` and
below the I/O layer: the client (platforms) writes it, `workspace` reads it.
"""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import asdict, dataclass, fields
from typing import Any

from composer import locations

__all__ = ["InstanceFigures", "remember", "remembered"]


@dataclass(frozen=True, slots=True)
class InstanceFigures:
    """An instance's media figures; None where it does not say."""

    max_media_attachments: int | None = None
    description_limit: int | None = None
    image_size_limit: int | None = None
    image_matrix_limit: int | None = None

    @classmethod
    def from_json(cls, data: object) -> InstanceFigures:
        """The figures of a JSON object, each a positive number or None."""
        found = data if isinstance(data, dict) else {}
        return cls(**{f.name: _positive(found.get(f.name)) for f in fields(cls)})


def _key(api_url: str) -> str:
    return api_url.strip().rstrip("/").lower()


def _positive(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    return None


def _read_all() -> dict[str, Any]:
    try:
        data = json.loads(locations.instance_figures_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):  # none yet, unreadable, or damaged: as if none
        return {}
    return data if isinstance(data, dict) else {}


def remembered(api_url: str) -> InstanceFigures | None:
    """The figures last read from the instance at `api_url`, or None if it was never asked."""
    found = _read_all().get(_key(api_url))
    return InstanceFigures.from_json(found) if isinstance(found, dict) else None


def remember(api_url: str, figures: InstanceFigures) -> None:
    """Keep `figures` for the instance at `api_url` (the file replaced whole, private).
    Raises OSError when the data folder cannot be written."""
    every = _read_all()
    key = _key(api_url)
    if every.get(key) == asdict(figures):
        return  # unchanged: no write
    every[key] = asdict(figures)
    folder = locations.private_data_folder()
    target = locations.instance_figures_file()
    import tempfile  # here, not at the top: only a write needs it, and it is slow to import

    descriptor, temporary = tempfile.mkstemp(dir=folder, prefix=".instances-")
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            json.dump(every, file, indent=1, sort_keys=True)
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
