"""Each edition's publishing options (composer.text.options.PostOptions as JSON: language,
visibility, content warning, who may reply or quote), fixed when the edition is made, so a
resume or the daemon sends exactly what was recorded. NULL: the platforms' defaults (every
edition made before options were kept).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision: str | None = "0009"


def upgrade() -> None:
    op.add_column("editions", sa.Column("options", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("editions") as batch:
        batch.drop_column("options")
