"""The payment-provider interface: create an order, a page to pay on, a signed notification, query, refund.

A real provider (WeChat Pay, Alipay) is one more class with these methods; nothing else changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol


class ProviderError(RuntimeError):
    """The provider refused or failed a call (Chinese message)."""


class SignatureError(ProviderError):
    """A notification whose signature does not verify."""


@dataclass(frozen=True)
class ProviderOrder:
    """Where the owner pays an order: a page to redirect to and the text of a QR code."""

    order_no: str
    pay_url: str
    qr_text: str


@dataclass(frozen=True)
class Notification:
    """A verified payment notification: the provider says this order was paid by this transaction."""

    order_no: str
    txn_id: str
    amount_cents: int
    status: str  # success|closed
    paid_at: str


@dataclass(frozen=True)
class RefundResult:
    """A refund the provider accepted."""

    refund_no: str
    amount_cents: int
    status: str


class PaymentProvider(Protocol):
    """What Steward needs from a payment provider."""

    name: str
    """Short id stored with orders and payments (sandbox, wechat, alipay)."""

    def create_order(
        self, order_no: str, amount_cents: int, subject: str, *, notify_url: str, return_url: str
    ) -> ProviderOrder:
        """Register an order for ``amount_cents`` and return where the owner pays it."""

    def verify_notification(self, headers: Mapping[str, str], body: bytes) -> Notification:
        """Check the signature of an asynchronous notification and parse it (SignatureError when forged)."""

    def query(self, order_no: str) -> dict:
        """The provider's view of an order: status, transaction id, amount."""

    def refund(self, order_no: str, txn_id: str, amount_cents: int, refund_no: str) -> RefundResult:
        """Refund part or all of a paid order."""
