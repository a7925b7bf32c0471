"""Household-level sample portfolio: projects, owners, units, ledger, payments and evidence rows.

Produces plain row dicts per table so the writer can stream them in chunks with bounded memory.
Identifiers are assigned here (dense integers) so that rows link without round trips.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, timedelta

DEFAULT_AS_OF = date(2024, 9, 2)
HISTORY_MONTHS = 12
PAY_CHANNELS = ("微信", "支付宝", "银行转账", "现金", "银联")
PAY_WEIGHTS = (55, 25, 10, 5, 5)
PREF_CHANNELS = ("wechat", "sms", "phone", "visit")

PROJECTS: tuple[tuple[str, str, str, str], ...] = (
    ("BJ-PILOT", "保利·北京试点社区", "北京", "华北"),
    ("BJ-CY", "保利·朝阳和府", "北京", "华北"),
    ("SH-PD", "保利·浦东滨江苑", "上海", "华东"),
    ("HZ-BJ", "保利·滨江云庭", "杭州", "华东"),
    ("GZ-TH", "保利·天河花园", "广州", "华南"),
    ("SZ-NS", "保利·南山海岸", "深圳", "华南"),
    ("CD-GX", "保利·高新锦城", "成都", "西南"),
    ("WH-GG", "保利·光谷新城", "武汉", "华中"),
)
PILOT_KEY = ("BJ-PILOT", "4-1203")


def month_periods(as_of: date, months: int = HISTORY_MONTHS) -> list[str]:
    """The ``months`` billing periods that ended before ``as_of``, oldest first."""
    year, month = as_of.year, as_of.month
    out = []
    for _ in range(months):
        month -= 1
        if month == 0:
            year, month = year - 1, 12
        out.append(f"{year:04d}-{month:02d}")
    return out[::-1]


def period_due(period: str) -> date:
    """Due date of a monthly period: its last day."""
    year, month = int(period[:4]), int(period[5:])
    first_next = date(year + (month == 12), month % 12 + 1, 1)
    return first_next - timedelta(days=1)


def fingerprint(parts: list[str]) -> str:
    """Stable hash of a household's evidence identifiers and texts."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode("utf-8"))
        digest.update(b"\x1f")
    return digest.hexdigest()[:32]


@dataclass
class Ids:
    """Dense id counters per table, continued from what the database already holds."""

    next: dict[str, int] = field(default_factory=dict)

    def take(self, table: str) -> int:
        """Return the next id for ``table``."""
        value = self.next.get(table, 1)
        self.next[table] = value + 1
        return value


@dataclass
class Rows:
    """Row dicts per table for one chunk of households."""

    tables: dict[str, list[dict]] = field(default_factory=dict)

    def add(self, table: str, row: dict) -> None:
        """Append a row to ``table``."""
        self.tables.setdefault(table, []).append(row)

    def count(self) -> int:
        """Total rows held."""
        return sum(len(v) for v in self.tables.values())


def unit_code(index: int) -> tuple[str, str, str]:
    """(code, label, building name) for the ``index``-th unit of a project: 4-1203 / 4号楼1203."""
    building = index // 120 + 1
    floor = (index % 120) // 4 + 1
    room = index % 4 + 1
    number = f"{floor}{room:02d}"
    return f"{building}-{number}", f"{building}号楼{number}", f"{building}号楼"
