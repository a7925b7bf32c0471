"""`steward data import --kind bundle|chats|tickets|claims|wechat` and `steward households show` afterwards."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from app.cli.main import app

runner = CliRunner()


def steward(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def test_when_bundle_and_wechat_are_imported_by_cli_then_household_shows_them(sample, sqlite_url):
    code, out = steward("data", "import", str(sample("example.jsonl")), "--database-url", sqlite_url, "--json")
    assert code == 0, out
    data = json.loads(out)
    assert data["kind"] == "bundle" and data["counts"]["chats.inserted"] == 4 and data["error_report"] is None
    code, out = steward("data", "import", str(sample("wechat.txt")), "--household", "HO-TEST/1-101",
                        "--database-url", sqlite_url)
    assert code == 0 and "聊天记录" in out and "证据有变化 1 户" in out
    code, out = steward("households", "show", "HO-TEST/1-101", "--database-url", sqlite_url)
    assert code == 0 and "1号楼101" in out and "聊天 8 条" in out and "欠费 1120.00 元" in out


def test_when_wechat_has_no_household_then_exit_code_is_2_with_a_chinese_message(sample, sqlite_url):
    code, out = steward("data", "import", str(sample("wechat.txt")), "--kind", "wechat", "--database-url", sqlite_url)
    assert code == 2 and "--household" in out


def test_when_billing_kinds_are_imported_then_the_existing_importer_still_runs(tmp_path, sqlite_url):
    path = tmp_path / "bills.csv"
    path.write_text("项目编码,房号,账期,应收金额\nSH-XH,1-201,2026-01,100\n", encoding="utf-8")
    code, out = steward("data", "import", str(path), "--database-url", sqlite_url)
    assert code == 2 and "缺少必填列：费项、到期日" in out
