"""经理看板: recovery 30/60/90, aging structure, complaints and opt-outs, cross-project comparison."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app.services.users import Caller
from app.workbench.runtime import Runtime


def render(rt: Runtime, caller: Caller) -> None:
    """Charts and tables from the reports service."""
    from app.services import reports

    st.header("经理看板")
    with rt.session() as session:
        recovery = reports.recovery(session, rt.cache, caller.scope)
        aging = reports.aging(session, rt.cache, caller.scope)
        complaints = reports.complaints(session, caller.scope)
        comparison = reports.comparison(session, rt.cache, caller.scope)
    if not recovery:
        st.info("没有可见项目")
        return
    st.subheader("回款率（近 30/60/90 天）")
    rec = pd.DataFrame(
        [
            {"项目": r["project"], "30天": r["rate_30"] or 0, "60天": r["rate_60"] or 0, "90天": r["rate_90"] or 0}
            for r in recovery
        ]
    ).set_index("项目")
    st.bar_chart(rec, stack=False)
    st.subheader("账龄结构（户数）")
    age = pd.DataFrame(aging).pivot_table(index="project", columns="bucket", values="households", aggfunc="sum")
    st.bar_chart(age)
    st.subheader("投诉与退订（近 90 天）")
    st.bar_chart(
        pd.DataFrame(
            [
                {"项目": c["project"], "投诉": c["complaints"], "退订": c["opt_outs"], "未结异议": c["open_disputes"]}
                for c in complaints
            ]
        ).set_index("项目"),
        stack=False,
    )
    st.subheader("项目对比")
    st.dataframe(
        [
            {
                "项目": c["project"],
                "名称": c["name"],
                "欠费户数": c["households_in_arrears"],
                "欠费(元)": c["arrears"],
                "90天回款率": f"{(c['rate_90'] or 0):.1%}",
                "投诉": c["complaints"],
                "退订": c["opt_outs"],
            }
            for c in comparison
        ],
        hide_index=True,
        use_container_width=True,
    )
