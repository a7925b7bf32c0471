"""`steward data import`: exit codes, JSON shape, error report; one class also runs on PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from app.cli.main import app
from data.db.models import Owner, Receivable, Unit

runner = CliRunner()


def steward(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def test_when_required_columns_are_missing_then_exit_code_is_2_with_a_chinese_message(tmp_path: Path) -> None:
    path = tmp_path / "bills.csv"
    path.write_text("项目编码,房号,账期,应收金额\nSH-XH,1-201,2026-01,100\n", encoding="utf-8")
    code, output = steward("data", "import", str(path), "--database-url", f"sqlite:///{tmp_path}/t.db")
    assert code == 2
    assert "缺少必填列：费项、到期日" in output


def test_when_the_file_is_binary_garbage_then_exit_code_is_2(tmp_path: Path) -> None:
    path = tmp_path / "garbage.xlsx"
    path.write_bytes(bytes(range(256)) * 50)
    code, output = steward("data", "import", str(path), "--database-url", f"sqlite:///{tmp_path}/t.db")
    assert code == 2 and "二进制" in output


def test_when_rows_fail_then_exit_code_is_0_and_the_summary_names_the_report(samples: Path, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/t.db"
    assert steward("data", "import", str(samples / "owners.csv"), "--database-url", url)[0] == 0
    code, output = steward("data", "import", str(samples / "receivables_bad.csv"), "--database-url", url)
    assert code == 0
    assert "receivables_bad.errors.csv" in output.replace("\n", "") and "错误" in output


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def any_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh database URL: SQLite, then PostgreSQL (via the shared ``pg_url`` fixture)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/t.db"
    else:
        yield request.getfixturevalue("pg_url")


class TestImportOnEveryBackend:
    """The full sample import through the CLI, on SQLite and on PostgreSQL."""

    def import_json(self, path: Path, url: str, *extra: str) -> dict:
        code, output = steward("data", "import", str(path), "--database-url", url, "--json", *extra)
        assert code == 0, output
        return json.loads(output)

    def test_when_samples_are_imported_twice_then_counts_and_rows_are_exact(self, samples: Path, any_url: str) -> None:
        first = [
            self.import_json(samples / name, any_url) for name in ("owners.csv", "receivables.xlsx", "payments.csv")
        ]
        assert [(r["kind"], r["inserted"], r["errors"]) for r in first] == [
            ("owners", 110, 0),
            ("receivables", 1320, 0),
            ("payments", first[2]["rows"], 0),
        ]
        again = self.import_json(samples / "receivables_gbk.csv", any_url, "--kind", "receivables")
        assert again == {
            "kind": "receivables",
            "rows": 1320,
            "inserted": 0,
            "updated": 0,
            "unchanged": 1320,
            "errors": 0,
            "error_report": None,
        }
        bad = self.import_json(samples / "receivables_bad.csv", any_url)
        assert (bad["inserted"], bad["errors"]) == (7, 12) and bad["error_report"].endswith(".errors.csv")
        self._assert_database(any_url)

    @staticmethod
    def _assert_database(url: str) -> None:
        from data.db.session import make_engine, make_session_factory

        engine = make_engine(url)
        try:
            with make_session_factory(engine)() as session:
                assert session.execute(select(func.count()).select_from(Owner)).scalar_one() == 104
                assert session.execute(select(func.count()).select_from(Unit)).scalar_one() == 110
                assert session.execute(select(func.count()).select_from(Receivable)).scalar_one() == 1327
                total = session.execute(select(func.sum(Receivable.amount_cents))).scalar_one()
                assert isinstance(total, int) and total > 0
        finally:
            engine.dispose()
