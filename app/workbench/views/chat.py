"""Chat area of the household page: a placeholder until the assistant chat is added."""

from __future__ import annotations

import streamlit as st

from app.services.users import Caller
from app.workbench.runtime import Runtime


def render_chat_area(rt: Runtime, caller: Caller, household: str) -> None:
    """Hook for the assistant chat about ``household``; replace the body to add the chat."""
    with st.expander("💬 与助手讨论本户", expanded=False):
        st.info("助手对话功能即将上线：可询问欠费原因、证据和历史，或让助手改写方案。")
