"""The importer's single gate for personal data: storing, comparing, merge keys and report masking.

Personal fields (name, mobile, ID number, e-mail, WeChat ID) are encrypted at rest by their column types
(data.db.columns.EncryptedString), so ``seal``/``unseal`` hand clear text to the ORM. Stored rows are found by
keyed hash (``lookup_hash``): owners by ``merge_hash``, contacts by ``value_hash``; never by the encrypted column.
"""

from __future__ import annotations

PII_COLUMNS = frozenset({"业主姓名", "手机号", "证件号码", "邮箱", "微信号"})


def seal(value: str | None) -> str | None:
    """The value to assign to an ORM personal field (the column type encrypts it on write)."""
    return value


def unseal(stored: str | None) -> str | None:
    """Clear text of a personal field read through the ORM (the column type decrypted it already)."""
    return stored


def merge_key(name: str, mobile: str) -> str:
    """The unique key that merges one person's rows: name + normalised mobile (stored encrypted)."""
    return f"{name}|{mobile}"


def lookup_hash(value: str) -> str:
    """Keyed hash (HMAC-SHA256) of a merge key or contact value, for equality lookups in the database."""
    from core.crypto.cipher import lookup_hash as keyed

    return keyed(value)


def mask(column: str, value: str) -> str:
    """Mask a value for the error report when its column holds personal data.

    Args:
        column: The Chinese column header (or a combination like 项目编码+房号).
        value: The raw cell text.

    Returns:
        The value unchanged for non-personal columns, else a masked form such as 139****5678 or 王**.
    """
    if column not in PII_COLUMNS or not value:
        return value
    if column == "业主姓名":
        return value[:1] + "*" * max(1, len(value) - 1)
    if column == "邮箱" and "@" in value:
        name, _, domain = value.rpartition("@")
        return f"{name[:1]}***@{domain}"
    if len(value) >= 8:
        return value[:3] + "*" * (len(value) - 7) + value[-4:]
    return value[:1] + "***"
