"""LangChain tools over one household's redacted evidence; descriptions are written for the model."""

from __future__ import annotations

import json
from collections.abc import Callable

from langchain_core.tools import BaseTool, StructuredTool

from tools.evidence import EvidenceReader


def _dump(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def make_evidence_tools(
    reader: EvidenceReader, search: Callable[[str, int], list[dict]] | None = None
) -> list[BaseTool]:
    """Build the household's tools; each returns compact JSON with citable ids."""

    def get_household_profile() -> str:
        """读取本户概况：欠费金额、账龄天数、催费阶段、未缴账期、月物业费、业主标签和偏好渠道。证据编号形如 bill:…。"""
        return _dump(reader.profile())

    def get_chat_messages(offset: int = 0, limit: int = 40) -> str:
        """读取业主与管家/客服的聊天记录（按时间从早到晚，已脱敏）。每条有编号 msg:…，诊断时引用这些编号。offset 为起始位置，limit 为条数。"""
        return _dump(reader.chats(offset, limit))

    def get_tickets() -> str:
        """读取本户的报修/投诉工单：类型、描述、处理状态变化、完成时间和满意度评分（1-5分）。编号形如 ticket:…。"""
        return _dump(reader.tickets())

    def get_claims() -> str:
        """读取业主的欠费诉求：诉求类型、具体诉求条目和协商记录。编号形如 claim:…。"""
        return _dump(reader.claims())

    def get_payment_history() -> str:
        """读取缴费记录和缴费习惯：按时缴费率、延迟天数、常用支付方式。编号形如 pay:账期。"""
        return _dump(reader.payments())

    def get_contact_history() -> str:
        """读取以往的催缴触达记录：时间、渠道（短信/电话/微信/上门）和结果（送达、未接听等）。编号形如 contact:…。"""
        return _dump(reader.contact_history())

    def get_commitments() -> str:
        """读取承诺还款、分期申请和账单异议的状态。"""
        return _dump(reader.commitments())

    def get_consent_state() -> str:
        """读取业主的退订和黑名单状态；已退订的渠道不能再联系。"""
        return _dump(reader.consent())

    funcs: list[Callable[..., str]] = [
        get_household_profile,
        get_chat_messages,
        get_tickets,
        get_claims,
        get_payment_history,
        get_contact_history,
        get_commitments,
        get_consent_state,
    ]
    if search is not None:

        def search_knowledge_base(query: str, k: int = 5) -> str:
            """在欠费原因知识库中检索与业主说法最相近的欠费原因。query 用业主的原话或概括（中文）。返回原因编号、名称和匹配片段。"""
            return _dump(search(query, k))

        funcs.append(search_knowledge_base)
    return [StructuredTool.from_function(f, name=f.__name__, description=f.__doc__) for f in funcs]
