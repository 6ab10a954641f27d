"""Posts remember the platform's draft container (Threads) made before publishing.

A publisher killed between "container made" and "published" must find that container again
to check its status, instead of publishing a second time.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision: str | None = "0001"


def upgrade() -> None:
    # A plain ADD COLUMN: a batch copy of the table would drop the FTS triggers on it.
    op.add_column("posts", sa.Column("remote_container", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("posts", "remote_container")
