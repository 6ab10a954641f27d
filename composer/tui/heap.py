"""What a long-running process (the TUI and its split process) made at start-up is set
aside from the cyclic garbage collector's full collections.

A full collection walks every object the process holds: in the TUI about 200,000 (Textual,
SQLAlchemy, the screens and their widgets), some 100 ms each time, and on a 20,000-character
draft one came every other keystroke (bench_tui: 19 in 36 keystrokes, 2 s of pauses). In the
split process each took 50 ms, every second preview (three splits), and found no garbage at
all. Nearly every one of those objects was made at start-up and lives as long as the process:
`gc.freeze` moves them to a generation the collector never walks, so that a full collection
walks only what came later.
"""

from __future__ import annotations

import gc


def set_aside_start_up() -> None:
    """Leave every object alive now out of the collector's full collections. A cycle among
    them that is garbage, or becomes garbage later (a widget of the first screen, removed),
    stays in memory until `StartUpAside.end` (for good, in the split process): a bounded
    cost, paid once, for start-up's objects."""
    gc.freeze()


class StartUpAside:
    """The app's side of it, as one state: waiting for the first screen, set aside, or
    ended. Ending hands back what was set aside; an app that ended before its first screen
    was drawn (a test's, a failed start) sets nothing aside afterwards."""

    def __init__(self) -> None:
        self._state = "waiting"

    def set_aside(self) -> None:
        if self._state == "waiting":
            set_aside_start_up()
            self._state = "aside"

    def end(self) -> None:
        """Give what was set aside back to the collector: the process may go on after the
        app (the TUI run in a test, or from a script) and free what it made."""
        if self._state == "aside":
            gc.unfreeze()
        self._state = "ended"
