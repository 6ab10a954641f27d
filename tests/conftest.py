from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import settings

from composer.workspace.drafts import Draft, load_draft

# Property tests run 200 examples each; `pytest --hypothesis-profile=thorough` runs 5,000.
settings.register_profile("default", max_examples=200, deadline=None)
settings.register_profile("thorough", max_examples=5000, deadline=None)
settings.load_profile("default")

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def example_draft() -> Draft:
    return load_draft(str(ROOT / "drafts" / "example.md"))


@pytest.fixture(scope="session")
def example_ru_draft() -> Draft:
    return load_draft(str(ROOT / "drafts" / "example-ru.md"))
