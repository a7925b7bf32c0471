"""`make run`: show the pilot household on the embedded defaults, then point at the next commands."""

from __future__ import annotations

import subprocess
import sys

from rich.console import Console

PILOT = "BJ-PILOT/4-1203"


def main() -> int:
    """Run the demo steps one after another, stopping at the first failure."""
    console = Console()
    steward = [sys.executable, "-m", "app.cli.main"]
    steps = [
        ("试点户概况", [*steward, "households", "show", PILOT]),
        (
            "知识库检索：楼道垃圾好几天没人清理",
            [*steward, "kb", "search", "楼道垃圾好几天没人清理，蟑螂都出来了", "--k", "3"],
        ),
        ("脱敏示例", [*steward, "redact", "我是王丽，电话13912345678，住4号楼1203"]),
    ]
    for title, cmd in steps:
        console.rule(f"[bold]{title}")
        if subprocess.run(cmd, check=False).returncode != 0:
            console.print(f"[red]{title} 失败[/red]")
            return 1
    console.rule("[bold]下一步")
    console.print(f"生成催费方案：.venv/bin/steward plan {PILOT}\n与助手对话：.venv/bin/steward chat {PILOT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
