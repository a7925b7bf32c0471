"""Outgoing channels: adapter interface, outbox with simulated receipts, webhook gateway."""

from app.channels.base import (
    CHANNEL_NAMES,
    CHANNELS,
    ChannelAdapter,
    ChannelError,
    ChannelMessage,
    Receipt,
)
from app.channels.outbox import OutboxAdapter, ReceiptSimulator
from app.channels.webhook import WebhookAdapter

__all__ = [
    "CHANNELS",
    "CHANNEL_NAMES",
    "ChannelAdapter",
    "ChannelError",
    "ChannelMessage",
    "OutboxAdapter",
    "Receipt",
    "ReceiptSimulator",
    "WebhookAdapter",
]
