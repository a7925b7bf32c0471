"""Field-level problems of evidence records and how they are shown in the error report (PII masked)."""

from __future__ import annotations

import re

from data.importers import pii
from data.importers.report import ErrorReport

# Bundle fields that hold personal data, mapped to the importer's PII column names (which decide the mask).
PII_FIELDS = {
    "owner.name": "业主姓名",
    "owner.mobile": "手机号",
    "owner.id_number": "证件号码",
    "owner.email": "邮箱",
    "owner.wechat": "微信号",
    "业主姓名": "业主姓名",
}
_DIGITS = re.compile(r"\d{7,}")

SKIPPED = {
    "household": "整户未导入",
    "chat": "已跳过该条聊天记录",
    "ticket": "已跳过该工单",
    "event": "已跳过该条处理记录",
    "claim": "已跳过该诉求",
    "record": "已跳过该条协商记录",
    "bill": "已跳过该条账单",
    "payment": "已跳过该笔缴费",
    "tag": "已跳过该标签",
    "field": "已忽略该字段",
    "line": "已跳过该行",
    "section": "已跳过该部分",
}


class FieldProblem(ValueError):
    """One field of a record failed validation.

    Attributes:
        field: Field path such as ``chats[2].time`` or a Chinese column header.
        value: The offending value.
        reason: Why, in Chinese.
    """

    def __init__(self, field: str, value: object, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field, self.value, self.reason = field, value, reason


def mask_digits(text: str) -> str:
    """Hide long digit runs (phones, ID and card numbers) of free text: 13912345678 → 139****5678."""
    return _DIGITS.sub(lambda m: m[0][:3] + "*" * (len(m[0]) - 7) + m[0][-4:], text)


def shown(field: str, value: object) -> str:
    """The value as it may appear in the report: personal fields masked, digit runs hidden."""
    text = "" if value is None else str(value)
    leaf = re.sub(r"\[\d+\]", "", field)
    if leaf in PII_FIELDS:
        return pii.mask(PII_FIELDS[leaf], text)
    return mask_digits(text)


def report_problem(report: ErrorReport, line: int, problem: FieldProblem, skipped: str, label: str = "") -> None:
    """Add one problem to the report, saying exactly what was skipped (e.g. 已跳过该条聊天记录 m3)."""
    what = SKIPPED[skipped] + (f" {label}" if label else "")
    report.add(line, problem.field, shown(problem.field, problem.value), f"{problem.reason}；{what}")
