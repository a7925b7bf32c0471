"""Encrypt row dicts ahead of bulk inserts that bypass the ORM column types (e.g. raw executemany)."""

from __future__ import annotations

from core.crypto.cipher import FieldCipher
from data.db.columns import dump_json
from data.db.rotation import ENCRYPTED_FIELDS, HASH_FIELDS, JSON_FIELDS


def seal_rows(table: str, rows: list[dict], fc: FieldCipher) -> list[dict]:
    """Copies of ``rows`` with personal fields encrypted and lookup hashes filled; other tables pass through."""
    fields = ENCRYPTED_FIELDS.get(table)
    if not fields:
        return rows
    source, target = HASH_FIELDS.get(table, (None, None))
    sealed = []
    for row in rows:
        out = dict(row)
        if source is not None:
            clear = fc.reveal(out.get(source))
            out[target] = fc.lookup_hash(clear) if clear else None
        for col in fields:
            if col in out:
                value = out[col]
                if col in JSON_FIELDS.get(table, ()) and value is not None and not isinstance(value, str):
                    value = dump_json(value)
                out[col] = fc.seal(value)
        sealed.append(out)
    return sealed
