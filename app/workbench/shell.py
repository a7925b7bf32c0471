"""Login gate and role-based navigation; ``render_single`` runs one page directly (tests, deep links)."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from app.services.users import ROLE_NAMES, Caller
from app.workbench.components import inert
from app.workbench.navigation import PAGES_KEY
from app.workbench.runtime import Runtime, get_runtime

USER_KEY = "user"


def page_table() -> dict[str, tuple[str, str, Callable[[Runtime, Caller], None], frozenset[str]]]:
    """Page name → (title, icon, render function, roles that see it)."""
    from app import plugins
    from app.workbench.views import batch, compliance, dashboard, household, payments, queue, settings

    everyone = frozenset(ROLE_NAMES)
    return {
        "queue": ("今日待办", "📋", queue.render, frozenset({"steward", "manager", "admin", "readonly"})),
        "household": ("住户详情", "🏠", household.render, everyone),
        "dashboard": ("经理看板", "📊", dashboard.render, frozenset({"manager", "admin", "readonly"})),
        "compliance": ("合规审查", "🛡️", compliance.render, frozenset({"compliance", "admin"})),
        "payments": ("对账与退款", "💴", payments.render, frozenset({"manager", "admin", "compliance"})),
        "batch": ("夜间批处理", "🌙", batch.render, frozenset({"manager", "admin"})),
        "settings": ("策略设置", "⚙️", settings.render, frozenset({"manager", "admin"})),
    } | {
        page.name: (page.title, page.icon, page.render, page.roles) for page in plugins.load(plugins.PAGES_GROUP)
    }  # 评审打分 comes from evals/


def current_caller(rt: Runtime) -> Caller | None:
    """The logged-in caller, re-read from the database."""
    name = st.session_state.get(USER_KEY)
    return rt.caller(name) if name else None


def _sidebar(caller: Caller) -> None:
    with st.sidebar:
        st.markdown(f"**{inert(caller.display_name)}**（{ROLE_NAMES.get(caller.role, caller.role)}）")
        projects = caller.scope.projects
        st.caption("可见项目：" + ("全部" if projects is None else "、".join(sorted(projects))))
        if st.button("退出登录"):
            st.session_state.clear()
            st.rerun()


def main() -> None:
    """Entry of `streamlit run app/workbench/main.py`."""
    st.set_page_config(page_title="Steward 管家工作台", page_icon="🏠", layout="wide")
    from core.redaction import logfilter

    logfilter.install()
    rt = _runtime_or_stop()
    caller = current_caller(rt)
    if caller is None:
        from app.workbench.views import login

        login.render(rt)
        return
    _sidebar(caller)
    pages = {}
    for name, (title, icon, render, roles) in page_table().items():
        if caller.role in roles:
            pages[name] = st.Page(_bind(render, rt, caller), title=title, icon=icon, url_path=name)
    st.session_state[PAGES_KEY] = pages
    st.navigation(list(pages.values())).run()


def _bind(render: Callable[[Runtime, Caller], None], rt: Runtime, caller: Caller) -> Callable[[], None]:
    def page() -> None:
        render(rt, caller)

    page.__name__ = render.__module__.rsplit(".", 1)[-1]
    return page


def _runtime_or_stop() -> Runtime:
    """The runtime; when the encryption keys do not match the database, say so and render nothing else."""
    from data.db.keycheck import KeyMismatchError

    try:
        return get_runtime()
    except KeyMismatchError as exc:
        st.error(str(exc))
        st.stop()
        raise


def render_single(name: str) -> None:
    """Render one page for the logged-in user without navigation (used by AppTest)."""
    rt = _runtime_or_stop()
    if name == "login":
        from app.workbench.views import login

        login.render(rt)
        return
    caller = current_caller(rt)
    if caller is None:
        st.error("请先登录")
        return
    title, _, render, roles = page_table()[name]
    if caller.role not in roles:
        st.error("当前角色无权查看此页面")
        return
    render(rt, caller)
