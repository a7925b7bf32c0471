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
    code, out = steward(
        "data", "import", str(sample("wechat.txt")), "--household", "HO-TEST/1-101", "--database-url", sqlite_url
    )
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


def test_finding1_cli_import_with_user_follows_that_users_projects(sample, sqlite_url, tmp_path):
    from app.services.users import create_user
    from data.db.session import init_db, make_session_factory

    assert steward("data", "import", str(sample("example.jsonl")), "--database-url", sqlite_url)[0] == 0
    engine = init_db(sqlite_url)
    with make_session_factory(engine)() as s:
        create_user(s, username="other", password="x" * 12, role="manager", projects=[])
        create_user(s, username="home", password="x" * 12, role="manager", projects=["HO-TEST"])
        s.commit()
    engine.dispose()
    code, out = steward(
        "data",
        "import",
        str(sample("wechat.txt")),
        "--household",
        "HO-TEST/1-101",
        "--user",
        "other",
        "--database-url",
        sqlite_url,
    )
    assert code == 3 and "无权向项目 HO-TEST 写入数据" in out
    bills = tmp_path / "bills.csv"
    bills.write_text(
        "项目编码,房号,账期,费项,应收金额,到期日\nHO-TEST,1-101,2024-09,物业费,100,2024-09-30\n", encoding="utf-8"
    )
    code, out = steward("data", "import", str(bills), "--user", "other", "--database-url", sqlite_url)
    assert code == 3 and "HO-TEST" in out
    code, out = steward(
        "data",
        "import",
        str(sample("wechat.txt")),
        "--household",
        "HO-TEST/1-101",
        "--user",
        "home",
        "--database-url",
        sqlite_url,
    )
    assert code == 0, out
