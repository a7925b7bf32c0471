"""Workbench tables: tasks raised for stewards (e.g. by an owner on the bill page) and owner bill links."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from data.db.base import Base


class StewardTask(Base):
    """A to-do for the household's steward: instalment, dispute, invoice or opt-out request."""

    __tablename__ = "steward_tasks"
    __table_args__ = (
        Index("ix_steward_tasks_status_created", "status", "created_at"),
        UniqueConstraint("unit_id", "open_fingerprint", name="uq_steward_tasks_open_request"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # instalment|dispute|invoice|opt_out|other
    note: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(16), default="bill_page")  # bill_page|api|workbench
    status: Mapped[str] = mapped_column(String(16), default="open")  # open|done
    created_at: Mapped[datetime] = mapped_column(DateTime)
    done_at: Mapped[datetime | None] = mapped_column(DateTime)
    done_by: Mapped[str | None] = mapped_column(String(64))
    months: Mapped[int | None] = mapped_column(Integer)
    open_fingerprint: Mapped[str | None] = mapped_column(String(64))
    """Hash of (kind, note, months) while the task is open, NULL once done: one open task per identical request."""


class BillLink(Base):
    """An issued owner bill link, named by the signed token's ``link_id``.

    A link works only while it is the unit's current one (issuing a new link rotates the old one out) and is not
    revoked.
    """

    __tablename__ = "bill_links"
    id: Mapped[int] = mapped_column(primary_key=True)
    link_id: Mapped[str] = mapped_column(String(32), unique=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    issued_by: Mapped[str] = mapped_column(String(64))
    issued_at: Mapped[datetime] = mapped_column(DateTime)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)
    revoked_by: Mapped[str | None] = mapped_column(String(64))
    revoke_reason: Mapped[str | None] = mapped_column(String(32))
