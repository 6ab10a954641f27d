"""composer.text.redaction is pure: it hides the secrets it is given, and keeps none.

The registry of secrets this process has read is state, and lives in composer.redaction.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from composer import redaction
from composer.text import redaction as pure

TOKEN = "k3Y9-not-a-pattern"


@pytest.fixture(autouse=True)
def empty_registry() -> Iterator[None]:
    redaction.forget_secrets()
    yield
    redaction.forget_secrets()


def test_pure_redact_hides_only_the_secrets_it_is_given() -> None:
    redaction.register_secret(TOKEN)
    assert pure.redact(f"refused: {TOKEN}") == f"refused: {TOKEN}"
    assert pure.redact(f"refused: {TOKEN}", [TOKEN]) == f"refused: {pure.REDACTED}"


def test_registered_secret_and_its_forms_are_hidden_by_the_registry() -> None:
    redaction.register_secret("s3cret", user="client-id")
    for form in pure.secret_forms("s3cret", user="client-id"):
        assert form not in redaction.redact(f"echo {form} end")
    assert "client-id" in redaction.redact("client-id was refused")


def test_text_package_keeps_no_registry() -> None:
    assert not hasattr(pure, "register_secret")
    assert not hasattr(pure, "forget_secrets")
