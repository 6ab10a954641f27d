"""The client registry: one client class per publishable platform of the table."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from composer.platforms.clients import CLIENTS, UnsupportedPlatform, client_class, make_client
from composer.text.platform_facts import FACTS


def test_every_registered_client_is_a_platform_of_the_table_and_names_it() -> None:
    assert set(CLIENTS) <= set(FACTS)
    for name in CLIENTS:
        assert getattr(client_class(name), "platform", None) == name


def test_every_platform_of_the_table_has_a_client() -> None:
    assert set(FACTS) == set(CLIENTS)


def test_a_platform_without_a_client_is_refused_in_one_line() -> None:
    with pytest.raises(UnsupportedPlatform, match=r"^publishing to myspace is not supported$"):
        make_client(SimpleNamespace(platform="myspace"))
