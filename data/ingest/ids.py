"""Stable source ids for records that arrive without one (WeChat lines, chats without an id, payments)."""

from __future__ import annotations

import hashlib
from collections import Counter

from data.ingest.model import ChatIn


def _digest(*parts: str) -> str:
    return hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()[:20]


def chat_id(day: str, speaker: str, text: str, occurrence: int = 0) -> str:
    """Id of a chat line from its date, speaker and text; ``occurrence`` tells identical lines of a day apart."""
    return "wx-" + _digest(day, speaker, text, str(occurrence))


def assign_chat_ids(chats: list[ChatIn], seen: Counter[tuple[str, str, str]] | None = None) -> None:
    """Fill in the id of every chat that has none (the n-th identical line of a day gets occurrence n).

    Args:
        chats: Chats in file order.
        seen: Occurrence counter shared across calls for one file (a new one when None).
    """
    seen = Counter() if seen is None else seen
    for chat in chats:
        if chat.ext_id:
            continue
        key = (chat.sent_at.date().isoformat(), chat.speaker, chat.text)
        chat.ext_id = chat_id(*key, seen[key])
        seen[key] += 1


def payment_ref(project: str, unit: str, payment: dict) -> str:
    """Transaction number of a bundle payment without one, derived from what identifies the payment."""
    return "BDL-" + _digest(
        project,
        unit,
        str(payment.get("period") or ""),
        payment["paid_at"].isoformat(),
        str(payment["amount"]),
        payment["channel"],
    )
