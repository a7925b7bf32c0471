"""The importer's single gate for personal data: storing, comparing, merge keys and report masking.

Personal fields (name, mobile, ID number, e-mail, WeChat ID) are kept as plain text in the database for now.
Every read or write of them in the importer goes through this module, so switching to encryption (and a keyed
hash for the merge key) changes this file only.
"""

from __future__ import annotations

PII_COLUMNS = frozenset({"业主姓名", "手机号", "证件号码", "邮箱", "微信号"})


def seal(value: str | None) -> str | None:
    """Turn a clean personal value into its stored form (identity until encryption is switched on)."""
    return value


def unseal(stored: str | None) -> str | None:
    """Turn a stored personal value back into clear text (identity until encryption is switched on)."""
    return stored


def merge_key(name: str, mobile: str) -> str:
    """The unique key that merges one person's rows: name + normalised mobile."""
    return f"{name}|{mobile}"


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
