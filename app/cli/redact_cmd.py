"""`steward redact`: redact Chinese PII from text, a file or standard input, line by line."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

TextArg = Annotated[str | None, typer.Argument(help="要脱敏的文本；“-” 表示从标准输入逐行读取")]
FileOpt = Annotated[Path | None, typer.Option("--file", "-f", help="从文件逐行读取（UTF-8）", dir_okay=False)]
OwnerOpt = Annotated[list[str] | None, typer.Option("--owner", help="业主姓名（可重复），统一替换为【业主】")]
UnitOpt = Annotated[str | None, typer.Option("--unit", help="本户房号（如 4号楼1203），替换为【本户】")]
StaffOpt = Annotated[list[str] | None, typer.Option("--staff", help="工作人员姓名（可重复）")]
JsonOpt = Annotated[
    bool,
    typer.Option("--json", help="输出 JSON：脱敏文本及实体类型与位置（不含原值）；多行输入每行一个 JSON"),
]


def redact(
    text: TextArg = None,
    file: FileOpt = None,
    owner: OwnerOpt = None,
    unit: UnitOpt = None,
    staff: StaffOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Print TEXT (or every line of --file / standard input) with personal information replaced.

    One output line per input line, placeholders shared across lines; output is written
    as is, never wrapped, so it can be piped.
    """
    from core.redaction import HouseholdRedactor

    if file is not None and text is not None:
        raise typer.BadParameter("give TEXT or --file, not both")
    if file is not None:
        lines = file.read_text(encoding="utf-8-sig").splitlines()
        multi = True
    elif text == "-" or (text is None and not sys.stdin.isatty()):
        lines = sys.stdin.read().splitlines()
        multi = True
    elif text is not None:
        lines, multi = [text], False
    else:
        raise typer.BadParameter("give TEXT, “-” for standard input, or --file")

    redactor = HouseholdRedactor(owner_names=owner or (), owner_unit=unit, staff_names=staff or ())
    out = sys.stdout
    for line in lines:
        redacted, findings = redactor.redact_with_findings(line)
        if as_json:
            payload = {"text": redacted, "entities": [f.to_dict() for f in findings]}
            indent = None if multi else 2
            out.write(json.dumps(payload, ensure_ascii=False, indent=indent) + "\n")
        else:
            out.write(redacted + "\n")
    out.flush()


def register(app: typer.Typer) -> None:
    """Attach the redact command to the root app."""
    app.command("redact", help="脱敏文本中的个人信息（姓名、电话、证件、地址等）。")(redact)
