"""Login and bill-page latency of a real API process while plan generations keep its slots busy.

`python -m tests.support.login_load --database-url URL --var-dir DIR [--plans 4] [--delay 0.5] [--samples 40]`
starts the API as its own uvicorn process (the scripted model, every call ``--delay`` seconds slower, like a busy
model server), plans once (a warm server), then keeps ``--plans`` generations running (the SSE stream as the
workbench shows progress, and the JSON endpoint) while one client logs in again and again and another opens the
owner's bill page. It prints one JSON object: the latencies in ms, the answer to one generation more than the
slots allow, the plan outcomes, the load average and the server's nice value.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import threading
import time
from pathlib import Path

import httpx

PASSWORD = "steward-demo"
HOUSEHOLD = "/households/BJ-PILOT/4-1203"


def free_port() -> int:
    """A free loopback port."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def p95(values: list[float]) -> float:
    """The 95th percentile (inclusive method)."""
    return statistics.quantiles(values, n=100, method="inclusive")[94]


def _token(http: httpx.Client, user: str = "demo") -> str:
    r = http.post("/auth/login", data={"username": user, "password": PASSWORD})
    r.raise_for_status()
    return r.json()["access_token"]


class PlanWorker(threading.Thread):
    """Generates plans one after another until told to stop; the first run streams, then they alternate."""

    def __init__(self, base: str, headers: dict[str, str], stop: threading.Event) -> None:
        super().__init__(daemon=True)
        self.base, self.headers, self.stop = base, headers, stop
        self.in_flight = threading.Event()
        """Set once the first run holds its slot (the stream answered 200)."""
        self.outcomes: list[str] = []

    def _stream(self, http: httpx.Client) -> str:
        with http.stream("POST", f"{HOUSEHOLD}/plans/stream", headers=self.headers) as r:
            if r.status_code != 200:
                return f"stream {r.status_code}"
            self.in_flight.set()
            event = ""
            for line in r.iter_lines():
                if line.startswith("event: "):
                    event = line[7:]
                    if event in ("result", "error"):
                        return f"stream {event}"
            return "stream ended without a result"

    def _post(self, http: httpx.Client) -> str:
        r = http.post(f"{HOUSEHOLD}/plans", headers=self.headers)
        return f"post {r.status_code}"

    def run(self) -> None:
        with httpx.Client(base_url=self.base, timeout=120) as http:
            n = 0
            while not self.stop.is_set():
                try:
                    self.outcomes.append(self._stream(http) if n % 2 == 0 else self._post(http))
                except httpx.HTTPError as exc:
                    self.outcomes.append(f"error {type(exc).__name__}")
                finally:
                    self.in_flight.set()
                n += 1


def _timed(call, times: int) -> list[float]:  # noqa: ANN001
    out = []
    for _ in range(times):
        started = time.perf_counter()
        assert call().status_code == 200
        out.append((time.perf_counter() - started) * 1000)
    return out


def measure(base: str, *, plans: int, samples: int) -> dict:
    """Run the load against a running API (``plans`` slots) and return the measurements."""
    with httpx.Client(base_url=base, timeout=60) as http:
        headers = {"Authorization": f"Bearer {_token(http)}"}
        warm = http.post(f"{HOUSEHOLD}/plans", headers=headers)
        assert warm.status_code == 200, warm.text  # a server that has planned before
        link = http.post(f"{HOUSEHOLD}/bill-link", headers=headers)
        link.raise_for_status()
        bill_path = httpx.URL(link.json()["url"]).path
        idle_login = _timed(lambda: http.post("/auth/login", data={"username": "manager", "password": PASSWORD}), 10)

    stop = threading.Event()
    workers = [PlanWorker(base, headers, stop) for _ in range(plans)]
    for w in workers:
        w.start()
    for w in workers:
        w.in_flight.wait(60)
    with httpx.Client(base_url=base, timeout=60) as http:
        extra = http.post(f"{HOUSEHOLD}/plans", headers=headers)
    busy = {"status": extra.status_code, "retry_after": extra.headers.get("Retry-After"), "detail": extra.text[:200]}

    logins: list[float] = []
    bills: list[float] = []
    errors: list[str] = []
    started = time.perf_counter()
    with httpx.Client(base_url=base, timeout=60) as http:
        form = {"username": "manager", "password": PASSWORD}
        calls = ((logins, lambda: http.post("/auth/login", data=form)), (bills, lambda: http.get(bill_path)))
        try:
            while min(len(logins), len(bills)) < samples:  # one client: log in, open the bill page, again
                for out, call in calls:
                    t0 = time.perf_counter()
                    status = call().status_code
                    out.append((time.perf_counter() - t0) * 1000)
                    if status != 200:
                        raise RuntimeError(f"unexpected status {status}")
        except Exception as exc:  # reported in the result
            errors.append(str(exc))
    seconds = time.perf_counter() - started
    stop.set()
    for w in workers:
        w.join(120)
    return {
        "idle_login_ms": idle_login,
        "login_ms": logins,
        "bill_ms": bills,
        "busy": busy,
        "plan_outcomes": [o for w in workers for o in w.outcomes],
        "errors": errors,
        "seconds": seconds,
    }


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a process has used so far (Linux /proc; 0.0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run(database_url: str, var_dir: Path, *, plans: int, delay: float, samples: int, log_dir: Path) -> dict:
    """Start the API (scripted model with ``delay``) on a free port, measure, stop it."""
    from app.run_all import api_command, start, stop, wait_healthy
    from tests.support.scripted_host import scripted

    port = free_port()
    env = {
        **os.environ,
        "STEWARD_DATABASE_URL": database_url,
        "STEWARD_VAR_DIR": str(var_dir),
        "STEWARD_MAX_CONCURRENT_PLANS": str(plans),
        "STEWARD_BILL_LINK_LIMIT": "100000/minute",
    }
    procs = start([scripted(api_command(port), delay=delay)], env=env, log_dir=log_dir)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_healthy(f"{base}/health", procs, timeout=180)
        cpu_before = _cpu_seconds(procs[0].pid)
        result = measure(base, plans=plans, samples=samples)
        result["server_cpu_s"] = _cpu_seconds(procs[0].pid) - cpu_before
        result["server_nice"] = os.getpriority(os.PRIO_PROCESS, procs[0].pid)
    finally:
        stop(procs)
    result["loadavg"] = list(os.getloadavg())
    result["delay_s"] = delay
    result["plans"] = plans
    return result


def main() -> None:
    """Parse the arguments, measure once, print JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--var-dir", type=Path, required=True)
    parser.add_argument("--plans", type=int, default=4)
    parser.add_argument("--delay", type=float, default=0.5)
    parser.add_argument("--samples", type=int, default=40)
    parser.add_argument("--log-dir", type=Path, default=None)
    args = parser.parse_args()
    log_dir = args.log_dir or args.var_dir
    log_dir.mkdir(parents=True, exist_ok=True)
    result = run(
        args.database_url, args.var_dir, plans=args.plans, delay=args.delay, samples=args.samples, log_dir=log_dir
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
