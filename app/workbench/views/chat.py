"""Chat with the assistant about the household: tool calls shown, answers streamed, memory in the checkpointer."""

from __future__ import annotations

import streamlit as st

from app.services.users import Caller
from app.workbench.components import inert
from app.workbench.runtime import Runtime


def _history_key(caller: Caller, household: str) -> str:
    return f"chat::{caller.username}::{household}"


def render_chat_area(rt: Runtime, caller: Caller, household: str) -> None:
    """The assistant chat about ``household`` (causes, evidence, history, “生成方案”, “改成分期方案”)."""
    from agent.chat import build_chat_agent, chat_turn
    from tools.evidence import EvidenceReader

    key = _history_key(caller, household)
    history: list[tuple[str, str]] = st.session_state.setdefault(key, [])
    with st.expander("💬 与助手讨论本户", expanded=bool(history)):
        for role, text in history:
            with st.chat_message(role):
                st.markdown(inert(text, lines=True))
        prompt = st.chat_input("问问助手：她为什么不交费？/ 生成方案 / 改成分期方案", key=f"{key}::input")
        if not prompt:
            return
        history.append(("user", prompt))
        with st.chat_message("user"):
            st.markdown(inert(prompt, lines=True))
        plans = rt.plans()
        ctx = plans.context_for(caller.scope)
        with st.chat_message("assistant"), ctx.session_factory() as session:
            reader = EvidenceReader(session, household, ctx.scope, ctx.as_of)
            agent = build_chat_agent(ctx, reader, plans.graph.checkpointer)
            notes: list[str] = []
            said: list[str] = []

            def tokens():
                for kind, text in chat_turn(agent, prompt, f"chat:{caller.username}:{household}"):
                    if kind in ("token", "answer"):
                        said.append(text)
                        yield inert(text, lines=True)  # answers quote owner text: shown, never rendered
                    elif kind == "tool_call":
                        notes.append(f"调用工具 {inert(text[:80])}")
                        st.caption(notes[-1])

            with st.spinner("助手思考中…"):
                st.write_stream(tokens())
        history.append(("assistant", "".join(said) or "（无回答）"))
