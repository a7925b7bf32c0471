"""The proxy over HTTP (FastAPI TestClient) against a fake upstream."""

from __future__ import annotations

import json

import httpx
from fastapi.testclient import TestClient

from app.llm_server.proxy import create_app


def _events(response) -> list:
    lines = [line[6:] for line in response.text.splitlines() if line.startswith("data: ")]
    assert lines[-1] == "[DONE]"
    return [json.loads(line) for line in lines[:-1]]


def test_when_upstream_is_up_then_health_ok_and_models_list_configured_name(client, fake):
    assert client.get("/health").json()["status"] == "ok"
    assert client.get("/v1/models").json()["data"][0]["id"] == "qwen2.5-coder-1.5b-instruct"
    fake.healthy = False
    assert client.get("/health").status_code == 503


def test_when_plain_chat_then_text_and_usage_are_returned(client, fake):
    fake.reply("您好，请问有什么可以帮您？")
    body = client.post("/v1/chat/completions", json={"messages": [{"role": "user", "content": "你好"}]}).json()
    assert body["object"] == "chat.completion"
    assert body["choices"][0]["message"] == {
        "role": "assistant",
        "content": "您好，请问有什么可以帮您？",
    }
    assert body["choices"][0]["finish_reason"] == "stop"
    assert body["usage"] == {"prompt_tokens": 11, "completion_tokens": 7, "total_tokens": 18}
    assert "json_schema" not in fake.last


def test_when_upstream_reports_its_prompt_cache_then_usage_carries_cached_tokens_and_timings(client, fake):
    fake.reply("好的")
    fake.timings = {"cache_n": 9, "prompt_n": 2, "prompt_ms": 51.234, "predicted_n": 7, "predicted_ms": 900.0}
    body = client.post("/v1/chat/completions", json={"messages": [{"role": "user", "content": "你好"}]}).json()
    assert body["usage"]["prompt_tokens_details"] == {"cached_tokens": 9}
    assert body["usage"]["timings"] == {"prompt_n": 2, "prompt_ms": 51.2, "predicted_n": 7, "predicted_ms": 900.0}
    assert body["usage"]["prompt_tokens"] == 11


def test_when_model_picks_a_tool_then_response_has_tool_calls(client, fake, arrears_tool):
    fake.reply('{"tool": "get_arrears", "arguments": {"household_id": "H-1203"}}')
    request = {"messages": [{"role": "user", "content": "查一下H-1203"}], "tools": [arrears_tool]}
    choice = client.post("/v1/chat/completions", json=request).json()["choices"][0]
    assert choice["finish_reason"] == "tool_calls"
    call = choice["message"]["tool_calls"][0]
    assert call["function"]["name"] == "get_arrears"
    assert json.loads(call["function"]["arguments"]) == {"household_id": "H-1203"}
    assert fake.last["json_schema"]["oneOf"][0]["properties"]["tool"] == {"const": "get_arrears"}


def test_when_streaming_plain_chat_then_openai_chunks_end_with_done_and_usage(client, fake):
    fake.reply("物业费按月缴纳。")
    request = {
        "messages": [{"role": "user", "content": "物业费怎么交"}],
        "stream": True,
        "stream_options": {"include_usage": True},
    }
    events = _events(client.post("/v1/chat/completions", json=request))
    assert len({e["id"] for e in events}) == 1
    assert all(e["object"] == "chat.completion.chunk" for e in events)
    assert events[0]["choices"][0]["delta"]["role"] == "assistant"
    text = "".join(e["choices"][0]["delta"].get("content") or "" for e in events if e["choices"])
    assert text == "物业费按月缴纳。"
    assert events[-2]["choices"][0]["finish_reason"] == "stop"
    assert events[-1]["choices"] == [] and events[-1]["usage"]["total_tokens"] == 18


def test_when_streaming_a_tool_call_then_one_chunk_carries_the_whole_call(client, fake, arrears_tool):
    fake.reply('{"tool": "get_arrears", "arguments": {"household_id": "H-9"}}')
    request = {
        "messages": [{"role": "user", "content": "查H-9"}],
        "tools": [arrears_tool],
        "stream": True,
    }
    events = _events(client.post("/v1/chat/completions", json=request))
    calls = [e["choices"][0]["delta"]["tool_calls"] for e in events if "tool_calls" in e["choices"][0]["delta"]]
    assert len(calls) == 1 and calls[0][0]["index"] == 0
    assert json.loads(calls[0][0]["function"]["arguments"]) == {"household_id": "H-9"}
    assert events[-1]["choices"][0]["finish_reason"] == "tool_calls"
    assert not any(e["choices"][0]["delta"].get("content") for e in events)


def test_when_streaming_a_direct_answer_in_tool_mode_then_only_the_answer_text_streams(client, fake, arrears_tool):
    fake.reply('{"tool": "final_answer", "content": "请提供房号。"}')
    request = {
        "messages": [{"role": "user", "content": "查欠费"}],
        "tools": [arrears_tool],
        "stream": True,
    }
    events = _events(client.post("/v1/chat/completions", json=request))
    pieces = [e["choices"][0]["delta"].get("content") for e in events]
    assert "".join(p for p in pieces if p) == "请提供房号。"
    assert len([p for p in pieces if p]) > 1
    assert events[-1]["choices"][0]["finish_reason"] == "stop"


def test_when_upstream_fails_then_openai_error_with_status(client, fake):
    fake.fail_status = 500
    response = client.post("/v1/chat/completions", json={"messages": [{"role": "user", "content": "x"}]})
    assert response.status_code == 500
    assert "upstream exploded" in response.json()["error"]["message"]


def test_when_upstream_unreachable_then_503():
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    app = create_app("http://upstream", model_name="m", transport=httpx.MockTransport(refuse))
    with TestClient(app) as test_client:
        response = test_client.post("/v1/chat/completions", json={"messages": [{"role": "user", "content": "x"}]})
        assert response.status_code == 503
        assert test_client.get("/health").status_code == 503


def test_when_request_has_no_messages_then_400(client):
    response = client.post("/v1/chat/completions", json={"model": "m"})
    assert response.status_code == 400
    assert response.json()["error"]["type"] == "invalid_request_error"


def test_when_requests_arrive_together_then_upstream_sees_at_most_max_inflight():
    import asyncio

    state = {"now": 0, "peak": 0}

    async def slow(request: httpx.Request) -> httpx.Response:
        state["now"] += 1
        state["peak"] = max(state["peak"], state["now"])
        await asyncio.sleep(0.05)
        state["now"] -= 1
        choice = {
            "index": 0,
            "message": {"role": "assistant", "content": "好"},
            "finish_reason": "stop",
        }
        return httpx.Response(200, json={"choices": [choice], "usage": None})

    app = create_app("http://upstream", model_name="m", max_inflight=2, transport=httpx.MockTransport(slow))
    body = {"messages": [{"role": "user", "content": "x"}]}

    async def burst() -> list[int]:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://proxy") as http:
                calls = [http.post("/v1/chat/completions", json=body) for _ in range(5)]
                return [r.status_code for r in await asyncio.gather(*calls)]

    assert asyncio.run(burst()) == [200] * 5
    assert state["peak"] == 2
