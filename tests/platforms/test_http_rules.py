"""The rules every client applies alike to a request without a clear answer
(composer.platforms.base): one home, so the four clients cannot drift apart."""

from __future__ import annotations

import httpx
import pytest

from composer.platforms.base import (
    Unavailable,
    Unclear,
    failed_status_kind,
    no_answer_kind,
    same_text,
)


@pytest.mark.parametrize("error", [httpx.ConnectError("refused"), httpx.ConnectTimeout("slow")])
def test_a_request_that_never_left_is_unavailable_even_when_it_creates(
    error: httpx.TransportError,
) -> None:
    assert no_answer_kind(error, creates=True) is Unavailable


def test_a_sent_request_without_answer_is_unclear_only_when_it_creates() -> None:
    error = httpx.ReadTimeout("no answer")
    assert no_answer_kind(error, creates=True) is Unclear
    assert no_answer_kind(error, creates=False) is Unavailable


@pytest.mark.parametrize(
    ("status", "creates", "kind"),
    [
        (408, True, Unavailable),  # the server gave up waiting: nothing was done
        (503, True, Unavailable),  # a proxy that could not reach the platform
        (500, True, Unclear),  # may come after the post was saved
        (502, False, Unavailable),  # a read created nothing
        (404, True, None),  # the platform's own rules decide
        (429, True, None),
    ],
)
def test_failed_status_kinds(status: int, creates: bool, kind: type | None) -> None:
    assert failed_status_kind(status, creates=creates) is kind


def test_same_text_forgives_only_line_endings_and_surrounding_space() -> None:
    assert same_text(" a\r\nb \n", "a\nb")
    assert not same_text("a b", "a  b")
    assert not same_text(None, "a")
