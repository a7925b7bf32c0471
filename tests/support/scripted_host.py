"""Run a Steward service in this process with the scripted model and the lexical knowledge base.

`python -m tests.support.scripted_host [--delay S] uvicorn app.api.main:create_app --factory …` (or
`streamlit run …`): the fakes are installed through `app.runtime.install_overrides`, then the named module runs as
`__main__`. With ``--delay S`` every model call takes S seconds more (a busy endpoint: the call waits without
using the CPU, like a request to a real model server).
"""

from __future__ import annotations

import runpy
import sys
import time


def install_scripted_runtime(delay: float = 0.0) -> None:
    """Every runtime built in this process uses the scripted model and the lexical knowledge base."""
    from app.runtime import install_overrides
    from tests.fakes import LexicalKB, ScriptedChatModel, reading_chat, sensible_structured

    chat, structured = reading_chat, sensible_structured
    if delay > 0:

        def chat(messages, kwargs):  # noqa: ANN001, ANN202
            time.sleep(delay)
            return reading_chat(messages, kwargs)

        def structured(schema, messages):  # noqa: ANN001, ANN202
            time.sleep(delay)
            return sensible_structured(schema, messages)

    model = ScriptedChatModel(chat_handler=chat, structured_handler=structured)
    install_overrides(model_factory=lambda **_: model, kb=LexicalKB())


def scripted(command: list[str], *, delay: float = 0.0) -> list[str]:
    """`[python, -m, module, *args]` → the same command hosted with the scripted runtime (and model delay)."""
    python, flag, module, *rest = command
    assert flag == "-m", command
    extra = ["--delay", str(delay)] if delay > 0 else []
    return [python, "-m", "tests.support.scripted_host", *extra, module, *rest]


def main() -> None:
    """Install the fakes, then run the module named by the first argument as `__main__`."""
    args = sys.argv[1:]
    delay = 0.0
    if args[:1] == ["--delay"]:
        delay, args = float(args[1]), args[2:]
    module, *rest = args
    install_scripted_runtime(delay)
    sys.argv = [module, *rest]
    runpy.run_module(module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
