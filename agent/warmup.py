"""Fill the model server's prompt cache with the static system text of each call type.

The diagnosis and message prompts start with the same system text for every household (rules, output shape);
llama.cpp keeps evaluated prompts in its cache and reuses the longest matching prefix. Sending each system text
once when a service starts means the first one-click plan pays only for its household's own tokens.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from langchain_core.messages import HumanMessage, SystemMessage
from openai import LengthFinishReasonError

from agent.schemas import diagnosis_model, openings_model
from prompts.agent import DIAGNOSE, WRITE_OPENINGS

log = logging.getLogger(__name__)


def warm_prompt_cache(model_factory: Callable[..., Any]) -> list[dict]:
    """Send each call type's system text with a one-token answer; returns (call, seconds, ok) records."""
    calls = [
        ("diagnose", DIAGNOSE, diagnosis_model(["beh.forgetful"])),
        ("write_messages", WRITE_OPENINGS, openings_model([1])),
    ]
    records = []
    for name, system, schema in calls:
        started = time.perf_counter()
        model = model_factory(temperature=0.0, max_tokens=1).with_structured_output(
            schema, method="json_schema", include_raw=True
        )
        try:
            model.invoke([SystemMessage(system), HumanMessage("（预热）")])
            ok = True
        except Exception as exc:  # a cold cache is slower, never wrong
            # One token cannot hold the answer: the client reports the cut, after the prompt was evaluated.
            ok = isinstance(exc, LengthFinishReasonError)
            if not ok:
                log.warning("prompt cache warm-up for %s failed: %s", name, type(exc).__name__)
        records.append({"call": name, "seconds": round(time.perf_counter() - started, 2), "ok": ok})
    log.info("prompt cache warmed: %s", records)
    return records
