"""Add-ons found through package entry points, so packages above `app` (evals/) extend it without being imported.

Groups: ``steward.cli`` (a callable that registers sub-commands on the root Typer app) and
``steward.workbench_pages`` (a :class:`WorkbenchPage`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import entry_points
from typing import Any

log = logging.getLogger(__name__)
CLI_GROUP = "steward.cli"
PAGES_GROUP = "steward.workbench_pages"


@dataclass(frozen=True)
class WorkbenchPage:
    """One workbench page contributed by an add-on."""

    name: str
    title: str
    icon: str
    render: Callable[..., None]
    roles: frozenset[str]


def load(group: str) -> list[Any]:
    """The loaded objects of every entry point in ``group``, in name order."""
    loaded = []
    for ep in sorted(entry_points(group=group), key=lambda e: e.name):
        try:
            loaded.append(ep.load())
        except Exception:  # a broken add-on must not take the product down
            log.exception("entry point %s in %s failed to load", ep.name, group)
    return loaded
