"""Deterministic overnight batch (scores, stages, strategy, queue) at 10k / 100k / 1M households.

Run: .venv/bin/python bench/batch_speed.py [--sizes 10000,100000] [--repeats 3] [--workdir var/bench]
Portfolios are generated once per size into <workdir>/portfolio-<n>.db (SQLite) and reused; each batch
run happens in a fresh subprocess so that its peak memory (max RSS) is its own. The risk model is
trained once per size beforehand (training time is reported apart). 1M households: add 1000000 to
--sizes (generation alone takes about 20 minutes on 2 cores).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
AS_OF = "2024-09-02"

CHILD = """
import json, resource, sys, time
from datetime import date, datetime
from pathlib import Path
from data.db.session import init_db
from app.services.collections.batch import run_batch
url, var_dir, chunk = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
engine = init_db(url)
t = time.perf_counter()
s = run_batch(engine, var_dir=var_dir, as_of=date(2024, 9, 2), diagnose="none", chunk=chunk)
wall = time.perf_counter() - t
print(json.dumps({"wall": wall, "score": s.seconds["score"], "households": s.households, "queued": s.queued,
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def ensure_portfolio(workdir: Path, n: int, console: Console) -> tuple[str, float | None]:
    """Generate the portfolio once; return its URL and the generation time (None when reused)."""
    from datetime import date

    from data.db.session import init_db
    from data.generator.generate import generate

    path = workdir / f"portfolio-{n}.db"
    url = f"sqlite:///{path}"
    if path.exists():
        return url, None
    console.print(f"generating {n:,} households into {path} …")
    t = time.perf_counter()
    engine = init_db(url)
    generate(engine, n, seed=7, as_of=date.fromisoformat(AS_OF), chunk=5000)
    engine.dispose()
    return url, time.perf_counter() - t


def train(url: str, var_dir: Path) -> tuple[float | None, dict]:
    """Train the risk model for this portfolio once; (seconds or None when cached, metadata)."""
    from datetime import date

    from app.services.collections import risk_store
    from data.db.session import make_engine

    if risk_store.model_path(var_dir).exists():
        return None, risk_store.load(var_dir).metadata
    t = time.perf_counter()
    model = risk_store.train(make_engine(url), var_dir, date.fromisoformat(AS_OF))
    return time.perf_counter() - t, model.metadata


def one_run(url: str, var_dir: Path, chunk: int) -> dict:
    """One batch in a fresh interpreter."""
    out = subprocess.run(
        [sys.executable, "-c", CHILD, url, str(var_dir), str(chunk)],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--chunk", type=int, default=50_000)
    parser.add_argument("--workdir", type=Path, default=ROOT / "var" / "bench")
    args = parser.parse_args()
    console = Console()
    args.workdir.mkdir(parents=True, exist_ok=True)
    table = Table(title="Deterministic batch (SQLite, medians)")
    for col in (
        "households",
        "generate s",
        "train s",
        "AUC",
        "batch s",
        "score s",
        "µs/household",
        "peak RSS MB",
        "queued",
    ):
        table.add_column(col, justify="right")
    for n in (int(s) for s in args.sizes.split(",")):
        url, gen_s = ensure_portfolio(args.workdir, n, console)
        var_dir = args.workdir / f"var-{n}"
        train_s, meta = train(url, var_dir)
        runs = [one_run(url, var_dir, args.chunk) for _ in range(args.repeats)]
        wall = statistics.median(r["wall"] for r in runs)
        table.add_row(
            f"{n:,}",
            f"{gen_s:.0f}" if gen_s else "cached",
            f"{train_s:.1f}" if train_s else "cached",
            f"{meta['auc']:.3f}",
            f"{wall:.1f}",
            f"{statistics.median(r['score'] for r in runs):.1f}",
            f"{wall / n * 1e6:.0f}",
            f"{max(r['rss_mb'] for r in runs):.0f}",
            f"{runs[0]['queued']:,}",
        )
        console.print(table)


if __name__ == "__main__":
    main()
