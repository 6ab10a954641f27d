"""The Textual composer: screens and widgets over the engine, workspace, store, publishing
and scheduling layers. No business logic lives here; imported only by `thread-composer`
when it opens the TUI, so `split` and `count` never pay for Textual.

Its names load when first used (PEP 562): the process that splits long drafts imports
`composer.tui.preview_work`, which must not load Textual with this package.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from composer.lazy import lazy_getattr

if TYPE_CHECKING:
    from composer.tui.app import ComposerApp, make_app
    from composer.tui.services import Services
    from composer.tui.thumbnails import picture_widget

_HOMES = {
    "ComposerApp": "app",
    "make_app": "app",
    "Services": "services",
    "picture_widget": "thumbnails",
}
__all__ = ["ComposerApp", "Services", "make_app", "picture_widget"]


__getattr__ = lazy_getattr(__name__, _HOMES)
