"""Keep the fields an import does not model: merged per (unit, source) into ingest_extras.payload."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from data.db.ingestion import IngestExtra


def _jsonable(value: dict) -> dict:
    """Round-trip through JSON so dates and other values are stored (and compared) the way JSON holds them."""
    return json.loads(json.dumps(value, ensure_ascii=False, default=str))


def merge_payload(old: dict, new: dict) -> dict:
    """Section-wise merge: ``household``/``owner`` fields and each record's fields; newer values win."""
    merged = {section: dict(fields) for section, fields in old.items()}
    for section, fields in new.items():
        target = merged.setdefault(section, {})
        for key, value in fields.items():
            if isinstance(value, dict) and isinstance(target.get(key), dict) and section not in ("household", "owner"):
                target[key] = {**target[key], **value}
            else:
                target[key] = value
    return merged


def save_extras(
    session: Session, source: str, items: list[tuple[int, dict[str, dict]]], clock: Callable[[], datetime]
) -> int:
    """Merge each unit's extras into its row for ``source``; returns how many rows were written."""
    wanted: dict[int, dict] = {}
    for uid, extras in items:
        payload = {section: fields for section, fields in extras.items() if fields}
        if payload:
            wanted[uid] = merge_payload(wanted.get(uid, {}), _jsonable(payload))
    if not wanted:
        return 0
    existing = {
        row.unit_id: row
        for row in session.execute(
            select(IngestExtra.id, IngestExtra.unit_id, IngestExtra.payload).where(
                IngestExtra.unit_id.in_(wanted), IngestExtra.source == source
            )
        )
    }
    now = clock().replace(microsecond=0)
    inserts, updates = [], []
    for uid, payload in wanted.items():
        old = existing.get(uid)
        if old is None:
            inserts.append({"unit_id": uid, "source": source, "payload": payload, "updated_at": now})
            continue
        merged = merge_payload(old.payload or {}, payload)
        if merged != old.payload:
            updates.append({"id": old.id, "payload": merged, "updated_at": now})
    if inserts:
        session.execute(insert(IngestExtra), inserts)
    if updates:
        session.execute(update(IngestExtra), updates)
    return len(inserts) + len(updates)
