"""Webhook adapter: POSTs each send as JSON to a configured URL (the integrator's gateway)."""

from __future__ import annotations

import httpx

from app.channels.base import CHANNELS, RECEIPTS, ChannelError, ChannelMessage, Receipt


class WebhookAdapter:
    """Sends through an HTTP gateway; the Idempotency-Key header lets the gateway drop repeats.

    The gateway answers 2xx with JSON ``{"status": "delivered"|"failed"|"unsubscribed"|"no_answer",
    "id": "..."}``; a non-2xx answer or a transport error raises ChannelError.
    """

    def __init__(
        self,
        url: str,
        *,
        channels: tuple[str, ...] = CHANNELS,
        client: httpx.Client | None = None,
        timeout: float = 10.0,
        token: str | None = None,
    ) -> None:
        self.url = url
        self.channels = channels
        self.client = client or httpx.Client(timeout=timeout)
        self.token = token

    def supports(self, channel: str) -> bool:
        """Channels this gateway handles."""
        return channel in self.channels

    def send(self, message: ChannelMessage) -> Receipt:
        """POST the message and turn the answer into a receipt."""
        headers = {"Idempotency-Key": message.idempotency_key}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        payload = {
            "idempotency_key": message.idempotency_key,
            "channel": message.channel,
            "owner_id": message.owner_id,
            "unit_id": message.unit_id,
            "recipient": message.recipient,
            "text": message.text,
            "template_id": message.template_id,
        }
        try:
            response = self.client.post(self.url, json=payload, headers=headers)
        except httpx.HTTPError as exc:
            raise ChannelError(f"渠道网关不可达：{exc}") from exc
        if response.status_code // 100 != 2:
            raise ChannelError(f"渠道网关返回 {response.status_code}")
        data = response.json()
        status = data.get("status", "delivered")
        if status not in RECEIPTS:
            raise ChannelError(f"渠道网关返回未知回执 {status!r}")
        return Receipt(status, provider_ref=str(data.get("id", "")), detail={"gateway": self.url})
