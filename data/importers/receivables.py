"""Receivables (应收账单) import: upsert keyed by project + unit + period + fee type, in bulk."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from data.db.models import Receivable
from data.importers.columns import RECEIVABLES
from data.importers.errors import CellError
from data.importers.identity import parse_unit
from data.importers.refs import UnitIndex
from data.importers.report import ErrorReport

Problem = tuple[str, str]  # (column key, reason)
_OPTIONAL = {"paid": "paid_cents", "written_off": "written_off_cents", "ref": "source_ref"}


class ReceivablesHandler:
    """Validates and upserts bill lines; a changed amount of an existing line is an update."""

    columns = RECEIVABLES
    key_label = "项目编码+房号+账期+费项"

    def __init__(self, session: Session, index: UnitIndex) -> None:
        self._session = session
        self._index = index

    @staticmethod
    def key(record: dict) -> tuple[str, ...]:
        """Identity of a bill line within the file."""
        return record["project"], record["unit"], record["period"], record["fee_type"]

    @staticmethod
    def refine(record: dict) -> list[Problem]:
        """Normalise the unit code and check that paid + written off do not exceed the amount."""
        try:
            record["unit"] = parse_unit(record["unit"])
        except CellError as exc:
            return [("unit", exc.reason)]
        settled = (record.get("paid") or 0) + (record.get("written_off") or 0)
        if settled > record["amount"]:
            return [("paid" if "paid" in record else "written_off", "已收金额与减免金额之和超过应收金额")]
        return []

    @staticmethod
    def _values(record: dict) -> dict:
        values = {"amount_cents": record["amount"], "due_date": record["due_date"]}
        for key, column in _OPTIONAL.items():
            if key in record:  # a column missing from the file leaves the stored value alone
                values[column] = record[key] if record[key] is not None or key == "ref" else 0
        return values

    def apply(self, batch: list[dict], report: ErrorReport) -> Counter[str]:
        """Insert new lines and update changed ones with one query each; returns outcome counts."""
        counts: Counter[str] = Counter()
        resolved = [(uid, rec) for rec in batch if (uid := self._index.resolve(rec, report)) is not None]
        if not resolved:
            return counts
        existing = {
            (row.unit_id, row.period, row.fee_type): row
            for row in self._session.execute(
                select(
                    Receivable.id,
                    Receivable.unit_id,
                    Receivable.period,
                    Receivable.fee_type,
                    Receivable.amount_cents,
                    Receivable.due_date,
                    Receivable.paid_cents,
                    Receivable.written_off_cents,
                    Receivable.source_ref,
                ).where(
                    Receivable.unit_id.in_({uid for uid, _ in resolved}),
                    Receivable.period.in_({rec["period"] for _, rec in resolved}),
                )
            )
        }
        inserts, updates = [], []
        for uid, rec in resolved:
            values = self._values(rec)
            old = existing.get((uid, rec["period"], rec["fee_type"]))
            if old is None:
                inserts.append(
                    {
                        "unit_id": uid,
                        "period": rec["period"],
                        "fee_type": rec["fee_type"],
                        "paid_cents": 0,
                        "written_off_cents": 0,
                        "source_ref": None,
                        **values,
                    }
                )
                counts["inserted"] += 1
            elif any(getattr(old, column) != value for column, value in values.items()):
                updates.append({"id": old.id, **values})
                counts["updated"] += 1
            else:
                counts["unchanged"] += 1
        if inserts:
            self._session.execute(insert(Receivable), inserts)
        if updates:
            self._session.execute(update(Receivable), updates)
        return counts
