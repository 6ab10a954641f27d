"""The two errors of the publishing layer, one line each, for every front end."""

from __future__ import annotations

from composer.errors import ComposerError


class PublishError(ComposerError, ValueError):
    """A draft that cannot be published as asked (no account, no accounts file...)."""


class PreflightError(PublishError):
    """An account that cannot be published to, found before anything was written, claimed
    or set publishing: a secret that cannot be read (`_env` unset, a `_cmd` that fails), a
    platform without a client, an edition whose account is gone, a thread that does not fit
    its instance. One line, naming the account and the cause."""
