"""OpenAI-format completion bodies, SSE chunks, and incremental reading of a streamed direct answer."""

from __future__ import annotations

import json
import re
import time
import uuid
from typing import Any

from app.llm_server.translate import ParsedReply, ToolPlan

_TOOL_RE = re.compile(r'"tool"\s*:\s*"((?:[^"\\]|\\.)*)"')
_CONTENT_RE = re.compile(r'"content"\s*:\s*"')


def completion_id() -> str:
    """Return a fresh chat completion id."""
    return f"chatcmpl-{uuid.uuid4().hex[:24]}"


def usage_of(data: dict[str, Any] | None, timings: dict[str, Any] | None = None) -> dict[str, Any] | None:
    """The OpenAI token counts of an upstream usage block, with the prompt tokens served from cache.

    llama.cpp reports its prompt cache in ``timings.cache_n`` (and prefill/decode times); the cached count goes
    where OpenAI clients read it (``prompt_tokens_details.cached_tokens``) and the times under ``timings``.
    """
    if not data:
        return None
    keys = ("prompt_tokens", "completion_tokens", "total_tokens")
    usage: dict[str, Any] = {k: int(data.get(k, 0)) for k in keys}
    details = data.get("prompt_tokens_details") or {}
    cached = details.get("cached_tokens")
    if timings and timings.get("cache_n") is not None:
        cached = timings["cache_n"]
    if cached is not None:
        usage["prompt_tokens_details"] = {"cached_tokens": int(cached)}
    if timings:
        usage["timings"] = {
            k: round(float(timings[k]), 1)
            for k in ("prompt_n", "prompt_ms", "predicted_n", "predicted_ms")
            if k in timings
        }
    return usage


def completion_body(
    reply: ParsedReply, *, model: str, finish_reason: str, usage: dict[str, int] | None
) -> dict[str, Any]:
    """Build a non-streaming `chat.completion` body."""
    message: dict[str, Any] = {"role": "assistant", "content": reply.content}
    if reply.tool_calls:
        message["tool_calls"] = reply.tool_calls
        finish_reason = "tool_calls"
    return {
        "id": completion_id(),
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "message": message, "finish_reason": finish_reason}],
        "usage": usage,
    }


class ChunkWriter:
    """Formats `chat.completion.chunk` SSE events sharing one id and model."""

    def __init__(self, model: str) -> None:
        self.model = model
        self.id = completion_id()
        self.created = int(time.time())

    def event(self, delta: dict[str, Any], finish_reason: str | None = None) -> str:
        """One chunk carrying a delta (and optionally the finish reason)."""
        choice = {"index": 0, "delta": delta, "finish_reason": finish_reason}
        return self._sse({"choices": [choice]})

    def usage(self, usage: dict[str, int] | None) -> str:
        """The trailing usage chunk (empty choices), as OpenAI sends with include_usage."""
        return self._sse({"choices": [], "usage": usage})

    def tool_calls(self, calls: list[dict[str, Any]]) -> str:
        """One chunk carrying complete tool calls."""
        indexed = [{"index": i, **call} for i, call in enumerate(calls)]
        return self.event({"tool_calls": indexed})

    @staticmethod
    def done() -> str:
        """The closing sentinel."""
        return "data: [DONE]\n\n"

    def _sse(self, payload: dict[str, Any]) -> str:
        body = {
            "id": self.id,
            "object": "chat.completion.chunk",
            "created": self.created,
            "model": self.model,
            **payload,
        }
        return f"data: {json.dumps(body, ensure_ascii=False)}\n\n"


def _decode_partial_string(raw: str) -> str:
    """Decode the complete prefix of a JSON string body that may still be growing."""
    out: list[str] = []
    i = 0
    while i < len(raw):
        ch = raw[i]
        if ch == '"':
            break
        if ch != "\\":
            out.append(ch)
            i += 1
            continue
        escape = raw[i : i + 6] if raw[i + 1 : i + 2] == "u" else raw[i : i + 2]
        if len(escape) < 2 or (escape[1] == "u" and len(escape) < 6):
            break
        try:
            out.append(json.loads(f'"{escape}"'))
        except json.JSONDecodeError:
            out.append(escape)
        i += len(escape)
    return "".join(out)


class FinalAnswerStream:
    """Follows a growing constrained reply and yields the direct answer's new text as it arrives."""

    def __init__(self, plan: ToolPlan) -> None:
        self.plan = plan
        self.text = ""
        self.emitted = ""

    def feed(self, delta: str) -> str:
        """Add upstream text; return the newly available part of the direct answer, if any."""
        self.text += delta
        tool = _TOOL_RE.search(self.text)
        if not tool or tool.group(1) != self.plan.final_name:
            return ""
        start = _CONTENT_RE.search(self.text, tool.end())
        if not start:
            return ""
        current = _decode_partial_string(self.text[start.end() :])
        if not current.startswith(self.emitted):
            return ""
        piece = current[len(self.emitted) :]
        self.emitted = current
        return piece
