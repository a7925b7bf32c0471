"""Workbench API latency: P50/P95 of the household view and the queue with many households and 20 clients.

Run: .venv/bin/python bench/api_latency.py [--households 100000] [--clients 20] [--requests 1000] [--workers 1]
The portfolio is generated once into var/bench/portfolio-<n>.sqlite and reused. The API runs under uvicorn on
loopback (a subprocess); the clients are httpx async connections in this process, each sending its next request
as soon as the previous one answered (closed loop). Targets: P95 < 50 ms (PRD: < 200 ms).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import time
from pathlib import Path

import httpx
from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def prepare(households: int, workdir: Path) -> str:
    """Generate (once) and migrate the portfolio, seed the demo users; return the database URL."""
    from app.services.users import seed_demo
    from data.db.session import init_db, make_session_factory
    from data.generator.generate import generate

    url = f"sqlite:///{workdir / f'portfolio-{households}.sqlite'}"
    engine = init_db(url)
    started = time.perf_counter()
    report = generate(engine, households, seed=7)
    if not report.skipped:
        print(f"generated {households} households in {time.perf_counter() - started:.0f} s")
    with make_session_factory(engine)() as session:
        seed_demo(session)
        session.commit()
    engine.dispose()
    return url


def household_keys(url: str, projects: set[str], limit: int = 5000) -> list[str]:
    """A sample of household keys in the given projects."""
    from sqlalchemy import select

    from data.db.models import Project, Unit
    from data.db.session import make_engine

    engine = make_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(
            select(Project.code, Unit.code).join(Project).where(Project.code.in_(projects)).limit(limit)
        ).all()
    engine.dispose()
    return [f"{p}/{u}" for p, u in rows]


async def load(base: str, token: str, paths: list[str], clients: int) -> tuple[list[float], float]:
    """Send every path with ``clients`` concurrent closed-loop clients; return latencies (ms) and wall time."""
    queue: asyncio.Queue[str] = asyncio.Queue()
    for p in paths:
        queue.put_nowait(p)
    latencies: list[float] = []
    headers = {"Authorization": f"Bearer {token}"}

    async def client(http: httpx.AsyncClient) -> None:
        while not queue.empty():
            path = queue.get_nowait()
            t0 = time.perf_counter()
            r = await http.get(path, headers=headers)
            latencies.append((time.perf_counter() - t0) * 1000)
            if r.status_code != 200:
                raise RuntimeError(f"{path}: {r.status_code} {r.text[:200]}")

    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as http:
        t0 = time.perf_counter()
        await asyncio.gather(*(client(http) for _ in range(clients)))
        wall = time.perf_counter() - t0
    return latencies, wall


def pct(values: list[float], q: float) -> float:
    """The q-th percentile (0–100)."""
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def main() -> int:
    """Prepare, start the API, warm up, measure, print the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--households", type=int, default=100_000)
    parser.add_argument("--clients", default="1,20", help="comma-separated client counts")
    parser.add_argument("--requests", type=int, default=1000, help="requests per endpoint")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--workdir", type=Path, default=ROOT / "var" / "bench")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    url = prepare(args.households, args.workdir)
    from app.run_all import api_command, start, stop, wait_healthy

    env = {**os.environ, "STEWARD_DATABASE_URL": url, "STEWARD_VAR_DIR": str(args.workdir / "api-var")}
    cmd = api_command(args.port) + (["--workers", str(args.workers)] if args.workers > 1 else [])
    procs = start([cmd], env=env, log_dir=args.workdir)
    base = f"http://127.0.0.1:{args.port}"
    try:
        wait_healthy(f"{base}/health", procs, timeout=120)
        token = httpx.post(f"{base}/auth/login", data={"username": "demo", "password": "steward-demo"}).json()[
            "access_token"
        ]
        rng = random.Random(1)
        keys = household_keys(url, {"BJ-PILOT", "SH-PD"})
        views = [f"/households/{rng.choice(keys)}" for _ in range(args.requests)]
        queues = [
            f"/queue?limit=50&offset={rng.randrange(0, 500)}"
            + rng.choice(["", "&project=BJ-PILOT", "&project=SH-PD", "&warning=red", "&stage=初级"])
            for _ in range(args.requests)
        ]
        t0 = time.perf_counter()
        # Warm each worker's queue cache (several connections so every worker gets some).
        asyncio.run(load(base, token, ["/queue"] * args.workers * 8 + views[:50], args.workers * 4))
        warm = time.perf_counter() - t0
        table = Table(
            title=f"API latency: {args.households:,} households, {args.workers} uvicorn worker(s), "
            f"load average {os.getloadavg()[0]:.1f} (warm-up {warm:.1f} s)"
        )
        for col in ("endpoint", "clients", "requests", "P50 ms", "P95 ms", "P99 ms", "req/s"):
            table.add_column(col, justify="right" if col != "endpoint" else "left")
        for clients in (int(c) for c in args.clients.split(",")):
            for name, paths in (("GET /households/{p}/{u}", views), ("GET /queue", queues)):
                lat, wall = asyncio.run(load(base, token, paths, clients))
                table.add_row(
                    name,
                    str(clients),
                    str(len(lat)),
                    f"{statistics.median(lat):.1f}",
                    f"{pct(lat, 95):.1f}",
                    f"{pct(lat, 99):.1f}",
                    f"{len(lat) / wall:.0f}",
                )
        Console().print(table)
    finally:
        stop(procs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
