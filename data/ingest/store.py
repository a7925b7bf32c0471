"""Upsert evidence by source id (unit_id, ext_id): new records insert, changed ones update, follow-ups append."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from data.db.models import ChatMessage, Claim, ClaimRecord, Owner, Ticket, TicketEvent, Unit
from data.importers import pii
from data.ingest.model import ChatIn, ClaimIn, Evidence, TicketIn
from data.ingest.speakers import OwnerNames

Items = list[tuple[int, Evidence]]


def _changed(old: object, values: dict) -> bool:
    return any(getattr(old, key) != value for key, value in values.items())


class EvidenceWriter:
    """Writes chats, tickets (with events) and claims (with records) for a batch of households."""

    def __init__(self, session: Session, clock: Callable[[], datetime]) -> None:
        self._session = session
        self._clock = clock

    def apply(self, items: Items) -> Counter[str]:
        """Upsert the evidence of ``items`` (unit id, evidence); returns counts such as ``chats.inserted``."""
        counts: Counter[str] = Counter()
        unit_ids = {uid for uid, _ in items}
        if any(ev.chats for _, ev in items):
            counts += self._chats([(uid, c) for uid, ev in items for c in ev.chats], self.owner_names(unit_ids))
        if any(ev.tickets for _, ev in items):
            counts += self._tickets([(uid, t) for uid, ev in items for t in ev.tickets], unit_ids)
        if any(ev.claims for _, ev in items):
            counts += self._claims([(uid, c) for uid, ev in items for c in ev.claims], unit_ids)
        return counts

    def owner_names(self, unit_ids: set[int]) -> dict[int, OwnerNames]:
        """How each unit's owner is named (for speaker roles); units without owner get empty names."""
        rows = self._session.execute(
            select(Unit.id, Owner.name, Owner.title).join(Owner, Unit.owner_id == Owner.id).where(Unit.id.in_(unit_ids))
        )
        names = {uid: OwnerNames(pii.unseal(name) or "", title or "") for uid, name, title in rows}
        return {uid: names.get(uid, OwnerNames()) for uid in unit_ids}

    def _chats(self, chats: list[tuple[int, ChatIn]], names: dict[int, OwnerNames]) -> Counter[str]:
        counts: Counter[str] = Counter()
        existing = {
            (row.unit_id, row.ext_id): row
            for row in self._session.execute(
                select(
                    ChatMessage.id,
                    ChatMessage.unit_id,
                    ChatMessage.ext_id,
                    ChatMessage.speaker_role,
                    ChatMessage.speaker_name,
                    ChatMessage.sent_at,
                    ChatMessage.text,
                ).where(ChatMessage.unit_id.in_({uid for uid, _ in chats}))
            )
        }
        inserts, updates = [], []
        for uid, chat in chats:
            values = {
                "speaker_role": names[uid].role(chat.speaker),
                "speaker_name": chat.speaker,
                "sent_at": chat.sent_at,
                "text": chat.text,
            }
            old = existing.get((uid, chat.ext_id))
            if old is None:
                inserts.append({"unit_id": uid, "ext_id": chat.ext_id, **values})
                counts["chats.inserted"] += 1
            elif _changed(old, values):
                updates.append({"id": old.id, **values})
                counts["chats.updated"] += 1
            else:
                counts["chats.unchanged"] += 1
        if inserts:
            self._session.execute(insert(ChatMessage.__table__), inserts)
        if updates:
            self._session.execute(update(ChatMessage), updates)
        return counts

    def _tickets(self, tickets: list[tuple[int, TicketIn]], unit_ids: set[int]) -> Counter[str]:
        counts: Counter[str] = Counter()
        existing = {
            (t.unit_id, t.ext_id): t
            for t in self._session.execute(
                select(
                    Ticket.id,
                    Ticket.unit_id,
                    Ticket.ext_id,
                    Ticket.type,
                    Ticket.description,
                    Ticket.status,
                    Ticket.created_at,
                    Ticket.closed_at,
                    Ticket.satisfaction,
                ).where(Ticket.unit_id.in_(unit_ids))
            )
        }
        known_events: dict[int, set[tuple]] = {}
        for tid, at, status, note in self._session.execute(
            select(TicketEvent.ticket_id, TicketEvent.at, TicketEvent.status, TicketEvent.note).where(
                TicketEvent.ticket_id.in_([t.id for t in existing.values()])
            )
        ):
            known_events.setdefault(tid, set()).add((at, status, note))
        new_rows, updates, events = [], [], []
        for uid, ticket in tickets:
            values = {
                "type": ticket.type,
                "description": ticket.description,
                "status": ticket.status,
                "created_at": ticket.created_at,
                "closed_at": ticket.closed_at,
                "satisfaction": ticket.satisfaction,
            }
            old = existing.get((uid, ticket.ext_id))
            if old is None:
                new_rows.append(({"unit_id": uid, "ext_id": ticket.ext_id, **values}, ticket))
                continue
            known = known_events.setdefault(old.id, set())
            fresh = [e for e in ticket.events if (e.at, e.status, e.note) not in known]
            known.update((e.at, e.status, e.note) for e in fresh)
            events += [{"ticket_id": old.id, "at": e.at, "status": e.status, "note": e.note} for e in fresh]
            if _changed(old, values):
                updates.append({"id": old.id, **values})
            counts["tickets.updated" if fresh or _changed(old, values) else "tickets.unchanged"] += 1
        if new_rows:
            ids = self._insert_returning(Ticket, [row for row, _ in new_rows])
            for row, ticket in new_rows:
                tid = ids[(row["unit_id"], row["ext_id"])]
                events += [{"ticket_id": tid, "at": e.at, "status": e.status, "note": e.note} for e in ticket.events]
            counts["tickets.inserted"] += len(new_rows)
        if updates:
            self._session.execute(update(Ticket), updates)
        if events:
            self._session.execute(insert(TicketEvent.__table__), events)
            counts["ticket_events.inserted"] += len(events)
        return counts

    def _claims(self, claims: list[tuple[int, ClaimIn]], unit_ids: set[int]) -> Counter[str]:
        counts: Counter[str] = Counter()
        existing = {
            (c.unit_id, c.ext_id): c
            for c in self._session.execute(
                select(Claim.id, Claim.unit_id, Claim.ext_id, Claim.type, Claim.items, Claim.created_at).where(
                    Claim.unit_id.in_(unit_ids)
                )
            )
        }
        known: dict[int, set[tuple]] = {}
        for cid, at, text in self._session.execute(
            select(ClaimRecord.claim_id, ClaimRecord.at, ClaimRecord.text).where(
                ClaimRecord.claim_id.in_([c.id for c in existing.values()])
            )
        ):
            known.setdefault(cid, set()).add((at, text))
        new_rows, updates, records = [], [], []
        for uid, claim in claims:
            values = {"type": claim.type, "items": list(claim.items)}
            if claim.created_at is not None:
                values["created_at"] = claim.created_at
            old = existing.get((uid, claim.ext_id))
            if old is None:
                first = min((r.at for r in claim.records), default=None)
                created = claim.created_at or first or self._clock().replace(microsecond=0)
                new_rows.append(({"unit_id": uid, "ext_id": claim.ext_id, **values, "created_at": created}, claim))
                continue
            seen = known.setdefault(old.id, set())
            fresh = [r for r in claim.records if (r.at, r.text) not in seen]
            seen.update((r.at, r.text) for r in fresh)
            records += [{"claim_id": old.id, "at": r.at, "text": r.text} for r in fresh]
            if _changed(old, values):
                updates.append({"id": old.id, **values})
            counts["claims.updated" if fresh or _changed(old, values) else "claims.unchanged"] += 1
        if new_rows:
            ids = self._insert_returning(Claim, [row for row, _ in new_rows])
            for row, claim in new_rows:
                cid = ids[(row["unit_id"], row["ext_id"])]
                records += [{"claim_id": cid, "at": r.at, "text": r.text} for r in claim.records]
            counts["claims.inserted"] += len(new_rows)
        if updates:
            self._session.execute(update(Claim), updates)
        if records:
            self._session.execute(insert(ClaimRecord.__table__), records)
            counts["claim_records.inserted"] += len(records)
        return counts

    def _insert_returning(self, model: type[Ticket] | type[Claim], rows: list[dict]) -> dict[tuple[int, str], int]:
        table = model.__table__  # Core insert: no ORM bookkeeping for rows that are never loaded as objects
        result = self._session.execute(insert(table).returning(table.c.id, table.c.unit_id, table.c.ext_id), rows)
        return {(uid, ext): rid for rid, uid, ext in result}
