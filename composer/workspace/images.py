"""A draft's images: their files found beside the draft, measured, and checked for a
platform (the alt text each needs, the files it can take).

The image lines themselves are the text layer's (`composer.text.images`): it takes them out
of the report and gives each post its own. Here a path is resolved against the draft's
folder and the file is read through `probe`, which the caller gives:
`composer.media.probe.probe` (the media layer sits beside this one, so it is passed in, not
imported). Every problem is one line naming the draft's line.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from composer.text import Thread
from composer.text.images import Image, alt_text_problem
from composer.text.platform_facts import FACTS
from composer.workspace.accounts import Account
from composer.workspace.drafts import Draft

if TYPE_CHECKING:
    from composer.instances import InstanceFigures

__all__ = [
    "ImageFile",
    "Measured",
    "Probe",
    "account_figures",
    "alt_text_limit",
    "alt_text_required",
    "file_problems",
    "image_files",
    "image_problems",
]


class Measured(Protocol):
    """What a probe tells of an image: its upright size."""

    @property
    def width(self) -> int: ...

    @property
    def height(self) -> int: ...


Probe = Callable[[Path], Measured]
"""Reads an image file's upright size; raises ValueError with a one-line reason (no path)."""


@dataclass(frozen=True, slots=True)
class ImageFile:
    """An image line of a draft with its file: where it is, its upright size, or why it
    cannot be used (`problem`, e.g. "no such file")."""

    image: Image
    path: Path
    width: int = 0
    height: int = 0
    problem: str = ""

    @property
    def chip(self) -> str:
        """How a preview shows it: "[image: akimat.jpg 4032x3024, alt 78 chars]"."""
        size = f": {self.problem}" if self.problem else f" {self.width}x{self.height}"
        alt = f"alt {len(self.image.alt)} chars" if self.image.alt else "no alt text"
        return f"[image: {self.image.name}{size}, {alt}]"

    def to_dict(self) -> dict[str, object]:
        """`split --json`'s entry: the file as found from here, its alt text, upright size."""
        return {
            "path": str(self.path),
            "alt": self.image.alt,
            "width": self.width,
            "height": self.height,
        }


def image_files(draft: Draft, thread: Thread, probe: Probe) -> list[tuple[ImageFile, ...]]:
    """Each post's images with their files, read through `probe` (each file once)."""
    measured: dict[Path, ImageFile] = {}
    posts: list[tuple[ImageFile, ...]] = []
    for post in thread.posts:
        files: list[ImageFile] = []
        for image in post.media:
            path = draft.folder / Path(image.path).expanduser()
            if path not in measured:
                measured[path] = _measure(image, path, probe)
            found = measured[path]
            files.append(ImageFile(image, path, found.width, found.height, found.problem))
        posts.append(tuple(files))
    return posts


def _measure(image: Image, path: Path, probe: Probe) -> ImageFile:
    if not image.path:
        return ImageFile(image, path, problem="no file named between the parentheses")
    try:
        size = probe(path)
    except ValueError as error:
        return ImageFile(image, path, problem=str(error))
    return ImageFile(image, path, size.width, size.height)


def alt_text_required(draft: Draft, account: Account | None = None) -> bool:
    """Whether images need alt text: the draft's `alt_text_required` when it says, else the
    account's, else yes."""
    if draft.alt_text_required is not None:
        return draft.alt_text_required
    if account is not None and account.alt_text_required is not None:
        return account.alt_text_required
    return True


def account_figures(account: Account | None) -> InstanceFigures | None:
    """The media figures of a Mastodon account's instance as last read from it (when the
    account was verified or published to: `composer.instances`), never fetched here; None
    for another platform or an instance not asked yet (the platform's facts apply)."""
    if account is None or account.platform != "mastodon":
        return None
    from composer.instances import remembered  # here: it loads platformdirs and json

    return remembered(account.api_url)


def alt_text_limit(platform: str, figures: InstanceFigures | None = None) -> int | None:
    """The longest alt text `platform` takes: a Mastodon instance's own `description_limit`
    where its `figures` say, else the platform's (FACTS); None where none is documented.
    The one rule for the preview, the insert-image dialog and the checks before publishing."""
    if figures is not None and figures.description_limit is not None:
        return figures.description_limit
    return FACTS[platform].media.alt_text_limit if platform in FACTS else None


def file_problems(draft: Draft, files: Sequence[Sequence[ImageFile]]) -> list[str]:
    """The image files that cannot be used (missing, unreadable, not an image), one line
    each naming the draft's line."""
    return _problem_lines(draft, files, lambda file: [_file_reason(file)])


def image_problems(
    draft: Draft,
    platform: str,
    account: Account | None,
    files: Sequence[Sequence[ImageFile]],
    figures: InstanceFigures | None = None,
) -> list[str]:
    """Everything that keeps a thread's images from going to `platform` for `account` (None:
    no account there), one line each naming the draft's line, in the draft's order: the
    files that cannot be used (`file_problems`), then each alt text missing (when
    `alt_text_required` says it must be there) or longer than the instance's `figures`
    take (else those remembered, else the platform's). The one rule publishing refuses by
    and the preview and `split` warn by."""
    required = alt_text_required(draft, account)
    limit = alt_text_limit(platform, figures or account_figures(account))
    return _problem_lines(
        draft,
        files,
        lambda file: [
            _file_reason(file),
            alt_text_problem(file.image, platform, limit, required=required),
        ],
    )


def _file_reason(file: ImageFile) -> str:
    return f"{file.image.path}: {file.problem}" if file.problem else ""


def _problem_lines(
    draft: Draft,
    files: Sequence[Sequence[ImageFile]],
    reasons: Callable[[ImageFile], Sequence[str]],
) -> list[str]:
    """Each file's reasons (empty ones skipped), one line each naming the draft's line, in
    the draft's order."""
    return [
        f"{draft.name}:{file.image.line}: {reason}"
        for post in files
        for file in post
        for reason in reasons(file)
        if reason
    ]
