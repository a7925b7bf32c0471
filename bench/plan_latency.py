"""One-click plan on the configured endpoint (embedded by default): wall time and tokens, median of N runs.

Usage: .venv/bin/python bench/plan_latency.py [--runs 5] [--household BJ-PILOT/4-1203] [--households 300]
Uses its own sample database under var/bench/plan so the workbench data is untouched.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from langgraph.checkpoint.memory import InMemorySaver
from rich.console import Console
from rich.table import Table

from agent.graph import build_graph
from agent.output import plan_result
from agent.runner import run_plan
from app.runtime import build_agent_runtime
from core.settings import PROJECT_ROOT, Settings, get_settings
from data.db.session import init_db
from data.generator.generate import generate


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--household", default="BJ-PILOT/4-1203")
    parser.add_argument("--households", type=int, default=300)
    args = parser.parse_args()
    base = get_settings()
    var = Path(PROJECT_ROOT / "var" / "bench" / "plan")
    settings = Settings(
        var_dir=var,
        models_dir=base.models_dir,
        llm_base_url=base.llm_base_url,
        llm_model=base.llm_model,
        llm_api_key=base.llm_api_key,
    )
    engine = init_db(settings.resolved_database_url)
    generate(engine, args.households, seed=7)
    engine.dispose()
    ctx = build_agent_runtime(settings).context(user="bench")
    graph = build_graph(checkpointer=InMemorySaver())
    rows, walls = [], []
    for n in range(args.runs):
        started = time.perf_counter()
        state = run_plan(graph, ctx, args.household)
        wall = time.perf_counter() - started
        walls.append(wall)
        usage = state.get("usage", [])
        result = plan_result(state, ctx.kb)
        rows.append(
            (
                n + 1,
                wall,
                sum(u["input_tokens"] for u in usage),
                sum(u["output_tokens"] for u in usage),
                len(usage),
                (result["diagnosis"]["primary_cause"] or {}).get("id"),
                result["validation"]["passed"],
            )
        )
    table = Table(title=f"One-click plan {args.household} on {settings.llm_base_url} ({settings.llm_model})")
    for col in ("run", "seconds", "tokens in", "tokens out", "model calls", "primary cause", "valid"):
        table.add_column(col)
    for r in rows:
        table.add_row(str(r[0]), f"{r[1]:.1f}", str(r[2]), str(r[3]), str(r[4]), str(r[5]), str(r[6]))
    table.add_row(
        "median",
        f"{statistics.median(walls):.1f}",
        str(statistics.median(r[2] for r in rows)),
        str(statistics.median(r[3] for r in rows)),
        "",
        "",
        "",
    )
    Console().print(table)
    last = rows[-1]
    print(f"median {statistics.median(walls):.1f}s; last run cause {last[5]}")
    print("per call (last run):", [(u["call"], u["seconds"], u["input_tokens"], u["output_tokens"]) for u in usage])


if __name__ == "__main__":
    main()
