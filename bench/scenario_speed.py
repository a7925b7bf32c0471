"""Speed of the sample-evidence writer: microseconds per build_scenario call, overall and per cause.

Run: .venv/bin/python bench/scenario_speed.py [--households 50000] [--repeats 5]
Causes and secondary causes are drawn from the realistic prior, as the portfolio generator does.
Times are process CPU time, so a busy machine inflates them less than wall time would.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

from rich.console import Console
from rich.table import Table

from data.generator.scenarios import CAUSE_IDS, build_scenario, pick_cause, pick_secondary

KW = {
    "owner_title": "王女士",
    "steward_title": "李管家",
    "unit_label": "4号楼1203",
    "building": "4号楼",
}


def time_mix(households: int, repeats: int) -> tuple[float, float, float]:
    """Median µs/call over the prior mix, plus mean chat lines and tickets per household."""
    rng = random.Random(0)
    causes = [pick_cause(rng) for _ in range(households)]
    pairs = [(c, pick_secondary(rng, c)) for c in causes]
    runs = []
    for _ in range(repeats):
        gen = random.Random(1)
        start = time.process_time()
        for cause, secondary in pairs:
            build_scenario(cause, gen, secondary_cause_id=secondary, **KW)
        runs.append((time.process_time() - start) / households * 1e6)
    gen = random.Random(1)
    sample = [build_scenario(c, gen, secondary_cause_id=s, **KW) for c, s in pairs[:5000]]
    chats = statistics.fmean(len(s.chats) for s in sample)
    tickets = statistics.fmean(len(s.tickets) for s in sample)
    return statistics.median(runs), chats, tickets


def time_cause(cause: str, n: int, repeats: int) -> float:
    """Median µs/call for one cause without a secondary."""
    runs = []
    for _ in range(repeats):
        gen = random.Random(2)
        start = time.process_time()
        for _ in range(n):
            build_scenario(cause, gen, **KW)
        runs.append((time.process_time() - start) / n * 1e6)
    return statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--households", type=int, default=50_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()

    mix, chats, tickets = time_mix(args.households, args.repeats)
    console = Console()
    summary = Table(title="build_scenario over the prior mix (median of repeats)")
    for col in ("households", "µs/call", "1M households (s)", "chat lines/hh", "tickets/hh"):
        summary.add_column(col, justify="right")
    summary.add_row(f"{args.households:,}", f"{mix:.1f}", f"{mix:.0f}", f"{chats:.1f}", f"{tickets:.2f}")
    console.print(summary)

    per_cause = Table(title="µs/call per cause (5,000 calls, median of repeats)")
    per_cause.add_column("cause")
    per_cause.add_column("µs/call", justify="right")
    for cause in CAUSE_IDS:
        per_cause.add_row(cause, f"{time_cause(cause, 5_000, args.repeats):.1f}")
    console.print(per_cause)


if __name__ == "__main__":
    main()
