"""The evidence fingerprint of a household: one hash over all its evidence ids and texts, in a fixed order.

Every import path calls ``refresh_fingerprints`` for the units it touched, so ``units.evidence_fingerprint``
changes exactly when a household's evidence changed and the overnight batch can skip the others.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from data.db.models import ChatMessage, Claim, ClaimRecord, Ticket, TicketEvent, Unit
from data.generator.portfolio import fingerprint

CHUNK = 500


def _stamp(value: object) -> str:
    return value.isoformat(timespec="seconds") if value is not None else ""


def evidence_parts(session: Session, unit_ids: list[int]) -> dict[int, list[str]]:
    """The fingerprint inputs per unit: chats, then tickets with their events, then claims with their records.

    Each part is an id plus its text (and, for tickets and claims, status and follow-ups), ordered by time and id,
    so the same evidence gives the same parts whatever order it arrived in.
    """
    parts: dict[int, list[str]] = {uid: [] for uid in unit_ids}
    for uid, ext, at, role, text in session.execute(
        select(ChatMessage.unit_id, ChatMessage.ext_id, ChatMessage.sent_at, ChatMessage.speaker_role, ChatMessage.text)
        .where(ChatMessage.unit_id.in_(unit_ids))
        .order_by(ChatMessage.unit_id, ChatMessage.sent_at, ChatMessage.ext_id)
    ):
        parts[uid].append(f"msg:{ext}|{_stamp(at)}|{role}|{text}")
    events: dict[int, list[str]] = defaultdict(list)
    # Text columns are encrypted with fresh nonces: ties are broken on the decrypted text, in Python.
    for tid, at, status, note in sorted(
        session.execute(
            select(TicketEvent.ticket_id, TicketEvent.at, TicketEvent.status, TicketEvent.note)
            .join(Ticket, Ticket.id == TicketEvent.ticket_id)
            .where(Ticket.unit_id.in_(unit_ids))
        ).all(),
        key=lambda r: (r[0], r[1], r[2], r[3] or ""),
    ):
        events[tid].append(f"{_stamp(at)}|{status}|{note}")
    for tid, uid, ext, desc, status, closed, score in session.execute(
        select(
            Ticket.id,
            Ticket.unit_id,
            Ticket.ext_id,
            Ticket.description,
            Ticket.status,
            Ticket.closed_at,
            Ticket.satisfaction,
        )
        .where(Ticket.unit_id.in_(unit_ids))
        .order_by(Ticket.unit_id, Ticket.created_at, Ticket.ext_id)
    ):
        parts[uid].append(f"ticket:{ext}|{desc}|{status}|{_stamp(closed)}|{score}|" + "|".join(events[tid]))
    records: dict[int, list[str]] = defaultdict(list)
    for cid, at, text in sorted(
        session.execute(
            select(ClaimRecord.claim_id, ClaimRecord.at, ClaimRecord.text)
            .join(Claim, Claim.id == ClaimRecord.claim_id)
            .where(Claim.unit_id.in_(unit_ids))
        ).all(),
        key=lambda r: (r[0], r[1], r[2] or ""),
    ):
        records[cid].append(f"{_stamp(at)}|{text}")
    for cid, uid, ext, kind, items in session.execute(
        select(Claim.id, Claim.unit_id, Claim.ext_id, Claim.type, Claim.items)
        .where(Claim.unit_id.in_(unit_ids))
        .order_by(Claim.unit_id, Claim.created_at, Claim.ext_id)
    ):
        parts[uid].append(f"claim:{ext}|{kind}|" + "|".join(items or []) + "|" + "|".join(records[cid]))
    return parts


def refresh_fingerprints(session: Session, unit_ids: set[int] | list[int]) -> set[int]:
    """Recompute the fingerprint of ``unit_ids`` from what is stored; return the units whose value changed."""
    changed: set[int] = set()
    ordered = sorted(unit_ids)
    for start in range(0, len(ordered), CHUNK):
        chunk = ordered[start : start + CHUNK]
        session.flush()
        current = dict(session.execute(select(Unit.id, Unit.evidence_fingerprint).where(Unit.id.in_(chunk))).all())
        updates = []
        for uid, parts in evidence_parts(session, chunk).items():
            value = fingerprint(parts) if parts else None
            if value != current.get(uid):
                updates.append({"id": uid, "evidence_fingerprint": value})
                changed.add(uid)
        if updates:
            session.execute(update(Unit), updates)
    return changed
