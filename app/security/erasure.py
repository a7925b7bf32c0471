"""PIPL deletion: erase personal data and evidence texts of households closed before a date.

The audit trail stays as it is: its events reference ids, so the chain still verifies afterwards.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Table, delete, select, text, update
from sqlalchemy.orm import Session

from data.db.base import Base
from data.db.models import Contact, Owner, OwnerPreference, OwnerTag, Tenant, Unit
from data.repositories import audit

ERASED = "【已删除】"
ERASED_NAME = "已删除"

UNIT_TEXTS: dict[str, dict[str, object]] = {
    "chat_messages": {"text": ERASED, "speaker_name": ""},
    "tickets": {"description": ERASED},
    "claims": {"items": []},
    "contact_attempts": {"text": None},
    "disputes": {"note": ""},
    "diagnoses": {"explanation": ERASED, "citations": {}},
    "dunning_plans": {"summary": ERASED},
    "steward_tasks": {"note": ""},
    "ingest_extras": {"payload": {}},
    "channel_outbox": {"text": ERASED, "recipient": ""},
    "case_transitions": {"reason": ""},
}
"""Free-text columns of unit-scoped tables, and what they become (tables absent from the schema are skipped)."""
CHILD_TEXTS: dict[str, tuple[str, str, str, dict[str, object]]] = {
    "ticket_events": ("ticket_id", "tickets", "unit_id", {"note": ERASED}),
    "claim_records": ("claim_id", "claims", "unit_id", {"text": ERASED}),
    "plan_steps": ("plan_id", "dunning_plans", "unit_id", {"message": ERASED}),
    "approvals": ("plan_id", "dunning_plans", "unit_id", {"comment": ""}),
}
"""Tables reached through a parent: (foreign key, parent table, parent's unit column, new values)."""


@dataclass
class ErasureReport:
    """What a deletion run erased."""

    units: list[int] = field(default_factory=list)
    households: list[str] = field(default_factory=list)
    """Household keys (project/unit) of the erased units, for stores outside the database (checkpoints)."""
    owners: list[int] = field(default_factory=list)
    rows: Counter[str] = field(default_factory=Counter)


def _table(name: str) -> Table | None:
    return Base.metadata.tables.get(name)


def _erase_texts(session: Session, unit_ids: list[int], report: ErasureReport) -> None:
    for name, values in UNIT_TEXTS.items():
        t = _table(name)
        if t is not None and "unit_id" in t.c:
            report.rows[name] += session.execute(update(t).where(t.c.unit_id.in_(unit_ids)).values(values)).rowcount
    for name, (fk, parent, unit_col, values) in CHILD_TEXTS.items():
        t, p = _table(name), _table(parent)
        if t is None or p is None:
            continue
        parents = select(p.c.id).where(p.c[unit_col].in_(unit_ids))
        report.rows[name] += session.execute(update(t).where(t.c[fk].in_(parents)).values(values)).rowcount


def _erase_owner(session: Session, owner: Owner, report: ErasureReport) -> None:
    owner.name, owner.title, owner.id_number, owner.merge_key = ERASED_NAME, "业主", None, None
    report.rows["contacts"] += session.execute(delete(Contact).where(Contact.owner_id == owner.id)).rowcount
    report.rows["owner_tags"] += session.execute(delete(OwnerTag).where(OwnerTag.owner_id == owner.id)).rowcount
    session.execute(update(OwnerPreference).where(OwnerPreference.owner_id == owner.id).values(notes=None))
    report.owners.append(owner.id)


def closed_units(session: Session, closed_before: datetime) -> list[Unit]:
    """Units closed before the date."""
    return list(
        session.execute(
            select(Unit).where(Unit.closed_at.is_not(None), Unit.closed_at < closed_before).order_by(Unit.id)
        ).scalars()
    )


def erase_closed(
    session: Session, closed_before: datetime, *, actor: str, now: datetime | None = None
) -> ErasureReport:
    """Erase closed households' personal data and evidence texts; owners with an open unit keep their data.

    Ledger rows (amounts, dates) stay for accounting; audit events stay untouched. Records one audit event
    ``security.erase`` with ids and counts only (caller commits).
    """
    report = ErasureReport()
    units = closed_units(session, closed_before)
    if not units:
        return report
    report.units = [u.id for u in units]
    report.households = [f"{u.project.code}/{u.code}" for u in units]
    session.flush()
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("PRAGMA secure_delete=ON"))  # overwritten text is zeroed, not left in free pages
    report.rows["tenants"] += session.execute(delete(Tenant).where(Tenant.unit_id.in_(report.units))).rowcount
    _erase_texts(session, report.units, report)
    closed = set(report.units)
    for owner_id in sorted({u.owner_id for u in units if u.owner_id}):
        open_units = session.execute(select(Unit.id).where(Unit.owner_id == owner_id)).scalars().all()
        owner = session.get(Owner, owner_id)
        if owner is not None and set(open_units) <= closed:
            _erase_owner(session, owner, report)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="security.erase",
        entity="unit",
        entity_id=str(len(report.units)),
        detail={
            "closed_before": closed_before.isoformat(),
            "units": report.units,
            "owners": report.owners,
            "rows": dict(report.rows),
        },
        at=now,
    )
    return report


def thread_household(thread_id: str) -> str | None:
    """The household key inside an agent thread id (``plan:<household>:<run>``, ``batch:<day>:<household>``…)."""
    for part in str(thread_id).split(":"):
        if "/" in part:
            return part
    return None


def erase_checkpoints(saver: Any, households: list[str]) -> int:
    """Delete every agent checkpoint thread of these households (their state holds evidence and drafts).

    Args:
        saver: A LangGraph checkpointer (SQLite or PostgreSQL).
        households: Household keys from ``ErasureReport.households``.

    Returns:
        How many threads were deleted.
    """
    wanted = set(households)
    if not wanted:
        return 0
    threads = {item.config["configurable"]["thread_id"] for item in saver.list(None)}
    doomed = sorted(t for t in threads if thread_household(t) in wanted)
    conn = getattr(saver, "conn", None)
    if isinstance(conn, sqlite3.Connection):
        conn.execute("PRAGMA secure_delete=ON")
    for thread_id in doomed:
        saver.delete_thread(thread_id)
    if isinstance(conn, sqlite3.Connection):
        conn.commit()
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return len(doomed)


def checkpoint(session: Session) -> None:
    """On SQLite, fold the WAL back into the file so erased text leaves no copy in the log (after commit)."""
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
