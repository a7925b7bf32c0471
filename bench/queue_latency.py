"""Queue latency: the workbench's daily-queue reads against household_scores (median and P95, ms).

Run: .venv/bin/python bench/queue_latency.py [--households 100000] [--repeats 30] [--workdir var/bench]
Reuses (or generates) the portfolio of bench/batch_speed.py and scores it once if needed.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import date
from pathlib import Path

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

AS_OF = date(2024, 9, 2)


def timings(fn, repeats: int) -> tuple[float, float, int]:  # noqa: ANN001
    """(median ms, P95 ms, entries) of ``fn``."""
    fn()  # warm caches
    runs, n = [], 0
    for _ in range(repeats):
        t = time.perf_counter()
        n = len(fn())
        runs.append((time.perf_counter() - t) * 1000)
    runs.sort()
    return statistics.median(runs), runs[min(len(runs) - 1, int(0.95 * len(runs)))], n


def main() -> None:
    from batch_speed import ensure_portfolio

    from app.services.collections.queue_service import daily_queue, ensure_scores
    from data.db.session import init_db

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--workdir", type=Path, default=ROOT / "var" / "bench")
    args = parser.parse_args()
    console = Console()
    args.workdir.mkdir(parents=True, exist_ok=True)
    url, _ = ensure_portfolio(args.workdir, args.households, console)
    engine = init_db(url)
    ensure_scores(engine, AS_OF, args.workdir / f"var-{args.households}")
    cases = {
        "one project, top 50": lambda: daily_queue(engine, AS_OF, project="BJ-CY", limit=50),
        "all projects, top 50": lambda: daily_queue(engine, AS_OF, limit=50),
        "one project, full queue": lambda: daily_queue(engine, AS_OF, project="BJ-CY"),
        "all projects, full queue": lambda: daily_queue(engine, AS_OF),
    }
    table = Table(title=f"Queue latency, {args.households:,} households (SQLite, {args.repeats} runs)")
    for col in ("query", "median ms", "P95 ms", "entries"):
        table.add_column(col, justify="right")
    for name, fn in cases.items():
        med, p95, n = timings(fn, args.repeats)
        table.add_row(name, f"{med:.1f}", f"{p95:.1f}", f"{n:,}")
    console.print(table)


if __name__ == "__main__":
    main()
