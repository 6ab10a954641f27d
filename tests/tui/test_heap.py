"""The app's start-up objects set aside from full collections once, handed back once, and
never set aside by an app that has already ended (composer/tui/heap.py)."""

from __future__ import annotations

import gc

import pytest

from composer.tui.heap import StartUpAside


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """gc.freeze and gc.unfreeze, recorded (the freeze count itself moves as objects in the
    permanent generation are freed, so it cannot say whether freeze ran again)."""
    made: list[str] = []
    monkeypatch.setattr(gc, "freeze", lambda: made.append("freeze"))
    monkeypatch.setattr(gc, "unfreeze", lambda: made.append("unfreeze"))
    return made


def test_set_aside_once_then_handed_back_for_good(calls: list[str]) -> None:
    start_up = StartUpAside()
    start_up.set_aside()
    start_up.set_aside()  # a second refresh: nothing more
    start_up.end()
    start_up.set_aside()  # a refresh after the end: nothing
    start_up.end()
    assert calls == ["freeze", "unfreeze"]


def test_an_app_ended_before_its_first_screen_sets_nothing_aside(calls: list[str]) -> None:
    start_up = StartUpAside()
    start_up.end()
    start_up.set_aside()
    assert calls == []


def test_what_is_set_aside_is_handed_back() -> None:
    start_up = StartUpAside()
    try:
        start_up.set_aside()
        assert gc.get_freeze_count() > 0
        start_up.end()
        assert gc.get_freeze_count() == 0
    finally:
        gc.unfreeze()
