"""Fixtures the publishing tests share."""

from tests.publishing.test_crash import publisher_env  # noqa: F401 - the killed-run tests' env
