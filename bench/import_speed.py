"""Import speed: the 1,320-row samples (median of 5 fresh SQLite DBs) and a generated 100k-row receivables file.

Run: .venv/bin/python bench/import_speed.py [--runs 5] [--rows 100000] [--pg-url postgresql+psycopg://...]
"""

from __future__ import annotations

import argparse
import csv
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

SAMPLES = ROOT / "data" / "samples"
SAMPLE_FILES = (
    "owners.csv",
    "receivables.csv",
    "receivables_gbk.csv",
    "receivables.xlsx",
    "payments.csv",
    "receivables.csv",
)  # the last one re-imports: every row unchanged


def timed_import(url: str, path: Path) -> tuple[float, int]:
    """Import one file into ``url`` and commit; return (seconds, rows)."""
    from data.db.session import make_engine, make_session_factory
    from data.importers import import_file

    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session:
            started = time.perf_counter()
            result = import_file(session, path)
            session.commit()
            return time.perf_counter() - started, result.rows
    finally:
        engine.dispose()


def sample_runs(runs: int, work: Path, pg_url: str | None) -> list[tuple[str, str, int, float]]:
    """Median seconds per sample file over ``runs`` fresh databases (files imported in order)."""
    from data.db.session import init_db

    results: dict[tuple[str, str], list[float]] = {}
    rows: dict[str, int] = {}
    backends = [("SQLite", None)] + ([("PostgreSQL", pg_url)] if pg_url else [])
    for backend, base in backends:
        for run in range(runs):
            url = f"sqlite:///{work}/sample{run}.db" if base is None else fresh_pg(base, run)
            init_db(url).dispose()
            for index, name in enumerate(SAMPLE_FILES):
                label = name + (" (再次导入)" if index == len(SAMPLE_FILES) - 1 else "")
                seconds, rows[label] = timed_import(url, work / name)
                results.setdefault((backend, label), []).append(seconds)
    return [(backend, label, rows[label], statistics.median(times)) for (backend, label), times in results.items()]


def fresh_pg(admin_url: str, run: int) -> str:
    """Create (or recreate) a scratch PostgreSQL database and return its URL."""
    from sqlalchemy import create_engine, text

    name = f"steward_bench_import_{run}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return f"{admin_url.rsplit('/', 1)[0]}/{name}"


def write_big_files(work: Path, rows: int) -> tuple[Path, Path]:
    """An owners file with rows/12 units and a receivables file with 12 months for each (≈ ``rows`` lines)."""
    units = -(-rows // 12)
    owners, bills = work / f"big_owners_{rows}.csv", work / f"big_receivables_{rows}.csv"
    with owners.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(("项目编码", "项目名称", "城市", "楼栋", "房号", "建筑面积", "业主姓名", "手机号", "月物业费"))
        for i in range(units):
            writer.writerow(
                (
                    "BENCH",
                    "压测小区",
                    "上海",
                    f"{i // 400 + 1}号楼",
                    f"{i % 400 + 101}",
                    "88.50",
                    f"业主{chr(0x4E00 + i % 20000)}{chr(0x4E00 + i // 20000)}",
                    f"139{i:08d}",
                    "424.80",
                )
            )
    with bills.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(("项目编码", "房号", "账期", "费项", "应收金额", "到期日", "已收金额"))
        written = 0
        for i in range(units):
            for month in range(1, 13):
                if written == rows:
                    break
                due = date(2026, month % 12 + 1, 1) - timedelta(days=1) if month < 12 else date(2026, 12, 31)
                writer.writerow(
                    (
                        "BENCH",
                        f"{i // 400 + 1}-{i % 400 + 101}",
                        f"2026-{month:02d}",
                        "物业费",
                        "424.80",
                        due.isoformat(),
                        "424.80" if month < 9 else "0",
                    )
                )
                written += 1
    return owners, bills


def child(path: str, url: str) -> None:
    """Subprocess entry: import one file and print seconds, rows and peak RSS as JSON."""
    seconds, rows = timed_import(url, Path(path))
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "rows": rows, "peak_mb": peak_mb}))


def big_run(work: Path, rows: int) -> list[tuple[str, int, float, float]]:
    """Import owners then receivables of ``rows`` lines in child processes (clean peak-memory figures)."""
    from data.db.session import init_db

    owners, bills = write_big_files(work, rows)
    url = f"sqlite:///{work}/big_{rows}.db"
    init_db(url).dispose()
    out = []
    for path in (owners, bills):
        done = subprocess.run(
            [sys.executable, __file__, "--child", str(path), url], check=True, capture_output=True, text=True
        )
        stats = json.loads(done.stdout.strip().splitlines()[-1])
        out.append((path.name, stats["rows"], stats["seconds"], stats["peak_mb"]))
    return out


def main() -> None:
    """Run the benchmark and print the tables."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--pg-url", default=None, help="admin URL of a PostgreSQL server to also time")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    console = Console()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for name in set(SAMPLE_FILES):
            (work / name).write_bytes((SAMPLES / name).read_bytes())
        table = Table(title=f"样例文件导入（{args.runs} 个全新数据库的中位数）")
        for col in ("数据库", "文件", "行数", "秒（中位数）", "行/秒"):
            table.add_column(col, justify="right" if col in ("行数", "秒（中位数）", "行/秒") else "left")
        for backend, label, rows, seconds in sample_runs(args.runs, work, args.pg_url):
            table.add_row(backend, label, f"{rows:,}", f"{seconds:.3f}", f"{rows / seconds:,.0f}")
        console.print(table)
        big = Table(title="大文件导入（SQLite，子进程，峰值内存）")
        for col in ("文件", "行数", "秒", "行/秒", "峰值 RSS MB"):
            big.add_column(col, justify="left" if col == "文件" else "right")
        for rows in sorted({max(12, args.rows // 10), args.rows}):
            for name, count, seconds, peak in big_run(work, rows):
                big.add_row(name, f"{count:,}", f"{seconds:.2f}", f"{count / seconds:,.0f}", f"{peak:.0f}")
        console.print(big)


if __name__ == "__main__":
    main()
