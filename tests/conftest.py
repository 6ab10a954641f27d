from __future__ import annotations

from pathlib import Path

import pytest

from composer.workspace.drafts import Draft, load_draft

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def example_draft() -> Draft:
    return load_draft(str(ROOT / "drafts" / "example.md"))


@pytest.fixture(scope="session")
def example_ru_draft() -> Draft:
    return load_draft(str(ROOT / "drafts" / "example-ru.md"))
