"""Every screen's own keys, declared once: the screens build their BINDINGS from these
tables, the command palette (tui/commands.py) offers the compose screen's, and F1's "Keys"
list (tui/keys.py) reads the live bindings. The keys that switch screens are the app's
(`MODES` in tui/app.py)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from textual.binding import Binding, BindingType

__all__ = [
    "ACCOUNTS_KEYS",
    "COMPOSE_KEYS",
    "HISTORY_KEYS",
    "PLATFORM_KEYS",
    "QUEUE_KEYS",
    "ScreenKey",
    "bindings",
]


@dataclass(frozen=True, slots=True)
class ScreenKey:
    """One of a screen's actions, declared once: its key, the action it runs
    (`action_<action>` of the screen) and its footer label; for the compose screen also
    what the command palette shows for it (tui/commands.py). The binding's id is
    `<screen>.<action>` unless `binding_id` is given."""

    key: str
    action: str
    label: str
    command: str = ""
    help: str = ""
    binding_id: str = ""
    in_footer: bool = True  # the others are in F1's list (and the palette) only


def _binding_id(screen: str, key: ScreenKey) -> str:
    return f"{screen}.{key.binding_id or key.action}"


def bindings(screen: str, keys: Iterable[ScreenKey]) -> list[BindingType]:
    """The Textual bindings of `keys` on `screen`."""
    return [
        Binding(
            k.key, k.action, k.label, show=k.in_footer, id=f"{screen}.{k.binding_id or k.action}"
        )
        for k in keys
    ]


# The compose screen: in the footer, or (in_footer=False) in F1 and the palette only, so
# that 80 columns fit.
COMPOSE_KEYS = (
    # Saving is automatic a second after typing stops: ctrl+s is for now, not in the footer.
    ScreenKey(
        "ctrl+s", "save", "Save", "Save the draft", "Write it to its file now", in_footer=False
    ),
    ScreenKey("ctrl+t", "schedule", "Schedule", "Schedule the draft", "Choose accounts and a time"),
    # ctrl+f: ctrl+e and f6 are the editor's (end of line, select the line).
    ScreenKey(
        "ctrl+f",
        "draft_settings",
        "Settings",
        "Draft settings",
        "Title, accounts, mentions, tags, numbering, language, visibility... as a form",
        in_footer=False,
    ),
    ScreenKey(
        "ctrl+o", "mentions", "Mentions", "Mentions", "Choose who the thread mentions", "", False
    ),
    ScreenKey(
        "ctrl+g", "hashtags", "Hashtags", "Hashtags", "Choose the thread's hashtags", "", False
    ),
    ScreenKey(
        "ctrl+n", "new_draft", "New", "New draft", "Start a draft with a title", "new", False
    ),
    ScreenKey(
        "ctrl+r",
        "import_document",
        "Import",
        "Import a document",
        "A PDF, Word, OpenDocument or HTML file, or a web page, made a new draft",
    ),
    # ctrl+l: ctrl+i, ctrl+m and ctrl+h reach us as Tab, Enter and Backspace.
    ScreenKey(
        "ctrl+l",
        "insert_image",
        "Image",
        "Insert an image",
        "A file and its alt text, after this paragraph",
        in_footer=False,
    ),
    ScreenKey(
        "ctrl+b",
        "copy_post",
        "Copy post",
        "Copy the post",
        "The post the cursor is in, as the platform on screen gets it, to the clipboard",
        in_footer=False,
    ),
    ScreenKey(
        "f9",
        "copy_thread",
        "Copy thread",
        "Copy the thread",
        "Every post for the platform on screen, one after another, to the clipboard",
        in_footer=False,
    ),
)
# The preview's platform tabs, from the editor too: one "Platform" group in the footer.
PLATFORM_KEYS = Binding.Group("Platform", compact=True)

ACCOUNTS_KEYS = (
    ScreenKey("v", "verify", "Verify"),
    ScreenKey("a", "verify_all", "Verify all"),
    ScreenKey("r", "reload", "Reload"),
)
HISTORY_KEYS = (
    ScreenKey("ctrl+f", "focus_search", "Search", binding_id="search"),
    ScreenKey("ctrl+r", "resume", "Resume"),
    ScreenKey("ctrl+t", "retract", "Retract"),
)
QUEUE_KEYS = (
    ScreenKey("c", "cancel_edition", "Cancel", binding_id="cancel"),
    ScreenKey("m", "move_edition", "Move", binding_id="move"),
    ScreenKey("p", "publish_now", "Publish"),
    ScreenKey("s", "stop_rule", "Stop rule"),
    ScreenKey("a", "toggle_done", "Done"),
    ScreenKey("r", "refresh", "Refresh"),
)
