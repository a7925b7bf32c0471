"""CSV cells that a spreadsheet will not run: a leading = + - @ tab or carriage return is prefixed with '."""

from __future__ import annotations

from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """``value`` unless it is text that starts like a formula; then the same text after a single quote."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def safe_row(row: list[Any] | tuple[Any, ...]) -> list[Any]:
    """Every cell of ``row`` made safe."""
    return [safe_cell(v) for v in row]


def safe_dict(row: dict[str, Any]) -> dict[str, Any]:
    """Every value of ``row`` made safe."""
    return {k: safe_cell(v) for k, v in row.items()}
