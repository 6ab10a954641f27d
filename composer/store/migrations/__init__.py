"""Alembic migrations, shipped in the package and run without an alembic.ini."""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Literal

FTS_TABLE = "posts_fts"

NameType = Literal[
    "schema",
    "table",
    "column",
    "index",
    "unique_constraint",
    "foreign_key_constraint",
    "check_constraint",
]
ParentNames = MutableMapping[
    Literal["schema_name", "table_name", "schema_qualified_table_name"], str | None
]


def include_name(name: str | None, type_: NameType, parent_names: ParentNames) -> bool:
    """Leave the FTS5 table and its shadow tables out of autogenerate comparisons."""
    if type_ == "table" and name is not None:
        return not name.startswith(FTS_TABLE)
    return True
