"""CLI commands placeholder; its owner fills in register()."""

import typer


def register(app: typer.Typer) -> None:
    """Attach this module's commands or groups to the root app."""
