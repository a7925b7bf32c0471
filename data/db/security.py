"""Security tables: anchors of the audit hash chain (its head, and where pruned history ends)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from data.db.base import Base


class AuditAnchor(Base):
    """A fixed point of the audit chain.

    ``kind='head'`` (exactly one row) holds the last event's id and hash; every append updates it under a row
    lock, which serialises appends and lets verification notice a deleted tail. ``kind='prune'`` rows record
    that events up to ``through_id`` were archived and removed, with the hash the remaining chain continues from.
    """

    __tablename__ = "audit_anchors"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)
    through_id: Mapped[int] = mapped_column(Integer, default=0)
    hash: Mapped[str] = mapped_column(String(64), default="")
    events: Mapped[int] = mapped_column(Integer, default=0)
    at: Mapped[datetime] = mapped_column(DateTime)
    note: Mapped[str] = mapped_column(Text, default="")
