"""Graph tests use the shared portfolio fixtures."""

from tests.portfolio_fixtures import *  # noqa: F403
