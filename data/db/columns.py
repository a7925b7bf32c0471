"""SQLAlchemy column types that encrypt personal data transparently, and the lookup-hash hooks."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import String, Text, event
from sqlalchemy.types import TypeDecorator

from core.crypto.cipher import cipher, is_ciphertext, lookup_hash

ENCRYPTED_LENGTH = 512
"""Column width for ciphertexts: a 128-character value with nonce, tag, key id and base64 fits."""


class EncryptedString(TypeDecorator[str]):
    """A string column stored as AES-GCM ciphertext; reads return clear text.

    Equality filters on this column never match (every ciphertext has a fresh nonce): look values up by their
    keyed hash column instead. Values that already are ciphertexts pass through unchanged, so bulk writers may
    encrypt ahead of time; legacy plain-text rows read back as they are until ``steward security rotate-key``.
    """

    impl = String
    cache_ok = True

    def __init__(self, length: int = ENCRYPTED_LENGTH, **kwargs: Any) -> None:
        super().__init__(length, **kwargs)

    def process_bind_param(self, value: str | None, dialect: Any) -> str | None:  # noqa: ARG002
        """Encrypt on the way in."""
        if value is None or is_ciphertext(value):
            return value
        return cipher().encrypt(str(value))

    def process_result_value(self, value: str | None, dialect: Any) -> str | None:  # noqa: ARG002
        """Decrypt on the way out."""
        if value is None or not is_ciphertext(value):
            return value
        return cipher().decrypt(value)


class EncryptedText(TypeDecorator[str]):
    """Free text of unbounded length (chat lines, ticket and claim text) stored as AES-GCM ciphertext.

    Same contract as EncryptedString: no equality or LIKE filters in SQL, order and search on decrypted values.
    """

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Any) -> str | None:  # noqa: ARG002
        """Encrypt on the way in."""
        if value is None or is_ciphertext(value):
            return value
        return cipher().encrypt(str(value))

    def process_result_value(self, value: str | None, dialect: Any) -> str | None:  # noqa: ARG002
        """Decrypt on the way out."""
        if value is None or not is_ciphertext(value):
            return value
        return cipher().decrypt(value)


def dump_json(value: Any) -> str:
    """The JSON text an EncryptedJSON column encrypts (also used by bulk writers)."""
    return json.dumps(value, ensure_ascii=False)


class EncryptedJSON(TypeDecorator[Any]):
    """A JSON value (e.g. a claim's item list) stored as the ciphertext of its JSON text."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> str | None:  # noqa: ARG002
        """Serialise, then encrypt."""
        if value is None or is_ciphertext(value):
            return value
        return cipher().encrypt(dump_json(value))

    def process_result_value(self, value: Any, dialect: Any) -> Any:  # noqa: ARG002
        """Decrypt, then parse (legacy rows hold plain JSON text or, on some drivers, parsed values)."""
        if value is None:
            return None
        if is_ciphertext(value):
            value = cipher().decrypt(value)
        return json.loads(value) if isinstance(value, str) else value


def hash_or_none(value: str | None) -> str | None:
    """Lookup hash of a value (clear text or ciphertext), None for an empty one."""
    if value and is_ciphertext(value):
        value = cipher().decrypt(value)
    return lookup_hash(value) if value else None


def keep_hash(model: type, source: str, target: str) -> None:
    """Keep ``model.target`` equal to the lookup hash of ``model.source`` on every ORM insert and update."""

    def fill(_mapper: Any, _connection: Any, obj: Any) -> None:
        setattr(obj, target, hash_or_none(getattr(obj, source)))

    event.listen(model, "before_insert", fill)
    event.listen(model, "before_update", fill)
