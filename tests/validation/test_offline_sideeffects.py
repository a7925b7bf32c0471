"""guardrails stays local and leaves the process as it found it: no server client, datetimes stored as text."""

from __future__ import annotations

import datetime
import sqlite3

import pytest


def test_when_guards_have_run_then_raw_sqlite_still_stores_datetimes_as_iso_text():
    import guardrails.call_tracing.sqlite_trace_handler  # noqa: F401  (the module that registered an int adapter)

    from agent.validation.offline import ensure_offline

    ensure_offline()
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE t (at DATETIME)")
    conn.execute("INSERT INTO t VALUES (?)", (datetime.datetime(2024, 9, 2, 9, 30),))
    assert conn.execute("SELECT at, typeof(at) FROM t").fetchone() == ("2024-09-02 09:30:00", "text")


def test_when_a_local_guard_is_built_then_it_has_no_server_client_to_call():
    from guardrails import Guard

    from agent.validation.offline import NoServerClient, ensure_offline

    ensure_offline()
    guard = Guard(name="t")
    assert isinstance(guard._api_client, NoServerClient)
    with pytest.raises(RuntimeError, match="locally only"):
        guard._api_client.validate(guard, "x")
