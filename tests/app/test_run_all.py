"""`make run`: Ctrl+C stops every service this run started, the embedded model server included."""

from __future__ import annotations

import subprocess
import sys

import pytest

from app import run_all


def _sleeper() -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])


@pytest.fixture
def free_ports(monkeypatch):
    monkeypatch.setattr(run_all, "_port_in_use", lambda *_a, **_k: False)
    monkeypatch.setattr(run_all.signal, "signal", lambda *_a: None)  # keep pytest's own SIGTERM handling


def test_when_ctrl_c_stops_make_run_then_the_model_server_it_started_stops_too(monkeypatch, free_ports):
    model, services = _sleeper(), [_sleeper(), _sleeper()]
    monkeypatch.setattr(run_all, "_ensure_llm", lambda: model)
    monkeypatch.setattr(run_all, "start", lambda _commands: services)

    def interrupted(*_args, **_kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(run_all, "wait_healthy", interrupted)
    assert run_all.main(["--api-port", "18000", "--ui-port", "18501"]) == 0
    for proc in (model, *services):
        assert proc.wait(timeout=15) is not None


def test_when_the_model_server_was_already_running_then_make_run_leaves_it_running(monkeypatch, free_ports):
    other = _sleeper()  # stands for a server someone else started: ensure_endpoint returns None for it
    services = [_sleeper()]
    monkeypatch.setattr(run_all, "_ensure_llm", lambda: None)
    monkeypatch.setattr(run_all, "start", lambda _commands: services)
    monkeypatch.setattr(run_all, "wait_healthy", lambda *_a, **_k: (_ for _ in ()).throw(KeyboardInterrupt()))
    try:
        assert run_all.main(["--api-port", "18000", "--ui-port", "18501"]) == 0
        assert services[0].wait(timeout=15) is not None
        assert other.poll() is None
    finally:
        other.kill()
        other.wait()


def test_when_services_are_up_then_the_pilot_and_the_queue_top_are_drafted_in_the_background_until_ctrl_c(
    monkeypatch, free_ports
):
    services, drafting, started = [_sleeper(), _sleeper()], _sleeper(), []
    monkeypatch.setattr(run_all, "_ensure_llm", lambda: None)
    monkeypatch.setattr(run_all, "start", lambda _commands: services)
    monkeypatch.setattr(run_all, "wait_healthy", lambda *_a, **_k: None)
    monkeypatch.setattr(run_all, "start_drafting", lambda top: started.append(top) or drafting)
    ticks = iter(range(3))

    def sleep(_seconds: float) -> None:
        if next(ticks) == 2:
            raise KeyboardInterrupt

    monkeypatch.setattr(run_all, "_idle", sleep)
    assert run_all.main(["--api-port", "18000", "--ui-port", "18501"]) == 0
    assert started == [run_all.DRAFT_TOP]
    assert drafting.wait(timeout=15) is not None  # stopped with the services
    command = run_all.draft_command(3)
    assert command[command.index("--draft-top") + 1] == "3"
    assert command[command.index("--draft") + 1] == run_all.PILOT


def test_when_make_run_skips_the_model_then_nothing_is_drafted(monkeypatch, free_ports):
    services = [_sleeper()]
    monkeypatch.setattr(run_all, "start", lambda _commands: services)
    monkeypatch.setattr(run_all, "wait_healthy", lambda *_a, **_k: None)
    monkeypatch.setattr(run_all, "start_drafting", lambda top: pytest.fail("drafting without a model"))
    monkeypatch.setattr(run_all, "_idle", lambda _s: (_ for _ in ()).throw(KeyboardInterrupt()))
    assert run_all.main(["--api-port", "18000", "--ui-port", "18501", "--skip-llm"]) == 0
