"""Fake llama.cpp upstream and a proxy app wired to it (no model, no network)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient

from app.llm_server.proxy import create_app

MODEL = "qwen2.5-coder-1.5b-instruct"


class FakeUpstream:
    """Scripted upstream: queues reply texts, records every request body it was sent."""

    def __init__(self) -> None:
        self.replies: list[str] = []
        self.requests: list[dict] = []
        self.healthy = True
        self.fail_status: int | None = None
        self.timings: dict | None = None

    def reply(self, *texts: str) -> None:
        self.replies.extend(texts)

    def handler(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/health":
            return httpx.Response(200 if self.healthy else 503, json={"status": "ok"})
        body = json.loads(request.content)
        self.requests.append(body)
        if self.fail_status:
            return httpx.Response(self.fail_status, text="upstream exploded")
        text = self.replies.pop(0)
        usage = {"prompt_tokens": 11, "completion_tokens": 7, "total_tokens": 18}
        if body.get("stream"):
            return httpx.Response(200, content=_sse(text, usage), headers={"content-type": "text/event-stream"})
        choice = {
            "index": 0,
            "message": {"role": "assistant", "content": text},
            "finish_reason": "stop",
        }
        body = {"choices": [choice], "usage": usage} | ({"timings": self.timings} if self.timings else {})
        return httpx.Response(200, json=body)

    @property
    def last(self) -> dict:
        return self.requests[-1]


def _sse(text: str, usage: dict) -> bytes:
    pieces = [text[i : i + 3] for i in range(0, len(text), 3)]
    events = [{"choices": [{"index": 0, "delta": {"content": p}, "finish_reason": None}]} for p in pieces]
    events.append({"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
    events.append({"choices": [], "usage": usage})
    lines = [f"data: {json.dumps(e, ensure_ascii=False)}\n\n" for e in events] + ["data: [DONE]\n\n"]
    return "".join(lines).encode()


@pytest.fixture
def fake() -> FakeUpstream:
    return FakeUpstream()


@pytest.fixture
def client(fake: FakeUpstream) -> Iterator[TestClient]:
    app = create_app("http://upstream", model_name=MODEL, transport=httpx.MockTransport(fake.handler))
    with TestClient(app) as test_client:
        yield test_client


ARREARS_TOOL = {
    "type": "function",
    "function": {
        "name": "get_arrears",
        "description": "查询某户的欠费金额。",
        "parameters": {
            "type": "object",
            "properties": {"household_id": {"type": "string"}},
            "required": ["household_id"],
        },
    },
}


@pytest.fixture
def arrears_tool() -> dict:
    return ARREARS_TOOL
