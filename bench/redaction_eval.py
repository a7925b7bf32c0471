"""Precision/recall per entity type of the Chinese PII recognizers, and ms per sentence.

Scores three sets: the project's labelled chat/ticket sentences, the held-out property-chat
set (never trained on), and the Weibo NER test split (person names, PER.NAM; organisation
names as words that must stay readable). Also reports the cold load time of the analyzer
and the learned tagger, and the redaction time of a household's evidence (60 messages).

Run: .venv/bin/python bench/redaction_eval.py [--weibo DIR] [--weibo-split test|dev] [--show-errors]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DATA = ROOT / "tests" / "data" / "redaction_labelled.yaml"
HELDOUT = ROOT / "tests" / "data" / "redaction_heldout_chats.yaml"
WEIBO = Path(os.environ.get("STEWARD_WEIBO_NER_DIR", ROOT.parent / "shared" / "data" / "weibo-ner"))


def main() -> None:
    from rich.console import Console
    from rich.table import Table

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weibo", type=Path, default=WEIBO, help="folder with the Weibo NER files")
    parser.add_argument(
        "--weibo-split",
        choices=("test", "dev"),
        default="test",
        help="Weibo split to score (dev while choosing settings; test is reported once per model)",
    )
    parser.add_argument("--show-errors", action="store_true", help="print missed and spurious spans")
    args = parser.parse_args()

    started = time.perf_counter()
    from core.redaction import HouseholdRedactor, find_raw_pii
    from core.redaction.engine import get_analyzer

    get_analyzer()
    build_s = time.perf_counter() - started
    started = time.perf_counter()
    find_raw_pii("热身：王丽住在朝阳区建国路88号")  # loads the tagger and jieba, compiles patterns
    tagger_s = time.perf_counter() - started

    from core.redaction.evaluation import (
        evaluate,
        kept_share,
        load_cases,
        mismatches,
        read_weibo_cases,
    )

    sets = {"labelled": load_cases(DATA), "held-out chats": load_cases(HELDOUT)}
    weibo_file = args.weibo / f"weiboNER_2nd_conll.{args.weibo_split}"
    if weibo_file.exists():
        sets[f"Weibo {args.weibo_split}"] = read_weibo_cases(weibo_file)
    console = Console()
    table = Table(title="Redaction: precision / recall per entity type")
    for column in ("set", "entity", "gold", "pred", "precision", "recall", "F1"):
        table.add_column(column, justify="left" if column in ("set", "entity") else "right")
    speed = {}
    for name, cases in sets.items():
        report = evaluate(cases, find_raw_pii)
        speed[name] = report.ms_per_sentence
        for entity, s in report.scores.items():
            table.add_row(
                name,
                entity,
                str(s.gold_found + s.gold_missed),
                str(s.pred_correct + s.pred_spurious),
                f"{s.precision:.3f}",
                f"{s.recall:.3f}",
                f"{s.f1:.3f}",
            )
        kept, total = kept_share(cases, find_raw_pii)
        if total:
            table.add_row(name, "kept org/product words", str(total), "", "", f"{kept / total:.3f}", "")
        table.add_section()
    console.print(table)

    messages = [c.text for c in sets["held-out chats"]][:60]
    redactor = HouseholdRedactor(owner_names=["王丽"], owner_unit="4号楼1203", staff_names=["李明"])
    t0 = time.perf_counter()
    redactor.redact_many(messages)
    household_ms = (time.perf_counter() - t0) * 1000
    console.print(
        f"cold start: analyzer {build_s:.2f} s (presidio import and build), learned tagger + jieba "
        f"{tagger_s:.2f} s; detect median ms/sentence: "
        + ", ".join(f"{k} {v:.2f}" for k, v in speed.items())
        + f"; redact {len(messages)} messages of one household: {household_ms:.1f} ms"
    )
    if args.show_errors:
        for name, cases in sets.items():
            for case in cases:
                for note in mismatches(case, find_raw_pii(case.text)):
                    console.print(f"[{name}] {note}  in  {case.text[:80]}", markup=False)


if __name__ == "__main__":
    main()
