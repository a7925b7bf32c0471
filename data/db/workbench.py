"""Workbench tables: tasks raised for stewards (e.g. by an owner on the bill page)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from data.db.base import Base


class StewardTask(Base):
    """A to-do for the household's steward: instalment, dispute, invoice or opt-out request."""

    __tablename__ = "steward_tasks"
    __table_args__ = (Index("ix_steward_tasks_status_created", "status", "created_at"),)
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
