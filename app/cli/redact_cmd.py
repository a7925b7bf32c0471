"""`steward redact` command placeholder."""

import typer


def register(app: typer.Typer) -> None:
    """Attach the redact command to the root app."""
