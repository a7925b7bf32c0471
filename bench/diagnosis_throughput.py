"""Overnight diagnosis throughput against a zero-latency OpenAI-compatible stub: orchestration overhead only.

Run: .venv/bin/python bench/diagnosis_throughput.py [--households 200] [--concurrency 1,2,4] [--real-kb]
The stub answers every chat completion at once (no tool calls; schema-shaped JSON for structured output),
so the figure is the graph, evidence reads, redaction, retrieval, validation and persistence per household.
By default retrieval uses the lexical-only test knowledge base (tests/fakes.py LexicalKB); --real-kb loads
the embedding model. The embedded model's own throughput is measured separately.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
import threading
import time
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("OTEL_SDK_DISABLED", "true")  # no span exporter trying the network
AS_OF = date(2024, 9, 2)


def structured_answer(name: str, prompt: str) -> dict:
    """A valid object for the agent's structured-output schemas, built from the prompt."""
    if name == "Diagnosis":
        cause = re.search(r"^- ([a-z]+\.[a-z_]+)：", prompt, re.M)
        evid = re.search(r"\[((?:msg|ticket|claim|pay):[^\]]+)\]", prompt)
        cid = cause.group(1) if cause else "beh.forgetful"
        return {"cause": cid, "evidence": [evid.group(1)] if evid else ["bill"], "why": "依据证据判断。"}
    body = prompt.rsplit("</步骤>", 1)[0].rsplit("<步骤>", 1)[-1] if "</步骤>" in prompt else prompt
    seqs = [int(s) for s in re.findall(r"^(\d+)\. ", body, re.M)] or [1]
    key = "openings" if name == "StepOpenings" else "messages"
    return {key: [{"seq": s, "text": "您好，关于物业服务与费用事宜，我们将与您沟通。"} for s in seqs]}


class Stub(BaseHTTPRequestHandler):
    """POST /v1/chat/completions → an immediate answer."""

    def log_message(self, *_args: object) -> None:  # quiet
        return

    def do_GET(self) -> None:  # noqa: N802
        self._send({"status": "ok"})

    def do_POST(self) -> None:  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        prompt = "\n".join(str(m.get("content") or "") for m in body.get("messages", []))
        fmt = body.get("response_format") or {}
        if fmt.get("type") == "json_schema":
            content = json.dumps(structured_answer(fmt["json_schema"]["name"], prompt), ensure_ascii=False)
        else:
            content = "证据已读取"
        self._send(
            {
                "id": "stub",
                "object": "chat.completion",
                "created": 0,
                "model": body.get("model", "stub"),
                "choices": [
                    {"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": content}}
                ],
                "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
            }
        )

    def _send(self, data: dict) -> None:
        raw = json.dumps(data, ensure_ascii=False).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)


def main() -> None:
    from app.services.collections.batch import run_batch
    from app.services.collections.diagnosis import graph_diagnoser
    from core.settings import Settings
    from data.db.session import init_db
    from data.generator.generate import generate

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=200)
    parser.add_argument("--concurrency", default="1,2,4")
    parser.add_argument("--real-kb", action="store_true")
    args = parser.parse_args()
    console = Console()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Stub)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    work = Path(tempfile.mkdtemp(prefix="diag-bench-"))
    url = f"sqlite:///{work / 'p.db'}"
    engine = init_db(url)
    generate(engine, args.households, seed=7, as_of=AS_OF)
    settings = Settings(
        var_dir=work / "var",
        database_url=url,
        llm_model="stub",
        llm_base_url=f"http://127.0.0.1:{server.server_port}/v1",
    )
    kb = None
    if not args.real_kb:
        from evals.scripted import LexicalOnlyKB as LexicalKB

        kb = LexicalKB()
    run_batch(engine, var_dir=settings.var_dir, as_of=AS_OF, diagnose="none")  # scores and model first
    table = Table(title=f"Diagnosis throughput, zero-latency stub ({'real' if args.real_kb else 'lexical'} KB)")
    for col in ("concurrency", "households", "seconds", "households/s", "ms/household", "failed"):
        table.add_column(col, justify="right")
    for k in (int(c) for c in args.concurrency.split(",")):
        with graph_diagnoser(settings, AS_OF, kb=kb) as diagnose:
            t = time.perf_counter()
            s = run_batch(
                engine, var_dir=settings.var_dir, as_of=AS_OF, diagnose="all", concurrency=k, diagnoser=diagnose
            )
            secs = time.perf_counter() - t - s.seconds["score"]
        n = s.diagnosed + s.diagnosis_failed
        table.add_row(
            str(k),
            f"{n:,}",
            f"{secs:.1f}",
            f"{n / secs:.2f}",
            f"{secs / max(n, 1) * 1000:.0f}",
            str(s.diagnosis_failed),
        )
    console.print(table)
    server.shutdown()


if __name__ == "__main__":
    main()
