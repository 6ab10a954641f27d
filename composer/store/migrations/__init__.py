"""Alembic migrations, shipped in the package and run without an alembic.ini."""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Literal

# The newest migration's revision: a database already there opens without Alembic (one
# query; Alembic is imported only when a migration is due). tests/store/test_database.py
# checks it is the scripts' head: change it with every new migration.
HEAD_REVISION = "0011"

FTS_TABLE = "posts_fts"
# The triggers that keep posts_fts equal to posts (made by 0001; made again by a migration
# that copies the posts table, as dropping a table drops its triggers). Only a change of
# text touches the index; status updates (the common case) do not.
POSTS_FTS_TRIGGERS = (
    "CREATE TRIGGER posts_fts_after_insert AFTER INSERT ON posts BEGIN "
    "INSERT INTO posts_fts(rowid, text) VALUES (new.id, new.text); END",
    "CREATE TRIGGER posts_fts_after_delete AFTER DELETE ON posts BEGIN "
    "INSERT INTO posts_fts(posts_fts, rowid, text) VALUES ('delete', old.id, old.text); END",
    "CREATE TRIGGER posts_fts_after_update AFTER UPDATE OF text ON posts BEGIN "
    "INSERT INTO posts_fts(posts_fts, rowid, text) VALUES ('delete', old.id, old.text); "
    "INSERT INTO posts_fts(rowid, text) VALUES (new.id, new.text); END",
)

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
