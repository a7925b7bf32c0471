"""`make run`: make sure the embedded model answers, start the API and the workbench, print where to go."""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import httpx

from core.settings import PROJECT_ROOT

DEMO_LOGINS = (("demo", "管家，可见 BJ-PILOT、SH-PD"), ("manager", "经理，全部项目"), ("compliance", "合规审查"))


def api_command(port: int, host: str = "127.0.0.1") -> list[str]:
    """The uvicorn command of the API."""
    return [
        sys.executable,
        "-m",
        "uvicorn",
        "app.api.main:create_app",
        "--factory",
        "--host",
        host,
        "--port",
        str(port),
        "--log-level",
        "warning",
    ]


def workbench_command(port: int, host: str = "127.0.0.1") -> list[str]:
    """The `streamlit run` command of the workbench."""
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(PROJECT_ROOT / "app" / "workbench" / "main.py"),
        "--server.port",
        str(port),
        "--server.address",
        host,
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
    ]


PILOT = "BJ-PILOT/4-1203"
DRAFT_TOP = 3


def draft_command(top: int = DRAFT_TOP) -> list[str]:
    """The background drafting run: plans for the pilot and the top of today's queue, before anyone asks."""
    return [sys.executable, "-m", "app.cli.main", "batch", "run", "--draft-top", str(top), "--draft", PILOT, "--json"]


def start_drafting(top: int = DRAFT_TOP) -> subprocess.Popen[bytes]:
    """Start the background drafting run at a lower CPU priority; it logs to var/logs/draft.log."""
    from core.settings import get_settings

    log_path = get_settings().var_dir / "logs" / "draft.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("ab") as log:
        return subprocess.Popen(
            draft_command(top),
            cwd=PROJECT_ROOT,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            preexec_fn=lambda: os.nice(5),  # noqa: PLW1509 - the UI processes keep the CPU first
        )


def start(
    commands: Sequence[list[str]], env: dict[str, str] | None = None, log_dir: Path | None = None
) -> list[subprocess.Popen[bytes]]:
    """Start each command in the project folder; output goes to log_dir/<n>.log when given."""
    procs = []
    for n, cmd in enumerate(commands):
        out = (log_dir / f"service-{n}.log").open("ab") if log_dir else subprocess.DEVNULL
        procs.append(
            subprocess.Popen(
                cmd,
                cwd=PROJECT_ROOT,
                env=env or dict(os.environ),
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        )
    return procs


def wait_healthy(url: str, procs: Sequence[subprocess.Popen[bytes]], timeout: float = 90.0) -> None:
    """Poll ``url`` until it answers 200; RuntimeError when a process died or time ran out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if any(p.poll() is not None for p in procs):
            raise RuntimeError(f"服务启动失败（{url}），请查看日志")
        time.sleep(0.5)
    raise RuntimeError(f"服务在 {timeout:.0f} 秒内未就绪：{url}")


def stop(procs: Sequence[subprocess.Popen[bytes]]) -> None:
    """Terminate the processes we started, then kill any that linger."""
    for p in procs:
        if p.poll() is None:
            p.terminate()
    for p in procs:
        try:
            p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            p.kill()


def _ensure_llm() -> subprocess.Popen[bytes] | None:
    """Make sure the model answers; returns the server process when this run started it (ours to stop)."""
    from app.llm_server.lifecycle import ensure_endpoint
    from core.settings import get_settings

    print("正在检查内置大模型服务（首次启动约需 1 分钟）…", flush=True)
    try:
        started = ensure_endpoint(get_settings())
        print("大模型服务已就绪。", flush=True)
        return started
    except Exception as exc:  # the workbench still works without it, except for plan generation
        print(f"警告：大模型服务不可用，一键生成方案将失败：{exc}", flush=True)
        return None


def _port_in_use(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        return sock.connect_ex((host, port)) == 0


def _key_problem() -> str | None:
    """The keys-do-not-match message when the loaded keys cannot read the database (nothing starts then)."""
    from core.settings import get_settings
    from data.db.keycheck import KeyMismatchError
    from data.db.session import init_db

    try:
        init_db(get_settings().resolved_database_url).dispose()
    except KeyMismatchError as exc:
        return f"错误 / Error: {exc}"
    return None


def _idle(seconds: float) -> None:
    time.sleep(seconds)


def _raise_interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: Sequence[str] | None = None) -> int:
    """Start everything and wait for Ctrl+C."""
    parser = argparse.ArgumentParser(description="启动 Steward API 与管家工作台")
    parser.add_argument("--api-port", type=int, default=8000)
    parser.add_argument("--ui-port", type=int, default=8501)
    parser.add_argument("--skip-llm", action="store_true", help="不启动内置大模型服务")
    parser.add_argument(
        "--draft-top", type=int, default=DRAFT_TOP, help="启动后在后台为试点住户和队列前 N 户预生成方案（0 不预生成）"
    )
    args = parser.parse_args(argv)
    busy = [port for port in (args.api_port, args.ui_port) if _port_in_use(port)]
    if busy:
        print(f"错误：端口 {'、'.join(map(str, busy))} 已被占用（可能已有 Steward 在运行），请先停止或换端口。")
        return 1
    if (problem := _key_problem()) is not None:
        print(problem, flush=True)
        return 2
    # A terminating signal stops the children too, like Ctrl+C does.
    signal.signal(signal.SIGTERM, _raise_interrupt)
    model_server = None if args.skip_llm else _ensure_llm()
    procs = start([api_command(args.api_port), workbench_command(args.ui_port)])
    owned = [*procs, *([model_server] if model_server is not None else [])]
    try:
        wait_healthy(f"http://127.0.0.1:{args.api_port}/health", procs)
        wait_healthy(f"http://127.0.0.1:{args.ui_port}/_stcore/health", procs)
        print("\n✅ Steward 已启动", flush=True)
        print(f"  API 文档：     http://127.0.0.1:{args.api_port}/docs")
        print(f"  管家工作台：   http://127.0.0.1:{args.ui_port}")
        print("  演示账号（密码均为 steward-demo）：")
        for name, note in DEMO_LOGINS:
            print(f"    {name:<11}{note}")
        print(f"  试点住户：{PILOT}　　按 Ctrl+C 停止全部服务\n", flush=True)
        if not args.skip_llm and args.draft_top > 0:
            owned.append(start_drafting(args.draft_top))
            print(f"  后台正在为试点住户和今日队列前 {args.draft_top} 户预生成方案（日志 var/logs/draft.log）。\n")
        while all(p.poll() is None for p in procs):
            _idle(1.0)
        print("有服务意外退出，正在停止其余服务…")
        return 1
    except KeyboardInterrupt:
        print("\n正在停止…")
        return 0
    except RuntimeError as exc:
        print(f"错误：{exc}")
        return 1
    finally:
        stop(owned)  # the model server too, when this run started it; one that was already running stays


if __name__ == "__main__":
    raise SystemExit(main())
