"""Every error the package raises on purpose is one family, `ComposerError`, and keeps the
built-in base it had, so `except ValueError` callers are unchanged."""

from __future__ import annotations

import pytest

from composer.errors import ComposerError
from composer.media import MediaError
from composer.platforms.base import PlatformError, Refused, Retryable, Unclear
from composer.platforms.clients import UnsupportedPlatform
from composer.publishing import PreflightError, PublishError
from composer.recurring import RuleError
from composer.scheduling import ScheduleError
from composer.store import AlreadyHeld, StoreError
from composer.store.claims import ClaimLost, EditionBusy
from composer.store.errors import DatabaseFailure
from composer.text import NumberingError, SplitError, UnknownPlatformError
from composer.text.enrich import EnrichError
from composer.workspace.config import ConfigError, parse_config
from composer.workspace.document_formats import DocumentError
from composer.workspace.drafts import DraftError
from composer.workspace.starter import StarterError
from composer.workspace.when import WhenError

VALUE_ERRORS = (
    ConfigError,
    DocumentError,
    DraftError,
    EnrichError,
    MediaError,
    NumberingError,
    PreflightError,
    PublishError,
    RuleError,
    ScheduleError,
    SplitError,
    StarterError,
    UnknownPlatformError,
    UnsupportedPlatform,
    WhenError,
)
OTHER_ERRORS = (
    AlreadyHeld,
    ClaimLost,
    DatabaseFailure,
    EditionBusy,
    PlatformError,
    Refused,
    Retryable,
    StoreError,
    Unclear,
)


@pytest.mark.parametrize("error", VALUE_ERRORS + OTHER_ERRORS, ids=lambda e: e.__name__)
def test_every_error_is_a_composer_error(error: type[Exception]) -> None:
    assert issubclass(error, ComposerError)


@pytest.mark.parametrize("error", VALUE_ERRORS, ids=lambda e: e.__name__)
def test_value_errors_are_still_value_errors(error: type[Exception]) -> None:
    assert issubclass(error, ValueError)


def test_one_except_catches_a_config_error() -> None:
    with pytest.raises(ComposerError, match=r"accounts\.toml:1: unknown key 'colour'"):
        parse_config("colour = 1\n")
