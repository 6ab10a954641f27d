"""The app's start-up objects set aside from full collections once, handed back once, and
never set aside by an app that has already ended (composer/tui/heap.py)."""

from __future__ import annotations

import gc

from composer.tui.heap import StartUpAside


def test_set_aside_once_then_handed_back_for_good() -> None:
    start_up = StartUpAside()
    try:
        start_up.set_aside()
        held = gc.get_freeze_count()
        assert held > 0
        start_up.set_aside()  # a second refresh: nothing more
        assert gc.get_freeze_count() == held
        start_up.end()
        assert gc.get_freeze_count() == 0
        start_up.set_aside()  # a refresh after the end: nothing
        assert gc.get_freeze_count() == 0
    finally:
        gc.unfreeze()


def test_an_app_ended_before_its_first_screen_sets_nothing_aside() -> None:
    start_up = StartUpAside()
    try:
        start_up.end()
        start_up.set_aside()
        assert gc.get_freeze_count() == 0
    finally:
        gc.unfreeze()
