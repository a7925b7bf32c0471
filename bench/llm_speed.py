"""Embedded LLM endpoint speed: startup, RAM, prompt and generation tokens/s (medians of 3).

Run: .venv/bin/python bench/llm_speed.py [--runs 3] [--max-tokens 128]
Starts its own endpoint on a free loopback port and stops it afterwards.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx
from rich.console import Console
from rich.table import Table

from app.llm_server.lifecycle import ensure_endpoint
from app.llm_server.server import free_port
from core.settings import Settings

EVIDENCE = (
    "2024-03-02 业主：楼道的灯坏了好几天了，晚上回家很黑，希望尽快修一下。\n"
    "2024-03-05 管家：已经报修，维修师傅这周内上门。\n"
    "2024-03-20 业主：灯还是没修好，电梯这个月也停了两次，物业到底在干什么？\n"
    "2024-04-01 工单 W-2291：3号楼2单元楼道照明故障，状态：待处理，超时 12 天。\n"
    "2024-04-10 缴费记录：2024年1月至3月物业费未缴，合计 780.00 元。\n"
)
TOOL = {
    "type": "function",
    "function": {
        "name": "get_arrears",
        "description": "查询某户业主的欠费金额和欠费月数。",
        "parameters": {
            "type": "object",
            "properties": {"household_id": {"type": "string", "description": "房号"}},
            "required": ["household_id"],
        },
    },
}
SCHEMA = {
    "type": "object",
    "properties": {
        "cause_group": {"type": "string", "description": "欠费原因类别"},
        "confidence": {"type": "number"},
        "evidence": {"type": "array", "items": {"type": "string"}},
    },
    "required": ["cause_group", "confidence", "evidence"],
}


def long_prompt() -> list[dict]:
    """About 600 prompt tokens; a fresh nonce up front defeats the server's prompt cache."""
    system = f"[会话 {uuid.uuid4().hex[:8]}] 你是物业管家助手。物业负责服务，业主负责缴费。"
    user = "以下是某户业主的沟通记录和工单：\n" + EVIDENCE * 3 + "请总结业主不缴费的原因，并给出管家下一步建议。"
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]


def timed_stream(base: str, body: dict) -> dict:
    """Stream one request; return prompt/completion tokens, time to first event and total time."""
    body = {**body, "stream": True, "stream_options": {"include_usage": True}}
    started = time.perf_counter()
    first = None
    usage: dict = {}
    with httpx.stream("POST", f"{base}/chat/completions", json=body, timeout=600) as response:
        response.raise_for_status()
        for line in response.iter_lines():
            if not line.startswith("data: ") or line == "data: [DONE]":
                continue
            event = json.loads(line[6:])
            delta = (event.get("choices") or [{}])[0].get("delta") or {}
            if first is None and (delta.get("content") or delta.get("tool_calls")):
                first = time.perf_counter() - started
            usage = event.get("usage") or usage
    total = time.perf_counter() - started
    return {
        "prompt": usage["prompt_tokens"],
        "completion": usage["completion_tokens"],
        "first": first or total,
        "total": total,
    }


def cases(max_tokens: int) -> dict:
    """Name → request body factory."""
    fresh = "[{}] ".format
    return {
        "plain chat, ~600-token prompt": lambda: {
            "messages": long_prompt(),
            "max_tokens": max_tokens,
            "temperature": 0,
        },
        "tool call (short prompt)": lambda: {
            "messages": [
                {
                    "role": "user",
                    "content": fresh(uuid.uuid4().hex[:6]) + "查一下7栋1203欠了多少物业费",
                }
            ],
            "tools": [TOOL],
            "temperature": 0,
        },
        "json_schema, ~600-token prompt": lambda: {
            "messages": long_prompt(),
            "response_format": {
                "type": "json_schema",
                "json_schema": {"name": "d", "schema": SCHEMA},
            },
            "max_tokens": max_tokens,
            "temperature": 0,
        },
    }


def peak_rss_mb(pid: int) -> float:
    """Peak resident memory of a process in MB (VmHWM)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    """Start the endpoint, run each case N times, print medians."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--max-tokens", type=int, default=128)
    args = parser.parse_args()
    # Turn SIGTERM into SystemExit so the finally block stops the server we started.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    console = Console(width=130)
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(var_dir=Path(tmp), llm_base_url=f"http://127.0.0.1:{free_port()}/v1")
        started = time.perf_counter()
        process = ensure_endpoint(settings, timeout=180)
        startup = time.perf_counter() - started
        assert process is not None
        try:
            table = Table(
                title=f"Embedded LLM endpoint (ctx {settings.llm_ctx}, {settings.llm_threads} threads, medians of {args.runs})"
            )
            for col in (
                "case",
                "prompt tok",
                "gen tok",
                "first token s",
                "total s",
                "prompt tok/s",
                "gen tok/s",
            ):
                table.add_column(col, justify="right" if col != "case" else "left")
            for name, make in cases(args.max_tokens).items():
                runs = [timed_stream(settings.llm_base_url, make()) for _ in range(args.runs)]
                console.print(f"[dim]{name}: {runs}[/dim]")
                med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
                rates = [r["completion"] / (r["total"] - r["first"]) for r in runs if r["total"] - r["first"] > 0.05]
                gen_rate = f"{statistics.median(rates):.1f}" if rates else "n/a"
                prompt_rate = statistics.median(r["prompt"] / r["first"] for r in runs)
                table.add_row(
                    name,
                    f"{med['prompt']:.0f}",
                    f"{med['completion']:.0f}",
                    f"{med['first']:.2f}",
                    f"{med['total']:.2f}",
                    f"{prompt_rate:.0f}",
                    gen_rate,
                )
            console.print(table)
            load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
            console.print(f"machine load average (1/5/15 min) after the run: {load} on {os.cpu_count()} cores")
            console.print(
                f"startup (spawn → healthy): {startup:.1f} s; peak RSS of the server: {peak_rss_mb(process.pid):.0f} MB"
            )
            console.print("tool calls arrive whole, so their first-token time is the full latency (gen tok/s n/a)")
        finally:
            process.terminate()
            process.wait(timeout=30)


if __name__ == "__main__":
    main()
