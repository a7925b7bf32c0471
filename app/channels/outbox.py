"""Default adapter: writes each send to the channel_outbox table and answers with a seeded simulated receipt."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.channels.base import CHANNELS, ChannelMessage, Receipt
from data.db.collections import OutboxMessage

# Outcome rates per channel: (delivered, failed, unsubscribed, no_answer).
DEFAULT_RATES: dict[str, tuple[float, float, float, float]] = {
    "sms": (0.93, 0.05, 0.02, 0.0),
    "wechat": (0.90, 0.08, 0.02, 0.0),
    "email": (0.85, 0.14, 0.01, 0.0),
    "phone": (0.55, 0.05, 0.0, 0.40),
    "visit": (0.75, 0.0, 0.0, 0.25),
}


class ReceiptSimulator:
    """Deterministic receipts: the same seed and key always give the same outcome."""

    def __init__(self, seed: int = 7, rates: dict[str, tuple[float, float, float, float]] | None = None) -> None:
        self.seed = seed
        self.rates = rates or DEFAULT_RATES

    def receipt(self, message: ChannelMessage) -> Receipt:
        """Draw the outcome of ``message`` from its channel's rates."""
        digest = hashlib.sha256(f"{self.seed}:{message.idempotency_key}".encode()).digest()
        u = int.from_bytes(digest[:8], "big") / 2**64
        acc = 0.0
        for status, rate in zip(
            ("delivered", "failed", "unsubscribed", "no_answer"), self.rates[message.channel], strict=True
        ):
            acc += rate
            if u < acc:
                return Receipt(status, provider_ref=f"sim-{digest[:6].hex()}")
        return Receipt("delivered", provider_ref=f"sim-{digest[:6].hex()}")


class OutboxAdapter:
    """Queues messages in channel_outbox within the caller's session (the caller commits)."""

    def __init__(
        self, session: Session, simulator: ReceiptSimulator | None = None, clock: Callable[[], datetime] = datetime.now
    ) -> None:
        self.session = session
        self.simulator = simulator or ReceiptSimulator()
        self.clock = clock

    def supports(self, channel: str) -> bool:
        """Every channel can be queued."""
        return channel in CHANNELS

    def send(self, message: ChannelMessage) -> Receipt:
        """Queue once per idempotency key; a repeated key returns the stored receipt."""
        existing = self.session.execute(
            select(OutboxMessage).where(OutboxMessage.idempotency_key == message.idempotency_key)
        ).scalar_one_or_none()
        if existing is not None:
            return Receipt(existing.status, existing.receipt.get("provider_ref", ""), {"duplicate": True})
        receipt = self.simulator.receipt(message)
        self.session.add(
            OutboxMessage(
                idempotency_key=message.idempotency_key,
                channel=message.channel,
                owner_id=message.owner_id,
                unit_id=message.unit_id,
                recipient=message.recipient,
                text=message.text,
                created_at=self.clock(),
                status=receipt.status,
                receipt={"provider_ref": receipt.provider_ref},
            )
        )
        self.session.flush()
        return receipt
