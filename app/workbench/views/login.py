"""Login page (same users service as the API)."""

from __future__ import annotations

import streamlit as st

from app.workbench.runtime import Runtime


def render(rt: Runtime) -> None:
    """Username/password form; on success the user is kept in the session state."""
    from app.security.ratelimit import Throttled
    from app.services.login import login

    st.title("Steward 管家工作台")
    st.caption("智能催费助手：先看清欠费原因，再给出合规、分阶段的催费方案。")
    with st.form("login"):
        username = st.text_input("用户名", key="login_username")
        password = st.text_input("密码", type="password", key="login_password")
        submitted = st.form_submit_button("登录")
    if not submitted:
        return
    address = getattr(st.context, "ip_address", None)
    address = address if isinstance(address, str) and address else "workbench"
    try:
        with rt.session() as session:
            caller = login(
                session, rt.rate_limits, username=username.strip(), password=password, address=address, via="workbench"
            ).caller
    except Throttled as exc:
        st.error(f"登录失败次数过多，请 {exc.retry_after} 秒后再试")
        return
    if caller is None:
        st.error("用户名或密码错误")
        return
    st.session_state["user"] = caller.username
    st.rerun()
