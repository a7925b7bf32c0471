"""Login and bill-page latency while plan generations fill every slot of a real API process.

Run: .venv/bin/python bench/login_under_load.py [--runs 5] [--plans 4] [--delay 0.5] [--samples 40] [--database-url URL]
Each run starts the API as its own uvicorn process with the test suite's scripted model (every model call --delay
seconds slower, like a busy model server; the model's own CPU is not part of this measurement), plans once, then
keeps --plans generations running while one client logs in and opens the owner's bill page --samples times each
(the probe is `python -m tests.support.login_load`, the same one tests/api/test_finding10_load.py asserts on).
The portfolio is generated once into var/bench/login-load.sqlite (or pass a PostgreSQL URL). Target: P95 < 200 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def p95(values: list[float]) -> float:
    """The 95th percentile (inclusive method)."""
    return statistics.quantiles(values, n=100, method="inclusive")[94]


def template(workdir: Path) -> Path:
    """A 120-household portfolio with the demo users, generated once."""
    path = workdir / "login-load.sqlite"
    if not path.exists():
        from app.services.users import seed_demo
        from data.db.session import init_db, make_session_factory
        from data.generator.generate import generate

        engine = init_db(f"sqlite:///{path}")
        generate(engine, 120, seed=11)
        with make_session_factory(engine)() as session:
            seed_demo(session)
            session.commit()
        engine.dispose()
    return path


def one_run(url: str | None, tpl: Path, args: argparse.Namespace) -> dict:
    """One measurement in a fresh copy of the portfolio (SQLite) or the given database."""
    with tempfile.TemporaryDirectory(prefix="login-load-") as tmp:
        if url is None:
            shutil.copy(tpl, Path(tmp) / "p.db")
            url = f"sqlite:///{Path(tmp) / 'p.db'}"
        command = [sys.executable, "-m", "tests.support.login_load", "--database-url", url, "--var-dir", tmp]
        command += ["--plans", str(args.plans), "--delay", str(args.delay), "--samples", str(args.samples)]
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, env=env, check=False)
        if done.returncode != 0:
            raise RuntimeError(done.stderr[-2000:])
        return json.loads(done.stdout)


def main() -> int:
    """Measure --runs times and print one row per run."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--plans", type=int, default=4)
    parser.add_argument("--delay", type=float, default=0.5)
    parser.add_argument("--samples", type=int, default=40)
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite copy per run")
    parser.add_argument("--workdir", type=Path, default=ROOT / "var" / "bench")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    tpl = template(args.workdir)
    table = Table(
        title=f"Login and bill page while {args.plans} plans run (model call +{args.delay} s), "
        f"{os.cpu_count()} cores, {args.samples} requests each"
    )
    cols = (
        "run",
        "idle login P50",
        "login P50",
        "login P95",
        "bill P50",
        "bill P95",
        "5th plan",
        "plans",
        "load 1 min",
    )
    for col in cols:
        table.add_column(col, justify="right")
    for n in range(1, args.runs + 1):
        r = one_run(args.database_url, tpl, args)
        table.add_row(
            str(n),
            f"{statistics.median(r['idle_login_ms']):.0f} ms",
            f"{statistics.median(r['login_ms']):.0f} ms",
            f"{p95(r['login_ms']):.0f} ms",
            f"{statistics.median(r['bill_ms']):.0f} ms",
            f"{p95(r['bill_ms']):.0f} ms",
            f"{r['busy']['status']}, {r['busy']['retry_after']} s",
            str(len(r["plan_outcomes"])),
            f"{r['loadavg'][0]:.2f}",
        )
    Console(width=150).print(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
