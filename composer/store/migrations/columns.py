"""Column shapes that several migrations write alike.

Migrations are frozen history: a change here changes what every migration that uses it
creates, so these shapes never change; a new shape gets a new function.
"""

from __future__ import annotations

import sqlalchemy as sa


def row_id() -> sa.Column[int]:
    """The integer primary key every table but `daemon_workers` has."""
    return sa.Column("id", sa.Integer(), primary_key=True)


def owned_by(column: str, parent_table: str) -> sa.Column[int]:
    """A required reference to the row this one belongs to; deleting the parent deletes it."""
    return _cascading_reference(column, parent_table, nullable=False)


def optionally_owned_by(column: str, parent_table: str) -> sa.Column[int]:
    """`owned_by` for a row that may belong to no parent row (the reference may be NULL)."""
    return _cascading_reference(column, parent_table, nullable=True)


def _cascading_reference(column: str, parent_table: str, *, nullable: bool) -> sa.Column[int]:
    return sa.Column(
        column,
        sa.Integer(),
        sa.ForeignKey(f"{parent_table}.id", ondelete="CASCADE"),
        nullable=nullable,
    )


# The statuses as 0001 created them (frozen: later revisions add to copies of these).
EDITION_STATUSES_0001 = (
    "draft",
    "scheduled",
    "publishing",
    "published",
    "partial",
    "failed",
    "cancelled",
    "missed",
)
POST_STATUSES_0001 = ("pending", "sending", "sent", "failed")


def status_enum(values: tuple[str, ...], name: str) -> sa.Enum:
    """A status column's type: a short string with a CHECK naming `values` (named `name`)."""
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=16)
