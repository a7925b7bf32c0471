"""Run a Steward service in this process with the scripted model and the lexical knowledge base.

`python -m tests.support.scripted_host uvicorn app.api.main:create_app --factory …` (or `streamlit run …`): the
fakes are installed through `app.runtime.install_overrides`, then the named module runs as `__main__`.
"""

from __future__ import annotations

import runpy
import sys


def install_scripted_runtime() -> None:
    """Every runtime built in this process uses the scripted model and the lexical knowledge base."""
    from app.runtime import install_overrides
    from tests.fakes import LexicalKB, ScriptedChatModel, reading_chat, sensible_structured

    model = ScriptedChatModel(chat_handler=reading_chat, structured_handler=sensible_structured)
    install_overrides(model_factory=lambda **_: model, kb=LexicalKB())


def scripted(command: list[str]) -> list[str]:
    """`[python, -m, module, *args]` → the same command hosted with the scripted runtime."""
    python, flag, module, *rest = command
    assert flag == "-m", command
    return [python, "-m", "tests.support.scripted_host", module, *rest]


def main() -> None:
    """Install the fakes, then run the module named by the first argument as `__main__`."""
    module, *args = sys.argv[1:]
    install_scripted_runtime()
    sys.argv = [module, *args]
    runpy.run_module(module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
