"""Payment tables: provider orders, their signed notifications, and how each payment settled receivables."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from data.db.base import Base

FK = ForeignKey


class PaymentOrder(Base):
    """An order created with a payment provider for an owner to pay an amount."""

    __tablename__ = "payment_orders"
    id: Mapped[int] = mapped_column(primary_key=True)
    order_no: Mapped[str] = mapped_column(String(40), unique=True)
    unit_id: Mapped[int] = mapped_column(FK("units.id"), index=True)
    provider: Mapped[str] = mapped_column(String(16))
    amount_cents: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="created")  # created|paid|refunded|closed
    created_at: Mapped[datetime] = mapped_column(DateTime)
    paid_at: Mapped[datetime | None] = mapped_column(DateTime)
    provider_txn_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    payment_id: Mapped[int | None] = mapped_column(FK("payments.id"))
    refunded_cents: Mapped[int] = mapped_column(Integer, default=0)


class PaymentNotification(Base):
    """An asynchronous notification from a provider, kept whether it was accepted or rejected."""

    __tablename__ = "payment_notifications"
    id: Mapped[int] = mapped_column(primary_key=True)
    provider: Mapped[str] = mapped_column(String(16))
    order_no: Mapped[str] = mapped_column(String(40), default="", index=True)
    provider_txn_id: Mapped[str] = mapped_column(String(64), default="", index=True)
    amount_cents: Mapped[int | None] = mapped_column(Integer)
    received_at: Mapped[datetime] = mapped_column(DateTime)
    outcome: Mapped[str] = mapped_column(String(16))  # accepted|duplicate|rejected
    reason: Mapped[str] = mapped_column(String(128), default="")
    payload: Mapped[dict] = mapped_column(JSON, default=dict)


class PaymentAllocation(Base):
    """The part of a payment that settled one receivable (negative for a refund taken back)."""

    __tablename__ = "payment_allocations"
    id: Mapped[int] = mapped_column(primary_key=True)
    payment_id: Mapped[int] = mapped_column(FK("payments.id"), index=True)
    receivable_id: Mapped[int] = mapped_column(FK("receivables.id"), index=True)
    amount_cents: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(DateTime)
