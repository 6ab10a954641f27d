"""The Textual composer: screens and widgets over the engine, workspace, store, publishing
and scheduling layers. No business logic lives here; imported only by `thread-composer`
when it opens the TUI, so `split` and `count` never pay for Textual."""

from composer.tui.app import ComposerApp, make_app
from composer.tui.services import Services
from composer.tui.thumbnails import picture_widget

__all__ = ["ComposerApp", "Services", "make_app", "picture_widget"]
