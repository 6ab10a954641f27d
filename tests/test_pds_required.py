"""Without the Bluesky PDS the tests that need it skip on a developer's machine, and fail in
CI (tests/pds.py): a CI run must never pass by skipping its Bluesky tests."""

from __future__ import annotations

import pytest

from tests import pds


@pytest.mark.parametrize(
    ("variable", "value"),
    [("COMPOSER_REQUIRE_PDS", "1"), ("CI", "true"), ("CI", "1")],
)
def test_a_missing_pds_fails_in_ci(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.delenv("COMPOSER_REQUIRE_PDS", raising=False)
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setenv(variable, value)
    with pytest.raises(BaseException) as outcome:  # a skip, too, so that it cannot pass
        pds._unavailable("no peer")
    assert outcome.type is pytest.fail.Exception
    assert outcome.match(f"{variable}=.* but no peer")


@pytest.mark.parametrize("ci", [None, "", "false", "0"])
def test_a_missing_pds_skips_elsewhere(monkeypatch: pytest.MonkeyPatch, ci: str | None) -> None:
    monkeypatch.delenv("COMPOSER_REQUIRE_PDS", raising=False)
    if ci is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", ci)
    with pytest.raises(BaseException) as outcome:
        pds._unavailable("no peer")
    assert outcome.type is pytest.skip.Exception
    assert outcome.match("no peer")
