"""Keep guardrails-ai fully local: no hub metrics, no remote inference, no files written."""

from __future__ import annotations

import dataclasses
import datetime
import os
import sqlite3

import guardrails.call_tracing.sqlite_trace_handler  # noqa: E402,F401  (registers its adapter; undone below)
import guardrails.guard as guard_module
from guardrails import Guard
from guardrails.api_client import GuardrailsApiClient
from guardrails.settings import settings
from guardrails.utils.hub_telemetry_utils import HubTelemetry

# guardrails' trace handler registers a process-wide sqlite3 adapter that stores every datetime as an integer
# timestamp; raw SQL of ours with a datetime parameter would then write integers into DATETIME columns. Put
# Python's own adapter (ISO text, what SQLAlchemy reads back) in its place.
sqlite3.register_adapter(datetime.datetime, lambda value: value.isoformat(" "))


class NoServerClient(GuardrailsApiClient):
    """Stands in for guardrails' server client: a local Guard never talks to a server (``use_server`` is off).

    The stock client builds two httpx clients, with TLS contexts, per Guard: about 45 ms of CPU for nothing,
    three times per plan. Any call to a server method fails loudly.
    """

    def __init__(self, base_url: str | None = None, api_key: str | None = None) -> None:
        self.base_url, self.api_key, self.timeout = base_url or "", api_key or "", 0

    def __getattr__(self, name: str) -> object:
        if name.startswith("__"):
            raise AttributeError(name)
        raise RuntimeError(f"guardrails server call {name!r} attempted; Steward runs guards locally only")


def ensure_offline(guard: Guard | None = None) -> None:
    """Disable guardrails' hub telemetry and remote inference for this process.

    guardrails 0.11 reads ``~/.guardrailsrc`` (absent here, so metrics default to *on*, which
    queues OpenTelemetry spans for its hub and stalls interpreter exit by ~7 s retrying the
    export). Instead of writing that file, this overrides the in-memory RC and the shared
    HubTelemetry switch. Call it after creating a Guard, because ``Guard()`` reloads the RC.

    Args:
        guard: A guard to configure with ``allow_metrics_collection=False`` first.
    """
    guard_module.GuardrailsApiClient = NoServerClient
    # OpenTelemetry exporters guardrails may set up must never reach the network.
    os.environ.setdefault("OTEL_SDK_DISABLED", "true")
    os.environ.setdefault("OTEL_TRACES_EXPORTER", "none")
    if guard is not None:
        guard.configure(allow_metrics_collection=False)
    settings.rc = dataclasses.replace(settings.rc, enable_metrics=False, use_remote_inferencing=False)
    HubTelemetry()._enabled = False
