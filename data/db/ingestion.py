"""Ingestion tables: fields of imported records that the data model has no column for."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from data.db.base import Base


class IngestExtra(Base):
    """Unknown fields of one household's imported data, per source system, so nothing is lost.

    ``payload`` maps a section to its extra fields: ``household`` and ``owner`` hold top-level extras; record
    sections (``chats``, ``tickets``, ``ticket_events``, ``claims``, ``claim_records``, ``bills``, ``payments``)
    map a record key (its source id) to that record's extras.
    """

    __tablename__ = "ingest_extras"
    __table_args__ = (UniqueConstraint("unit_id", "source"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    source: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
