"""Channel adapter interface: one send in, one receipt out; the idempotency key travels with every send."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from core.domain.channels import channel_name

CHANNELS: tuple[str, ...] = ("sms", "wechat", "phone", "email", "visit")
CHANNEL_NAMES = {c: channel_name(c, as_task=True) for c in CHANNELS}
RECEIPTS: tuple[str, ...] = ("delivered", "failed", "unsubscribed", "no_answer")
REACHED = frozenset({"delivered"})


@dataclass(frozen=True)
class ChannelMessage:
    """One message (or task, for phone and visit) for one owner."""

    idempotency_key: str
    channel: str
    owner_id: int
    unit_id: int | None
    text: str
    recipient: str = ""
    template_id: str | None = None


@dataclass(frozen=True)
class Receipt:
    """What the channel reported back."""

    status: str
    """delivered, failed, unsubscribed or no_answer."""
    provider_ref: str = ""
    detail: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.status not in RECEIPTS:
            raise ValueError(f"unknown receipt status {self.status!r}")


class ChannelAdapter(Protocol):
    """Sends through one or more channels; must be idempotent on ``message.idempotency_key``."""

    def supports(self, channel: str) -> bool:
        """Whether this adapter can send through ``channel``."""
        ...

    def send(self, message: ChannelMessage) -> Receipt:
        """Send (or return the receipt of an earlier send with the same key)."""
        ...


class ChannelError(RuntimeError):
    """The channel could not be reached at all (treated as a failed receipt and a fallback)."""
