"""Login page (same users service as the API)."""

from __future__ import annotations

import streamlit as st

from app.workbench.runtime import Runtime


def render(rt: Runtime) -> None:
    """Username/password form; on success the user is kept in the session state."""
    from app.services.users import authenticate
    from data.repositories import audit

    st.title("Steward 管家工作台")
    st.caption("智能催费助手：先看清欠费原因，再给出合规、分阶段的催费方案。")
    with st.form("login"):
        username = st.text_input("用户名", key="login_username")
        password = st.text_input("密码", type="password", key="login_password")
        submitted = st.form_submit_button("登录")
    if not submitted:
        return
    with rt.session() as session:
        caller = authenticate(session, username.strip(), password)
        if caller is not None:
            audit.record(session, actor=caller.username, action="user.login", detail={"via": "workbench"})
    if caller is None:
        st.error("用户名或密码错误")
        return
    st.session_state["user"] = caller.username
    st.rerun()
