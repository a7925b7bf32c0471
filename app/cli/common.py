"""Shared CLI helpers: settings, database sessions, JSON output."""

from __future__ import annotations

import json
from typing import Any

import typer
from rich.console import Console

console = Console()
err_console = Console(stderr=True)


def database_url(override: str | None = None) -> str:
    """The database URL: the --database-url option, else STEWARD_DATABASE_URL, else the SQLite default."""
    from core.settings import get_settings

    return override or get_settings().resolved_database_url


def open_session(url: str | None = None, *, migrate: bool = True):  # noqa: ANN201
    """Migrate (optionally) and return a new session for the URL."""
    from data.db.session import init_db, make_engine, make_session_factory

    resolved = database_url(url)
    engine = init_db(resolved) if migrate else make_engine(resolved)
    return make_session_factory(engine)()


def print_json(data: Any) -> None:
    """Print JSON with Chinese kept readable."""
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def fail(message: str, code: int = 1) -> None:
    """Print a Chinese error to stderr and exit non-zero."""
    err_console.print(f"[red]错误：[/red]{message}")
    raise typer.Exit(code)
