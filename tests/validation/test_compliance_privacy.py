"""Tables for pii_leak, hardship_detail, third_party and public_posting."""

from __future__ import annotations

import pytest

from core.domain.compliance.privacy import mask_pii
from tests.validation.compliance_helpers import ctx, rules

PII = [
    ("您的身份证号110101199003074514已登记", {}),
    ("请核对银行卡6222021234567890128", {}),
    ("账号：6217 0000 1234 5678 901", {}),
    ("王建国先生，您的物业费未缴", {"sensitive_values": ("王建国",)}),
    ("已给13800138000发送账单", {"sensitive_values": ("138-0013-8000",)}),
]

HARDSHIP = ["得知您最近失业了", "听说您离婚了", "您家人住院期间", "考虑到您的疾病", "公司破产的情况我们了解"]

THIRD_PARTY = [
    ("我们会联系您单位领导", "初级"),
    ("通知您的家人", "初级"),
    ("我们将告知您的邻居", "中级"),
    ("会打电话给你父母", "初级"),
    ("到时候你的同事都会知道", "中级"),
    ("我们将联系您的紧急联系人", "预警"),
    ("我们会去你单位找你", "中级"),
    ("已经跟你老婆说了", "初级"),
    ("上门拜访您的父母", "初级"),
]

NOT_THIRD_PARTY = [
    ("您可以联系管家了解详情", "预警"),
    ("如您不便，可由家人代缴", "预警"),
    ("我们不会联系您的家人", "初级"),
    ("联系我们公司客服即可", "初级"),
    ("经您同意后，我们将联系您的紧急联系人", "初级"),
]

PUBLIC_POSTING = [
    ("在业主群公布您的房号", "中级", "wechat"),
    ("将在小区公告栏公示欠费业主名单", "中级", "notice"),
    ("再不交就曝光你", "高级", "wechat"),
    ("我们会在电梯里张贴您的姓名", "中级", "wechat"),
    ("欠费通知将张贴在公告栏", "初级", "notice"),
    ("4号楼1203室业主欠缴物业费，请尽快缴纳", "中级", "notice"),
    ("把你的名字贴在电梯里", "中级", "wechat"),
    ("我们会在群里点名", "中级", "wechat"),
    ("将您列入欠费黑榜", "高级", "wechat"),
]

NOT_PUBLIC_POSTING = [
    ("在小区公告栏张贴欠费通知（隐去姓名和房号）", "中级", "notice"),
    ("我们不会公示您的房号", "初级", "wechat"),
    ("本年度物业费收支情况已在公告栏公示", "预警", "notice"),
    ("您名下4号楼1203室本期物业费1680元", "初级", "wechat"),
]


@pytest.mark.parametrize(("text", "overrides"), PII)
def test_when_text_contains_owner_identifiers_then_pii_leak_fails(text: str, overrides: dict) -> None:
    assert "pii_leak" in rules(text, **overrides)


def test_when_id_checksum_is_wrong_and_no_keyword_then_number_is_not_pii() -> None:
    assert "pii_leak" not in rules("工单编号110101199003074515")


def test_when_pii_is_masked_then_text_passes() -> None:
    c = ctx(sensitive_values=("138-0013-8000",))
    masked = mask_pii("已给13800138000发送账单", c)
    assert masked == "已给***********发送账单"
    assert "pii_leak" not in rules(masked, sensitive_values=("138-0013-8000",))


@pytest.mark.parametrize("text", HARDSHIP)
def test_when_text_mentions_hardship_details_then_hardship_detail_fails(text: str) -> None:
    assert "hardship_detail" in rules(text)


@pytest.mark.parametrize(("text", "stage"), THIRD_PARTY)
def test_when_text_involves_third_parties_then_third_party_fails(text: str, stage: str) -> None:
    assert "third_party" in rules(text, stage=stage)


@pytest.mark.parametrize(("text", "stage"), NOT_THIRD_PARTY)
def test_when_third_parties_are_not_contacted_then_third_party_passes(text: str, stage: str) -> None:
    assert "third_party" not in rules(text, stage=stage)


@pytest.mark.parametrize(("text", "stage", "channel"), PUBLIC_POSTING)
def test_when_names_or_units_are_posted_then_public_posting_fails(text: str, stage: str, channel: str) -> None:
    assert "public_posting" in rules(text, stage=stage, channel=channel, owner_unit="4号楼1203")


@pytest.mark.parametrize(("text", "stage", "channel"), NOT_PUBLIC_POSTING)
def test_when_posting_is_anonymous_or_private_then_public_posting_passes(text: str, stage: str, channel: str) -> None:
    assert "public_posting" not in rules(text, stage=stage, channel=channel, owner_unit="4号楼1203")
