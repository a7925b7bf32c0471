"""One-click plan latency on the embedded model: cold (fresh server) and warm, per call and until each thing shows.

Usage: .venv/bin/python bench/plan_latency.py [--runs 5] [--households 300] [--no-cold]

Cold: a new model server on a free port, its prompt cache warmed as a starting service does, then the pilot
household (BJ-PILOT/4-1203). Warm: the same server, then ``--runs`` other households, each once (their prompts
differ, as in real use). For every run: seconds until the candidate causes, the diagnosis and the whole plan are
there, and per model call the prompt tokens, those served from the server's cache, generated tokens, and prefill
and decode seconds. Uses its own sample database under var/bench/plan. Run it on a quiet machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import threading
import time
from pathlib import Path

from langgraph.checkpoint.memory import InMemorySaver
from rich.console import Console
from rich.table import Table

from agent.graph import build_graph
from agent.output import plan_result
from agent.runner import run_plan
from app.llm_server.server import free_port
from app.runtime import build_agent_runtime
from core.settings import PROJECT_ROOT, Settings, get_settings
from data.db.session import init_db
from data.generator.generate import generate

PILOT = "BJ-PILOT/4-1203"


def households(settings: Settings, count: int) -> list[str]:
    """Households with arrears other than the pilot, spread over projects, in a fixed order."""
    from sqlalchemy import text

    engine = init_db(settings.resolved_database_url)
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT p.code || '/' || u.code FROM units u JOIN projects p ON p.id = u.project_id "
                "WHERE EXISTS (SELECT 1 FROM chat_messages c WHERE c.unit_id = u.id) ORDER BY u.id"
            )
        ).scalars()
        keys = [k for k in rows if k != PILOT]
    engine.dispose()
    step = max(1, len(keys) // max(count, 1))
    return keys[::step][:count]


def one_run(graph, ctx, household: str) -> dict:  # noqa: ANN001
    started = time.perf_counter()
    seen: dict[str, float] = {}

    def on_early(kind: str, _data: dict) -> None:
        seen.setdefault(kind, time.perf_counter() - started)

    state = run_plan(graph, ctx, household, on_early=on_early)
    total = time.perf_counter() - started
    result = plan_result(state, ctx.kb)
    return {
        "household": household,
        "candidates_s": seen.get("candidates"),
        "diagnosis_s": seen.get("diagnosis"),
        "total_s": total,
        "calls": state.get("usage", []),
        "cause": (result["diagnosis"]["primary_cause"] or {}).get("id"),
        "valid": result["validation"]["passed"],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5, help="warm runs, one household each")
    parser.add_argument("--households", type=int, default=300, help="size of the bench portfolio")
    parser.add_argument("--no-cold", action="store_true", help="use the configured (running) server only")
    args = parser.parse_args()
    base = get_settings()
    port = None if args.no_cold else free_port()
    settings = Settings(
        var_dir=Path(PROJECT_ROOT / "var" / "bench" / "plan"),
        models_dir=base.models_dir,
        llm_base_url=base.llm_base_url if port is None else f"http://127.0.0.1:{port}/v1",
        llm_model=base.llm_model,
        llm_api_key=base.llm_api_key,
        llm_timeout=600,
    )
    engine = init_db(settings.resolved_database_url)
    generate(engine, args.households, seed=7)
    engine.dispose()
    from app.llm_server.lifecycle import ensure_endpoint

    started = time.perf_counter()
    server = ensure_endpoint(settings)  # a fresh server on its own port (None: the configured one answers)
    ready = time.perf_counter() - started
    ctx = build_agent_runtime(settings).context(user="bench")  # warms the prompt cache, as a starting service does
    warmer = next((t for t in threading.enumerate() if t.name == "prompt-cache-warmup"), None)
    if warmer:
        warmer.join()
    warmed = time.perf_counter() - started
    graph = build_graph(checkpointer=InMemorySaver())
    runs = [] if args.no_cold else [{"kind": "cold", **one_run(graph, ctx, PILOT)}]
    for key in households(settings, args.runs):
        runs.append({"kind": "warm", **one_run(graph, ctx, key)})
    load = os.getloadavg()

    console = Console(width=220)
    table = Table(title=f"One-click plan on {settings.llm_base_url} ({settings.llm_model})")
    for col in (
        "run",
        "household",
        "candidates s",
        "diagnosis s",
        "plan s",
        "calls: prompt/cached/out tokens · prefill+decode s",
        "cause",
        "valid",
    ):
        table.add_column(col)
    for r in runs:
        calls = "; ".join(
            f"{c['call']} {c['input_tokens']}/{c.get('cached_tokens', 0)}/{c['output_tokens']}"
            f" · {c.get('prefill_s', '-')}+{c.get('decode_s', '-')}"
            for c in r["calls"]
        )
        table.add_row(
            r["kind"],
            r["household"],
            f"{r['candidates_s']:.1f}",
            f"{r['diagnosis_s']:.1f}",
            f"{r['total_s']:.1f}",
            calls,
            str(r["cause"]),
            str(r["valid"]),
        )
    warm = [r for r in runs if r["kind"] == "warm"]
    if warm:
        table.add_row(
            "warm median",
            f"{len(warm)} households",
            f"{statistics.median(r['candidates_s'] for r in warm):.1f}",
            f"{statistics.median(r['diagnosis_s'] for r in warm):.1f}",
            f"{statistics.median(r['total_s'] for r in warm):.1f}",
            f"prompt {statistics.median(sum(c['input_tokens'] for c in r['calls']) for r in warm):.0f}, "
            f"cached {statistics.median(sum(c.get('cached_tokens', 0) for c in r['calls']) for r in warm):.0f}, "
            f"out {statistics.median(sum(c['output_tokens'] for c in r['calls']) for r in warm):.0f}",
            "",
            "",
        )
    console.print(table)
    how = "started for this bench" if server else "already running"
    print(f"server {how}: ready after {ready:.1f}s, prompt cache warmed after {warmed:.1f}s")
    print(f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    if server:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
