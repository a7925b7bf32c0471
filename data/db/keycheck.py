"""Key check values in the ``meta`` table: refuse to open a database whose ciphertexts the loaded keys cannot read.

Without this, a lost key file is silent: a new key is made, reads fail later and imports compute new lookup
hashes (duplicate owners). ``verify_keys`` runs whenever a service opens the database (API, CLI, workbench).
"""

from __future__ import annotations

import json
import logging

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from core.crypto.cipher import DecryptionError, FieldCipher, cipher
from core.crypto.keys import KeyringError, check_values

log = logging.getLogger(__name__)
META_KEY = "key_check"
HASH_COLUMNS = (("owners", "merge_hash"), ("contacts", "value_hash"))

KEY_MISMATCH = (
    "加密密钥与数据库不匹配：数据库中的加密数据不是用当前密钥加密的（密钥文件丢失、被替换或配置了别的密钥）。"
    "请恢复原来的密钥文件（STEWARD_KEY_FILE / STEWARD_KEY_DIR）或密钥环境变量后再启动；"
    "不要删除数据库，也不要让系统生成新密钥。\n"
    "The encryption keys do not match the database: its encrypted data was not made with the loaded keys "
    "(key file lost, replaced, or other keys configured). Restore the original key file (STEWARD_KEY_FILE / "
    "STEWARD_KEY_DIR) or key variables and start again; do not delete the database or let new keys be made."
)


class KeyMismatchError(KeyringError):
    """The loaded keys cannot read the database's ciphertexts (message in Chinese and English)."""

    def __init__(self, detail: str) -> None:
        super().__init__(f"{KEY_MISMATCH}\n({detail})")
        self.detail = detail


def _encrypted_columns() -> list[tuple[str, str]]:
    import data.db.models  # noqa: F401 - every table registered on the metadata
    from data.db.base import Base
    from data.db.columns import EncryptedString

    return [
        (t.name, c.name) for t in Base.metadata.sorted_tables for c in t.columns if isinstance(c.type, EncryptedString)
    ]


def _has_table(conn: Connection, name: str) -> bool:
    return sa.inspect(conn).has_table(name)


def _sample(conn: Connection, table: str, column: str, prefix: str) -> str | None:
    t = sa.table(table, sa.column(column))
    return conn.execute(sa.select(t.c[column]).where(t.c[column].like(f"{prefix}%")).limit(1)).scalar()


def _stored(conn: Connection) -> dict | None:
    meta = sa.table("meta", sa.column("key"), sa.column("value"))
    value = conn.execute(sa.select(meta.c.value).where(meta.c.key == META_KEY)).scalar()
    try:
        return json.loads(value) if value else None
    except ValueError:
        return None


def _store(conn: Connection, values: dict) -> None:
    meta = sa.table("meta", sa.column("key"), sa.column("value"))
    text = json.dumps(values, sort_keys=True)
    if conn.execute(sa.update(meta).where(meta.c.key == META_KEY).values(value=text)).rowcount == 0:
        conn.execute(sa.insert(meta).values(key=META_KEY, value=text))


def problems(conn: Connection, fc: FieldCipher) -> list[str]:
    """Why the keys cannot read this database (empty: they can)."""
    inspector = sa.inspect(conn)
    tables = set(inspector.get_table_names())
    existing = {
        t: {col["name"] for col in inspector.get_columns(t)}
        for t in {t for t, _ in _encrypted_columns()}
        if t in tables
    }
    columns = [(t, c) for t, c in _encrypted_columns() if c in existing.get(t, ())]
    stored = _stored(conn)
    current = check_values(fc.keyring)
    found: list[str] = []
    if stored:
        for kid, value in stored.get("keys", {}).items():
            if current["keys"].get(kid) == value:
                continue
            used = next((f"{t}.{c}" for t, c in columns if _sample(conn, t, c, f"enc1:{kid}:")), None)
            if used:
                state = "missing from the keyring" if kid not in current["keys"] else "a different key"
                found.append(f"key {kid!r} used in {used} is {state}")
        if stored.get("hash") and stored["hash"] != current["hash"]:
            hashed = next(
                (
                    f"{t}.{c}"
                    for t, c in HASH_COLUMNS
                    if _has_table(conn, t)
                    and conn.execute(
                        sa.select(sa.column(c)).select_from(sa.table(t)).where(sa.column(c).is_not(None)).limit(1)
                    ).first()
                ),
                None,
            )
            if hashed:
                found.append(f"the lookup-hash key of {hashed} is a different key")
    else:
        # A database from before check values were stored: try to read one ciphertext per column.
        for t, c in columns:
            sample = _sample(conn, t, c, "enc1:")
            if sample is None:
                continue
            try:
                fc.decrypt(sample)
            except DecryptionError as exc:
                found.append(f"{t}.{c}: {exc}")
                break
    return found


def record(conn: Connection, fc: FieldCipher) -> None:
    """Store the check values of the loaded keys (keeping those of retired keys), e.g. after a rotation."""
    stored = _stored(conn) or {}
    current = check_values(fc.keyring)
    _store(conn, {"keys": stored.get("keys", {}) | current["keys"], "hash": current["hash"]})


def verify_keys(engine: Engine, fc: FieldCipher | None = None, *, record_checks: bool = True) -> None:
    """Raise KeyMismatchError when ciphertexts exist that the loaded keys cannot read; else record the checks.

    Called before migrations too (``record_checks=False``), so that a migration never writes ciphertext with
    keys that cannot read what is already there.
    """
    fc = fc or cipher()
    with engine.connect() as conn:
        if not _has_table(conn, "meta"):
            return
        found = problems(conn, fc)
    if found:
        log.error("encryption keys do not match the database: %s", "; ".join(found))
        raise KeyMismatchError("; ".join(found))
    if not record_checks:
        return
    try:
        with engine.begin() as conn:
            record(conn, fc)
    except sa.exc.IntegrityError:  # another process recorded the same values at the same moment
        log.debug("key check recorded concurrently")
