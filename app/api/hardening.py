"""Response hardening for the owner bill page, and access logs that never carry a bill link's token."""

from __future__ import annotations

import json
import logging
import re

from starlette.types import ASGIApp, Message, Receive, Scope, Send

BILL_PREFIX = "/bill/"
BILL_HEADERS = {
    "cache-control": "no-store",
    "pragma": "no-cache",
    "referrer-policy": "no-referrer",
    "content-security-policy": (
        "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
}
_TOKEN_IN_PATH = re.compile(r"(/bill/)[^\s?\"/]+")
REDACTED = r"\1[redacted]"


class BillPageHeaders:
    """Adds no-store, no-referrer, CSP and frame headers to every /bill/ response (errors and 429 included)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on; add the headers to the response start of /bill/ paths."""
        if scope["type"] != "http" or not scope.get("path", "").startswith(BILL_PREFIX):
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k.encode(), v.encode()) for k, v in BILL_HEADERS.items() if k.encode() not in names]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, send_with_headers)


def redact_bill_tokens(text: str) -> str:
    """``/bill/<token>`` → ``/bill/[redacted]``."""
    return _TOKEN_IN_PATH.sub(REDACTED, text)


def _redacted_arg(value: object) -> object:
    if isinstance(value, (int, float)) or value is None:
        return value
    text = value if isinstance(value, str) else str(value)  # e.g. an httpx URL object
    return redact_bill_tokens(text) if BILL_PREFIX in text else value


class BillTokenFilter(logging.Filter):
    """Rewrites access-log records so the bill link's token (a bearer credential) is not written to logs."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact the token in the record's arguments (uvicorn) or message; never drops a record."""
        if isinstance(record.args, tuple) and record.args:
            record.args = tuple(_redacted_arg(a) for a in record.args)
        elif isinstance(record.msg, str) and BILL_PREFIX in record.msg:
            record.msg = redact_bill_tokens(record.msg)
        return True


def install_log_filter(logger_names: tuple[str, ...] = ("uvicorn.access", "uvicorn.error", "httpx")) -> None:
    """Attach the token filter to the access loggers (once per logger)."""
    for name in logger_names:
        logger = logging.getLogger(name)
        if not any(isinstance(f, BillTokenFilter) for f in logger.filters):
            logger.addFilter(BillTokenFilter())


class BodyLimit:
    """Refuse a request body over ``max_bytes`` (413) before anything parses it.

    By Content-Length when given, else while the body streams in. Applies to the path prefixes given (bulk
    pushes); other routes take small bodies.
    """

    def __init__(self, app: ASGIApp, *, max_bytes: int, prefixes: tuple[str, ...] = ("/ingest",)) -> None:
        self.app, self.max_bytes, self.prefixes = app, max_bytes, prefixes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on, counting its body."""
        if scope["type"] != "http" or not scope["path"].startswith(self.prefixes):
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._too_large(send)
            return
        # No length given: read the body here, at most one byte past the limit, then hand it to the app.
        messages: list[Message] = []
        seen = 0
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                break
            seen += len(message.get("body", b""))
            if seen > self.max_bytes:
                await self._too_large(send)
                return
            if not message.get("more_body", False):
                break
        replay = iter(messages)

        async def replayed() -> Message:
            return next(replay, None) or await receive()

        await self.app(scope, replayed, send)

    async def _too_large(self, send: Send) -> None:
        body = json.dumps(
            {"detail": f"请求体过大（上限 {self.max_bytes // (1024 * 1024)} MB），请分批推送"}, ensure_ascii=False
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json; charset=utf-8"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
