"""Re-encrypt every personal field with the active key and refresh the lookup hashes (rotation, legacy rows)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from core.crypto.cipher import FieldCipher, is_ciphertext, key_id_of

ENCRYPTED_FIELDS: dict[str, tuple[str, ...]] = {
    "owners": ("name", "id_number", "merge_key"),
    "contacts": ("value",),
    "tenants": ("name", "mobile"),
    "chat_messages": ("speaker_name", "text"),
    "tickets": ("description",),
    "ticket_events": ("note",),
    "claims": ("items",),
    "claim_records": ("text",),
}
"""Every encrypted column, by table (evidence text is personal data too: owners write numbers and names in it)."""
JSON_FIELDS: dict[str, tuple[str, ...]] = {"claims": ("items",)}
"""Encrypted columns holding JSON: bulk writers serialise the value before sealing it."""
HASH_FIELDS: dict[str, tuple[str, str]] = {"owners": ("merge_key", "merge_hash"), "contacts": ("value", "value_hash")}
"""(source column, keyed-hash column) by table."""


@dataclass
class RotationReport:
    """What a re-encryption pass did."""

    scanned: Counter[str] = field(default_factory=Counter)
    rewritten: Counter[str] = field(default_factory=Counter)


def _raw_table(name: str) -> sa.TableClause:
    cols = ENCRYPTED_FIELDS[name] + ((HASH_FIELDS[name][1],) if name in HASH_FIELDS else ())
    return sa.table(name, sa.column("id"), *(sa.column(c) for c in cols))


def _changes(row: sa.Row, table: str, fc: FieldCipher) -> dict[str, str | None]:
    data = row._mapping
    new: dict[str, str | None] = {}
    for col in ENCRYPTED_FIELDS[table]:
        value = data[col]
        if value is not None and (not is_ciphertext(value) or key_id_of(value) != fc.keyring.active):
            new[col] = fc.encrypt(fc.reveal(value))
    if table in HASH_FIELDS:
        source, target = HASH_FIELDS[table]
        clear = fc.reveal(data[source])
        wanted = fc.lookup_hash(clear) if clear else None
        if wanted != data[target]:
            new[target] = wanted
    return new


def _write(conn: Connection, t: sa.TableClause, rows: list[sa.Row], changes: list[dict]) -> None:
    cols = [c.name for c in t.columns if c.name != "id"]
    stmt = sa.update(t).where(t.c.id == sa.bindparam("b_id")).values({c: sa.bindparam(f"b_{c}") for c in cols})
    params = []
    for row, change in zip(rows, changes, strict=True):
        params.append({"b_id": row.id} | {f"b_{c}": change.get(c, row._mapping[c]) for c in cols})
    conn.execute(stmt, params)


def reencrypt_all(
    conn: Connection, fc: FieldCipher, *, batch: int = 1000, tables: tuple[str, ...] | None = None
) -> RotationReport:
    """Bring every personal field to the active key and every lookup hash to the current HMAC key (caller commits).

    Rows already encrypted with the active key and carrying the right hash are left alone, so the pass is
    idempotent and can be resumed after an interruption.
    """
    report = RotationReport()
    for table in tables or tuple(ENCRYPTED_FIELDS):
        t = _raw_table(table)
        last = 0
        while True:
            rows = conn.execute(sa.select(t).where(t.c.id > last).order_by(t.c.id).limit(batch)).all()
            if not rows:
                break
            pending = [(row, ch) for row in rows if (ch := _changes(row, table, fc))]
            if pending:
                _write(conn, t, [p[0] for p in pending], [p[1] for p in pending])
            report.scanned[table] += len(rows)
            report.rewritten[table] += len(pending)
            last = rows[-1].id
    return report


def key_usage(conn: Connection) -> Counter[str]:
    """How many stored values use each key id (``plain`` for legacy clear text)."""
    usage: Counter[str] = Counter()
    for table, cols in ENCRYPTED_FIELDS.items():
        for col in cols:
            stmt = sa.select(sa.column(col)).select_from(sa.table(table)).where(sa.column(col).is_not(None))
            for (value,) in conn.execute(stmt):
                usage[key_id_of(value) if is_ciphertext(value) else "plain"] += 1
    return usage
