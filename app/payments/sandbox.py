"""An offline provider that behaves like the real ones: orders, a cashier page, signed async notifications.

The sandbox keeps its own books (a JSON file, like a provider's side), signs each notification with
HMAC-SHA256 over ``timestamp.body`` and delivers it to the notify URL after the owner pays, the way WeChat
Pay and Alipay do. Replays, forged signatures and wrong amounts are for Steward's handler to reject.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import threading
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path

from app.payments.base import (
    Notification,
    ProviderError,
    ProviderOrder,
    RefundResult,
    SignatureError,
)

SIGNATURE = "X-Sandbox-Signature"
TIMESTAMP = "X-Sandbox-Timestamp"
MAX_SKEW_SECONDS = 300
Deliver = Callable[[str, dict[str, str], bytes], None]
"""(notify URL, headers, body) → hand the notification over (HTTP POST, or in-process)."""


def sign(key: str, timestamp: str, body: bytes) -> str:
    """The sandbox signature of a notification body."""
    return hmac.new(key.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def http_deliver(url: str, headers: dict[str, str], body: bytes) -> None:
    """POST the notification like a real provider does."""
    import httpx

    httpx.post(url, content=body, headers={**headers, "Content-Type": "application/json"}, timeout=10)


class SandboxProvider:
    """The sandbox payment provider."""

    name = "sandbox"

    def __init__(
        self,
        key: str,
        base_url: str,
        books: Path | None = None,
        deliver: Deliver | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.key = key
        self.base_url = base_url.rstrip("/")
        self._books = books
        self._deliver = deliver or http_deliver
        self._clock = clock or (lambda: datetime.now(UTC))
        self._lock = threading.Lock()
        self._orders: dict[str, dict] = {}
        if books is not None and books.exists():
            self._orders = json.loads(books.read_text(encoding="utf-8"))

    def _reload(self) -> None:
        """Read the books again: the API and the workbench (separate processes) both write them."""
        if self._books is not None and self._books.exists():
            self._orders = json.loads(self._books.read_text(encoding="utf-8"))

    def _save(self) -> None:
        if self._books is not None:
            self._books.parent.mkdir(parents=True, exist_ok=True)
            part = self._books.with_suffix(f".{secrets.token_hex(4)}.part")
            part.write_text(json.dumps(self._orders, ensure_ascii=False), encoding="utf-8")
            part.replace(self._books)  # whole books or none for a reader in another process

    def create_order(
        self, order_no: str, amount_cents: int, subject: str, *, notify_url: str, return_url: str
    ) -> ProviderOrder:
        """Register the order; the cashier page is /sandbox/pay/<order_no>."""
        if amount_cents <= 0:
            raise ProviderError("订单金额须大于 0")
        with self._lock:
            self._reload()
            if order_no in self._orders:
                raise ProviderError("订单号重复")
            self._orders[order_no] = {
                "amount_cents": amount_cents,
                "subject": subject,
                "notify_url": notify_url,
                "return_url": return_url,
                "status": "NOTPAY",
                "txn_id": None,
                "refunds": [],
            }
            self._save()
        url = f"{self.base_url}/sandbox/pay/{order_no}"
        return ProviderOrder(order_no, url, f"sandbox://pay?order={order_no}&amount={amount_cents}")

    def order(self, order_no: str) -> dict:
        """The sandbox's record of an order (ProviderError when unknown)."""
        with self._lock:
            self._reload()
        try:
            return dict(self._orders[order_no])
        except KeyError as exc:
            raise ProviderError("订单不存在") from exc

    def notification(self, order_no: str, txn_id: str, amount_cents: int) -> tuple[dict[str, str], bytes]:
        """A signed notification body and headers (also used by tests to build replays and forgeries)."""
        now = self._clock()
        body = json.dumps(
            {
                "order_no": order_no,
                "txn_id": txn_id,
                "amount_cents": amount_cents,
                "status": "SUCCESS",
                "paid_at": now.isoformat(),
            },
            sort_keys=True,
        ).encode()
        ts = str(int(now.timestamp()))
        return {TIMESTAMP: ts, SIGNATURE: sign(self.key, ts, body)}, body

    def pay(self, order_no: str, deliver: Deliver | None = None) -> str:
        """The owner confirms on the cashier page: the order is paid and the notification goes out."""
        with self._lock:
            self._reload()
            order = self._orders.get(order_no)
            if order is None:
                raise ProviderError("订单不存在")
            if order["status"] == "SUCCESS":
                return order["txn_id"]
            order["status"], order["txn_id"] = "SUCCESS", "SBX" + secrets.token_hex(10).upper()
            self._save()
        headers, body = self.notification(order_no, order["txn_id"], order["amount_cents"])
        (deliver or self._deliver)(order["notify_url"], headers, body)
        return order["txn_id"]

    def verify_notification(self, headers: Mapping[str, str], body: bytes) -> Notification:
        """Verify the HMAC and the timestamp, then parse."""
        lower = {k.lower(): v for k, v in headers.items()}
        ts, sig = lower.get(TIMESTAMP.lower(), ""), lower.get(SIGNATURE.lower(), "")
        if not ts or not sig or not hmac.compare_digest(sig, sign(self.key, ts, body)):
            raise SignatureError("签名校验失败")
        try:
            if abs(self._clock().timestamp() - int(ts)) > MAX_SKEW_SECONDS:
                raise SignatureError("通知时间戳过期")
            data = json.loads(body)
            return Notification(
                str(data["order_no"]),
                str(data["txn_id"]),
                int(data["amount_cents"]),
                "success" if data["status"] == "SUCCESS" else "closed",
                str(data["paid_at"]),
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise SignatureError("通知内容无法解析") from exc

    def query(self, order_no: str) -> dict:
        """Status (NOTPAY, SUCCESS, REFUND), transaction id and amount."""
        order = self.order(order_no)
        refunded = sum(r["amount_cents"] for r in order["refunds"])
        status = "REFUND" if refunded else order["status"]
        return {
            "order_no": order_no,
            "status": status,
            "txn_id": order["txn_id"],
            "amount_cents": order["amount_cents"],
            "refunded_cents": refunded,
        }

    def refund(self, order_no: str, txn_id: str, amount_cents: int, refund_no: str) -> RefundResult:
        """Refund up to what was paid and not yet refunded."""
        with self._lock:
            self._reload()
            order = self._orders.get(order_no)
            if order is None or order["status"] != "SUCCESS" or order["txn_id"] != txn_id:
                raise ProviderError("订单未支付，不能退款")
            done = {r["refund_no"]: r for r in order["refunds"]}
            if refund_no in done:
                return RefundResult(refund_no, done[refund_no]["amount_cents"], "SUCCESS")
            refunded = sum(r["amount_cents"] for r in order["refunds"])
            if amount_cents <= 0 or refunded + amount_cents > order["amount_cents"]:
                raise ProviderError("退款金额超过可退金额")
            order["refunds"].append({"refund_no": refund_no, "amount_cents": amount_cents})
            self._save()
        return RefundResult(refund_no, amount_cents, "SUCCESS")
