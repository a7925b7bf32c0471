"""Load and soak: the deterministic batch in a loop plus 20 workbench-like API clients, on loopback, for N minutes.

Run: .venv/bin/python bench/soak.py [--minutes 10] [--households 20000] [--clients 20]
The portfolio is generated once into var/bench/soak-<n>.sqlite (users seeded). The API runs under uvicorn on
127.0.0.1 (a subprocess); `steward batch run --diagnose none` runs back to back in another subprocess against the
same database. Each client loops over a workbench-like mix (queue page, household view, evidence, plans, reports,
a logged contact attempt). Prints errors (any non-2xx, with its status), request counts, P50/P95 per endpoint and the API process's RSS at the
start, middle and end of the run, every 30 s, and its slope over the second half.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

import httpx
from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.api_latency import household_keys, pct  # noqa: E402


def prepare(households: int, workdir: Path) -> str:
    """Generate (once) the soak portfolio and seed the demo users; return its URL."""
    from app.services.users import seed_demo
    from core.crypto.cipher import cipher
    from data.db.session import init_db, make_session_factory
    from data.generator.generate import generate

    cipher()  # resolve the field keys now, so the API and batch children open the same key file
    url = f"sqlite:///{workdir / f'soak-{households}.sqlite'}"
    engine = init_db(url)
    generate(engine, households, seed=7)
    with make_session_factory(engine)() as session:
        seed_demo(session)
        session.commit()
    engine.dispose()
    return url


def rss_mb(pid: int) -> float:
    """Resident set size of a process in MB (from /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def requests_for(key: str, rng: random.Random) -> list[tuple[str, str, str, dict | None]]:
    """One workbench visit: (label, method, path, json body)."""
    visit = [
        ("GET /queue", "GET", f"/queue?limit=50&offset={rng.randrange(0, 300)}", None),
        ("GET /households/{k}", "GET", f"/households/{key}", None),
        ("GET /households/{k}/evidence", "GET", f"/households/{key}/evidence", None),
        ("GET /households/{k}/plans", "GET", f"/households/{key}/plans", None),
    ]
    if rng.random() < 0.2:
        visit.append(("GET /reports/aging", "GET", "/reports/aging", None))
    if rng.random() < 0.1:
        visit.append(
            (
                "POST contact-attempts",
                "POST",
                f"/households/{key}/contact-attempts",
                {"channel": "phone", "outcome": "no_answer", "text": ""},
            )
        )
    return visit


async def clients_loop(
    base: str,
    token: str,
    keys: list[str],
    clients: int,
    until: float,
    stats: dict[str, list[float]],
    errors: dict[str, int],
) -> None:
    """Closed-loop clients until the deadline."""
    headers = {"Authorization": f"Bearer {token}"}

    async def client(n: int, http: httpx.AsyncClient) -> None:
        rng = random.Random(n)
        while time.monotonic() < until:
            for label, method, path, body in requests_for(rng.choice(keys), rng):
                t0 = time.perf_counter()
                try:
                    r = await http.request(method, path, headers=headers, json=body)
                    status = str(r.status_code)
                except httpx.HTTPError as exc:
                    status = type(exc).__name__
                stats[label].append((time.perf_counter() - t0) * 1000)
                if not status.startswith("2"):
                    errors[f"{label} → {status}"] += 1

    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as http:
        await asyncio.gather(*(client(n, http) for n in range(clients)))


def batch_loop(url: str, until: float, env: dict, durations: list[float], failures: list[str]) -> None:
    """Run the deterministic batch back to back until the deadline (runs in a thread)."""
    while time.monotonic() < until:
        t0 = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "app.cli.main", "batch", "run", "--diagnose", "none", "--database-url", url],
            env=env,
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
        durations.append(time.perf_counter() - t0)
        if done.returncode != 0:
            failures.append(done.stderr[-300:])


async def sample_rss(
    pid: int,
    start: float,
    minutes: float,
    samples: dict[str, float],
    series: list[tuple[float, float]],
    every: float = 30.0,
) -> None:
    """RSS at start and middle, plus a sample every ``every`` seconds (minute, MB) until the deadline."""
    samples["start"] = rss_mb(pid)
    series.append((0.0, samples["start"]))
    middle_at = start + minutes * 30
    while (now := time.monotonic()) < start + minutes * 60:
        await asyncio.sleep(min(every, max(0.0, start + minutes * 60 - now)))
        series.append(((time.monotonic() - start) / 60, rss_mb(pid)))
        if "middle" not in samples and time.monotonic() >= middle_at:
            samples["middle"] = series[-1][1]


