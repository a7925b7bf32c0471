"""Precision/recall/F1 per entity type of the Chinese PII recognizers, and ms per sentence.

Run: .venv/bin/python bench/redaction_eval.py [--show-errors]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DATA = ROOT / "tests" / "data" / "redaction_labelled.yaml"


def main() -> None:
    from rich.console import Console
    from rich.table import Table

    from core.redaction import HouseholdRedactor, find_raw_pii
    from core.redaction.engine import get_analyzer
    from core.redaction.evaluation import evaluate, load_cases, mismatches

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--show-errors", action="store_true", help="print missed and spurious spans"
    )
    args = parser.parse_args()

    started = time.perf_counter()
    get_analyzer()
    build_s = time.perf_counter() - started
    cases = load_cases(DATA)
    find_raw_pii(cases[0].text)  # warm-up: compile the patterns
    report = evaluate(cases, find_raw_pii)

    table = Table(title=f"Redaction recognizers on {report.sentences} labelled sentences")
    for column in ("entity", "gold", "pred", "precision", "recall", "F1"):
        table.add_column(column, justify="right" if column != "entity" else "left")
    for entity, s in report.scores.items():
        table.add_row(
            entity,
            str(s.gold_found + s.gold_missed),
            str(s.pred_correct + s.pred_spurious),
            f"{s.precision:.3f}",
            f"{s.recall:.3f}",
            f"{s.f1:.3f}",
        )
    console = Console()
    console.print(table)

    redactor = HouseholdRedactor(owner_names=["王丽"], owner_unit="4号楼1203")
    timings = []
    for case in cases:
        t0 = time.perf_counter()
        redactor.redact(case.text)
        timings.append((time.perf_counter() - t0) * 1000)
    timings.sort()
    console.print(
        f"analyzer build {build_s:.2f} s (first use, includes presidio import); "
        f"detect median {report.ms_per_sentence:.2f} ms/sentence; "
        f"redact median {timings[len(timings) // 2]:.2f} ms/sentence"
    )
    if args.show_errors:
        for case in cases:
            for note in mismatches(case, find_raw_pii(case.text)):
                console.print(f"{note}  in  {case.text}", markup=False)


if __name__ == "__main__":
    main()
