"""Payments (缴费流水) import: upsert keyed by the transaction number (流水号), in bulk."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from data.db.models import Payment
from data.importers.columns import PAYMENTS
from data.importers.errors import CellError
from data.importers.identity import parse_unit
from data.importers.refs import UnitIndex
from data.importers.report import ErrorReport

Problem = tuple[str, str]  # (column key, reason)


class PaymentsHandler:
    """Validates and upserts payments.

    With ``settle`` (a payments file from the billing system) each new payment settles the unit's
    receivables like a provider or manual payment does (oldest period first); without it (bundles that carry
    their bills' paid amounts) the payment is recorded as already settled.
    """

    columns = PAYMENTS
    key_label = "流水号"

    def __init__(self, session: Session, index: UnitIndex, *, settle: bool = False) -> None:
        self._session = session
        self._index = index
        self._settle = settle

    @staticmethod
    def key(record: dict) -> tuple[str, ...]:
        """Identity of a payment: its transaction number."""
        return (record["ref"],)

    @staticmethod
    def refine(record: dict) -> list[Problem]:
        """Normalise the unit code; a zero payment is not a payment."""
        try:
            record["unit"] = parse_unit(record["unit"])
        except CellError as exc:
            return [("unit", exc.reason)]
        if record["amount"] == 0:
            return [("amount", "实收金额必须大于 0")]
        return []

    def apply(self, batch: list[dict], report: ErrorReport) -> Counter[str]:
        """Insert new payments and update changed ones with one query each; returns outcome counts."""
        counts: Counter[str] = Counter()
        resolved = [(uid, rec) for rec in batch if (uid := self._index.resolve(rec, report)) is not None]
        if not resolved:
            return counts
        existing = {
            row.source_ref: row
            for row in self._session.execute(
                select(
                    Payment.id,
                    Payment.source_ref,
                    Payment.unit_id,
                    Payment.period,
                    Payment.amount_cents,
                    Payment.paid_at,
                    Payment.channel,
                ).where(Payment.source_ref.in_({rec["ref"] for _, rec in resolved}))
            )
        }
        inserts, updates = [], []
        for uid, rec in resolved:
            values = {
                "unit_id": uid,
                "amount_cents": rec["amount"],
                "paid_at": rec["paid_at"],
                "channel": rec["channel"],
            }
            if "period" in rec:
                values["period"] = rec["period"]
            old = existing.get(rec["ref"])
            if old is None:
                inserts.append(
                    {
                        "source_ref": rec["ref"],
                        "period": None,
                        "unallocated_cents": 0,
                        "settled_at": None if self._settle else rec["paid_at"],
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
            self._session.execute(insert(Payment), inserts)
            if self._settle:
                from data.repositories.payments import settle_unsettled

                settle_unsettled(
                    self._session,
                    actor="import",
                    at=max(r["paid_at"] for r in inserts),
                    unit_ids={r["unit_id"] for r in inserts},
                )
        if updates:
            self._session.execute(update(Payment), updates)
        return counts