def second_half_slope(series: list[tuple[float, float]]) -> float:
    """Least-squares RSS slope (MB per minute) over the second half of the run; ~0 means flat."""
    if not series:
        return float("nan")
    half = series[-1][0] / 2
    points = [(t, m) for t, m in series if t >= half]
    if len(points) < 2:
        return float("nan")
    mt = statistics.fmean(t for t, _ in points)
    mm = statistics.fmean(m for _, m in points)
    var = sum((t - mt) ** 2 for t, _ in points)
    return sum((t - mt) * (m - mm) for t, m in points) / var if var else float("nan")


def report(
    stats: dict[str, list[float]],
    errors: dict[str, int],
    rss: dict[str, float],
    batches: list[float],
    batch_failures: list[str],
    minutes: float,
    households: int,
    clients: int,
    series: list[tuple[float, float]] | None = None,
) -> None:
    """Print the result table."""
    table = Table(
        title=f"Soak: {minutes:g} min, {households:,} households, {clients} clients + batch loop, "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    for col in ("endpoint", "requests", "errors", "P50 ms", "P95 ms"):
        table.add_column(col, justify="left" if col == "endpoint" else "right")
    every: list[float] = []
    for label in sorted(stats):
        lat = stats[label]
        every += lat
        failed = sum(n for key, n in errors.items() if key.startswith(label + " → "))
        table.add_row(
            label,
            f"{len(lat):,}",
            str(failed),
            f"{statistics.median(lat):.1f}",
            f"{pct(lat, 95):.1f}" if len(lat) > 1 else "-",
        )
    table.add_row(
        "[bold]all[/bold]",
        f"{len(every):,}",
        str(sum(errors.values())),
        f"{statistics.median(every):.1f}",
        f"{pct(every, 95):.1f}",
    )
    Console().print(table)
    for key, n in sorted(errors.items()):
        Console().print(f"non-2xx: {key}: {n}")
    side = Table(title="API process and batch")
    for col in ("measure", "value"):
        side.add_column(col)
    for name in ("start", "middle", "end"):
        side.add_row(f"RSS {name} (MB)", f"{rss.get(name, float('nan')):.0f}")
    if series:
        side.add_row("RSS max (MB)", f"{max(m for _, m in series):.0f}")
        side.add_row("RSS slope, second half (MB/min)", f"{second_half_slope(series):+.1f}")
        side.add_row("RSS every 30 s (MB)", " ".join(f"{m:.0f}" for _, m in series))
    side.add_row("batch runs (completed / failed)", f"{len(batches)} / {len(batch_failures)}")
    if batches:
        side.add_row("batch run median (s)", f"{statistics.median(batches):.1f}")
    Console().print(side)
    for failure in batch_failures[:3]:
        Console().print(f"[red]batch failure:[/red] {failure}")


def main() -> int:
    """Prepare, start the API, run the soak, print the tables."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--minutes", type=float, default=10.0, help="soak duration (bounded)")
    parser.add_argument("--households", type=int, default=20_000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--port", type=int, default=8767)
    parser.add_argument("--workdir", type=Path, default=ROOT / "var" / "bench")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    url = prepare(args.households, args.workdir)
    from concurrent.futures import ThreadPoolExecutor

    from app.run_all import api_command, start, stop, wait_healthy

    env = {**os.environ, "STEWARD_DATABASE_URL": url, "STEWARD_VAR_DIR": str(args.workdir / "soak-var")}
    procs = start([api_command(args.port)], env=env, log_dir=args.workdir)
    base = f"http://127.0.0.1:{args.port}"
    stats: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)
    rss: dict[str, float] = {}
    series: list[tuple[float, float]] = []
    batches: list[float] = []
    batch_failures: list[str] = []
    try:
        wait_healthy(f"{base}/health", procs, timeout=120)
        token = httpx.post(
            f"{base}/auth/login", data={"username": "demo", "password": "steward-demo"}, timeout=60
        ).json()["access_token"]
        keys = household_keys(url, {"BJ-PILOT", "SH-PD"})
        httpx.get(f"{base}/queue", headers={"Authorization": f"Bearer {token}"}, timeout=120)  # warm the cache
        start_at = time.monotonic()
        until = start_at + args.minutes * 60
        with ThreadPoolExecutor(1) as pool:
            batch = pool.submit(batch_loop, url, until, env, batches, batch_failures)

            async def run() -> None:
                await asyncio.gather(
                    sample_rss(procs[0].pid, start_at, args.minutes, rss, series),
                    clients_loop(base, token, keys, args.clients, until, stats, errors),
                )

            asyncio.run(run())
            rss["end"] = rss_mb(procs[0].pid)
            batch.result()
        report(stats, errors, rss, batches, batch_failures, args.minutes, args.households, args.clients, series)
    finally:
        stop(procs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
