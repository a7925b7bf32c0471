"""Small shared widgets: warning badges, reachability lights, evidence anchors."""

from __future__ import annotations

import re

import streamlit as st

WARNING_ICON = {"red": "🔴", "yellow": "🟡", "green": "🟢"}
LIGHT = {"red": ":red[●]", "yellow": ":orange[●]", "green": ":green[●]"}
WARNING_NAME = {"red": "红色预警", "yellow": "黄色预警", "green": "正常"}
STAGE_ADVICE = {None: "无欠费，保持日常服务", "预警": "友好提醒：短信/微信，T+7 电话", "初级": "沟通原因，提供分期，发缴费通知",
                "中级": "主管介入，发催告函", "高级": "依法催告后准备诉讼材料（须经理审核）"}


def anchor_id(evidence_id: str) -> str:
    """HTML id for an evidence item: msg:m3 → ev-msg-m3."""
    return "ev-" + re.sub(r"[^A-Za-z0-9_-]", "-", evidence_id)


def lights(items: list[dict]) -> None:
    """One line per channel with a coloured light and the reasons."""
    cols = st.columns(len(items))
    for col, item in zip(cols, items, strict=True):
        reasons = "、".join(item["reasons"]) or "可联系"
        col.markdown(f"{LIGHT[item['color']]} **{item['name']}**  \n<small>{reasons}</small>",
                     unsafe_allow_html=True)


def md_escape(text: str) -> str:
    """Escape Markdown emphasis characters (masked values contain asterisks)."""
    return text.replace("\\", "\\\\").replace("*", "\\*").replace("_", "\\_")


def warning_badge(color: str, reasons: list[str]) -> str:
    """Text badge for a queue row."""
    return f"{WARNING_ICON.get(color, '')} {'；'.join(reasons) or WARNING_NAME.get(color, '')}"
