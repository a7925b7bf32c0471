"""Train the name/place tagger shipped in core/redaction/models/ (character CRF).

    python -m core.redaction.train --weibo ../shared/data/weibo-ner [--out core/redaction/models]

Trains on the Weibo NER train split plus generated property-chat sentences, chooses the
per-type thresholds on the dev split (highest recall at a minimum precision), and writes
``names_places.crfsuite`` and ``names_places.json`` (settings, thresholds, dev scores,
sha256 of the inputs). The test split is not read here: ``bench/redaction_eval.py``
reports it. Deterministic for a given input and seed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import time
from pathlib import Path

from core.redaction.learned.corpus import TaggedSentence, generate, read_weibo
from core.redaction.learned.features import sentence_features
from core.redaction.learned.model import LABELS, MODEL_DIR, NamePlaceTagger

MIN_PRECISION = {"PER": 0.65, "LOC": 0.60}
"""Recall first: the lowest threshold whose dev precision stays at or above this."""
GRID = [round(0.05 * k, 2) for k in range(1, 15)]


def train(
    weibo: Path,
    out: Path,
    synthetic: int = 1500,
    c1: float = 0.05,
    c2: float = 0.01,
    iterations: int = 150,
    use_pos: bool = True,
    seed: int = 7,
) -> dict:
    """Train, choose thresholds on dev, write the model and its metadata; return the metadata."""
    import pycrfsuite

    started = time.perf_counter()
    train_set = read_weibo(weibo / "weiboNER_2nd_conll.train") + generate(synthetic, seed=seed)
    dev_set = read_weibo(weibo / "weiboNER_2nd_conll.dev")
    trainer = pycrfsuite.Trainer(verbose=False)
    for sentence in train_set:
        trainer.append(sentence_features(sentence.text, use_pos=use_pos), list(sentence.tags))
    trainer.set_params(
        {
            "c1": c1,
            "c2": c2,
            "max_iterations": iterations,
            "feature.possible_transitions": True,
        }
    )
    out.mkdir(parents=True, exist_ok=True)
    model_path = out / "names_places.crfsuite"
    trainer.train(str(model_path))
    meta_path = out / "names_places.json"
    meta = {
        "model": model_path.name,
        "kind": "linear-chain CRF over characters (python-crfsuite, L-BFGS)",
        "labels": list(LABELS),
        "use_pos": use_pos,
        "params": {"c1": c1, "c2": c2, "max_iterations": iterations},
        "training": {
            "weibo_train_sentences": len(train_set) - synthetic,
            "generated_sentences": synthetic,
            "seed": seed,
            "inputs_sha256": {
                name: _sha256(weibo / name) for name in ("weiboNER_2nd_conll.train", "weiboNER_2nd_conll.dev")
            },
        },
        "thresholds": {label: 0.5 for label in LABELS},
    }
    meta_path.write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    tagger = NamePlaceTagger(model_path, meta_path)
    curves = {label: dev_curve(tagger, dev_set, label) for label in LABELS}
    for label in LABELS:
        meta["thresholds"][label] = choose_threshold(curves[label], MIN_PRECISION[label])
    meta["dev"] = {label: {str(t): {"precision": p, "recall": r} for t, p, r in curves[label]} for label in LABELS}
    meta["min_precision_on_dev"] = MIN_PRECISION
    meta["train_seconds"] = round(time.perf_counter() - started, 1)
    meta_path.write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return meta


def dev_curve(tagger: NamePlaceTagger, sentences: list[TaggedSentence], label: str) -> list[tuple[float, float, float]]:
    """(threshold, precision, recall) of one label over GRID; recall counts covered gold spans."""
    probs = [tagger.marginals(s.text) for s in sentences]
    from core.redaction.learned.model import _decode

    curve = []
    for t in GRID:
        limits = {x: t for x in LABELS}
        found = missed = correct = spurious = 0
        for sentence, p in zip(sentences, probs, strict=True):
            gold = sentence.spans(label)
            pred = [s for s in _decode(sentence.text, p, limits) if s.label == label]
            for _, gs, ge in gold:
                if any(s.start <= gs and s.end >= ge for s in pred):
                    found += 1
                else:
                    missed += 1
            for s in pred:
                if any(s.start < ge and s.end > gs for _, gs, ge in gold):
                    correct += 1
                else:
                    spurious += 1
        precision = correct / (correct + spurious) if correct + spurious else 1.0
        recall = found / (found + missed) if found + missed else 1.0
        curve.append((t, round(precision, 3), round(recall, 3)))
    return curve


def choose_threshold(curve: list[tuple[float, float, float]], min_precision: float) -> float:
    """Highest recall whose precision is at least ``min_precision`` (ties: higher threshold)."""
    ok = [(r, t) for t, p, r in curve if p >= min_precision]
    if not ok:
        return max(curve, key=lambda x: x[1])[0]
    best = max(r for r, _ in ok)
    return max(t for r, t in ok if r == best)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main() -> None:
    """Command line: train and print the chosen thresholds and the dev curve."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weibo", type=Path, required=True, help="folder with the Weibo NER files")
    parser.add_argument("--out", type=Path, default=MODEL_DIR)
    parser.add_argument("--synthetic", type=int, default=1500)
    parser.add_argument("--c1", type=float, default=0.05)
    parser.add_argument("--c2", type=float, default=0.01)
    parser.add_argument("--iterations", type=int, default=150)
    parser.add_argument("--no-pos", action="store_true", help="train without jieba POS features")
    args = parser.parse_args()
    meta = train(args.weibo, args.out, args.synthetic, args.c1, args.c2, args.iterations, not args.no_pos)
    print(json.dumps({k: meta[k] for k in ("thresholds", "train_seconds")}, ensure_ascii=False))
    for label in LABELS:
        for t, pr in meta["dev"][label].items():
            print(label, t, pr["precision"], pr["recall"])


if __name__ == "__main__":
    main()
