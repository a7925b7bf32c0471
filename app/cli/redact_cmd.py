"""`steward redact`: redact Chinese PII from a text with household-consistent placeholders."""

from __future__ import annotations

import json
from typing import Annotated

import typer

TextArg = Annotated[str, typer.Argument(help="要脱敏的文本")]
OwnerOpt = Annotated[
    list[str] | None, typer.Option("--owner", help="业主姓名（可重复），统一替换为【业主】")
]
UnitOpt = Annotated[
    str | None, typer.Option("--unit", help="本户房号（如 4号楼1203），替换为【本户】")
]
StaffOpt = Annotated[list[str] | None, typer.Option("--staff", help="工作人员姓名（可重复）")]
JsonOpt = Annotated[
    bool, typer.Option("--json", help="输出 JSON：脱敏文本及实体类型与位置（不含原值）")
]


def redact(
    text: TextArg,
    owner: OwnerOpt = None,
    unit: UnitOpt = None,
    staff: StaffOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Print TEXT with personal information replaced by placeholders."""
    from rich.console import Console

    from core.redaction import HouseholdRedactor

    redactor = HouseholdRedactor(owner_names=owner or (), owner_unit=unit, staff_names=staff or ())
    redacted, findings = redactor.redact_with_findings(text)
    console = Console()
    if as_json:
        payload = {"text": redacted, "entities": [f.to_dict() for f in findings]}
        console.print_json(json.dumps(payload, ensure_ascii=False))
    else:
        console.print(redacted, markup=False, highlight=False)


def register(app: typer.Typer) -> None:
    """Attach the redact command to the root app."""
    app.command("redact", help="脱敏文本中的个人信息（姓名、电话、证件、地址等）。")(redact)
