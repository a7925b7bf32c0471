"""OpenAI-compatible FastAPI front for the embedded llama.cpp server, adding tool calls and JSON modes."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, StreamingResponse

from app.llm_server.sse import ChunkWriter, FinalAnswerStream, completion_body, usage_of
from app.llm_server.translate import (
    ParsedReply,
    ToolPlan,
    build_upstream_request,
    parse_tool_output,
)

logger = logging.getLogger(__name__)


class UpstreamError(Exception):
    """The internal model server failed or answered with an error."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def _error(status: int, message: str, kind: str) -> JSONResponse:
    return JSONResponse({"error": {"message": message, "type": kind, "code": status}}, status)


async def _post(client: httpx.AsyncClient, body: dict[str, Any]) -> dict[str, Any]:
    try:
        response = await client.post("/v1/chat/completions", json=body)
    except httpx.HTTPError as exc:
        raise UpstreamError(503, f"model server unavailable: {exc}") from exc
    if response.status_code != 200:
        raise UpstreamError(response.status_code, response.text[:2000])
    return response.json()


async def _stream_events(client: httpx.AsyncClient, body: dict[str, Any]) -> AsyncIterator[dict]:
    """Yield the upstream's parsed SSE payloads until [DONE]."""
    body = {**body, "stream": True, "stream_options": {"include_usage": True}}
    try:
        async with client.stream("POST", "/v1/chat/completions", json=body) as response:
            if response.status_code != 200:
                text = (await response.aread()).decode("utf-8", "replace")
                raise UpstreamError(response.status_code, text[:2000])
            async for line in response.aiter_lines():
                if line.startswith("error:"):
                    raise UpstreamError(502, line[6:].strip())
                if not line.startswith("data:"):
                    continue
                data = line[5:].strip()
                if data == "[DONE]":
                    return
                yield json.loads(data)
    except httpx.HTTPError as exc:
        raise UpstreamError(503, f"model server unavailable: {exc}") from exc


def _reply_from(text: str, plan: ToolPlan | None) -> ParsedReply:
    return parse_tool_output(text, plan) if plan else ParsedReply(content=text)


async def _complete(
    client: httpx.AsyncClient, body: dict[str, Any], plan: ToolPlan | None, model: str
) -> dict[str, Any]:
    data = await _post(client, body)
    choice = data["choices"][0]
    reply = _reply_from(choice["message"].get("content") or "", plan)
    finish = choice.get("finish_reason") or "stop"
    return completion_body(
        reply, model=model, finish_reason=finish, usage=usage_of(data.get("usage"), data.get("timings"))
    )


async def _relay_stream(
    client: httpx.AsyncClient,
    body: dict[str, Any],
    plan: ToolPlan | None,
    writer: ChunkWriter,
    include_usage: bool,
) -> AsyncIterator[str]:
    """Stream plain text as it comes; for tool turns stream a direct answer, send calls whole."""
    follower = FinalAnswerStream(plan) if plan else None
    text, finish, usage = "", "stop", None
    yield writer.event({"role": "assistant", "content": ""})
    async for event in _stream_events(client, body):
        usage = usage_of(event.get("usage"), event.get("timings")) or usage
        for choice in event.get("choices") or []:
            delta = (choice.get("delta") or {}).get("content") or ""
            finish = choice.get("finish_reason") or finish
            text += delta
            piece = follower.feed(delta) if follower else delta
            if piece:
                yield writer.event({"content": piece})
    if follower:
        reply = parse_tool_output(text, follower.plan)
        if reply.tool_calls:
            finish = "tool_calls"
            yield writer.tool_calls(reply.tool_calls)
        elif reply.content and reply.content.startswith(follower.emitted):
            rest = reply.content[len(follower.emitted) :]
            if rest:
                yield writer.event({"content": rest})
    yield writer.event({}, finish_reason=finish)
    if include_usage:
        yield writer.usage(usage)
    yield writer.done()


async def _guarded_stream(
    gate: asyncio.Semaphore, chunks: AsyncIterator[str], writer: ChunkWriter
) -> AsyncIterator[str]:
    async with gate:
        try:
            async for chunk in chunks:
                yield chunk
        except UpstreamError as exc:
            logger.warning("upstream stream failed: %s", exc)
            payload = {"error": {"message": str(exc), "type": "upstream_error", "code": exc.status}}
            yield f"data: {json.dumps(payload, ensure_ascii=False)}\n\n"
            yield writer.done()


def create_app(
    upstream_url: str,
    *,
    model_name: str,
    max_inflight: int = 1,
    transport: httpx.AsyncBaseTransport | None = None,
    timeout: float = 600.0,
) -> FastAPI:
    """Build the proxy app.

    Args:
        upstream_url: Root URL of the internal llama.cpp server (no /v1).
        model_name: Model id reported by /v1/models and in responses.
        max_inflight: Upstream requests allowed at once; later ones wait their turn.
        transport: Optional httpx transport (tests inject a fake upstream here).
        timeout: Seconds to wait for the upstream to answer one request.
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        limits = httpx.Timeout(timeout, connect=5.0)
        async with httpx.AsyncClient(base_url=upstream_url, transport=transport, timeout=limits) as client:
            app.state.client = client
            app.state.gate = asyncio.Semaphore(max_inflight)
            yield

    app = FastAPI(title="Steward LLM endpoint", lifespan=lifespan)

    @app.get("/health")
    async def health(request: Request) -> JSONResponse:
        try:
            response = await request.app.state.client.get("/health", timeout=5.0)
            ok = response.status_code == 200
        except httpx.HTTPError:
            ok = False
        status = {"status": "ok" if ok else "unavailable", "model": model_name}
        return JSONResponse(status, 200 if ok else 503)

    @app.get("/v1/models")
    async def models() -> dict[str, Any]:
        entry = {"id": model_name, "object": "model", "created": 0, "owned_by": "steward"}
        return {"object": "list", "data": [entry]}

    @app.post("/v1/chat/completions", response_model=None)
    async def chat_completions(request: Request) -> JSONResponse | StreamingResponse:
        body = await request.json()
        try:
            upstream, plan = build_upstream_request(body)
        except (ValueError, KeyError, TypeError) as exc:
            return _error(400, str(exc), "invalid_request_error")
        model = body.get("model") or model_name
        client, gate = request.app.state.client, request.app.state.gate
        if body.get("stream"):
            writer = ChunkWriter(model)
            include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
            chunks = _relay_stream(client, upstream, plan, writer, include_usage)
            return StreamingResponse(_guarded_stream(gate, chunks, writer), media_type="text/event-stream")
        try:
            async with gate:
                return JSONResponse(await _complete(client, upstream, plan, model))
        except UpstreamError as exc:
            return _error(exc.status, str(exc), "upstream_error")

    return app
