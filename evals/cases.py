"""Golden cases: YAML files under evals/golden/ loaded into small dataclasses."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

GOLDEN_DIR = Path(__file__).resolve().parent / "golden"
GENERATED_FILE = "generated.yaml"
HARD_FILE = "hard.yaml"
SUITES = ("golden", "generated", "hard")


@dataclass(frozen=True)
class Expected:
    """What a correct run looks like for one household."""

    primary: str
    """The true primary cause id."""
    acceptable: tuple[str, ...] = ()
    """Other cause ids accepted as a correct top-1 answer (e.g. the secondary cause)."""
    flags: dict[str, bool] = field(default_factory=dict)
    """Diagnosis flags that must have these values (vulnerable, hardship, ...)."""
    plan: dict[str, Any] = field(default_factory=dict)
    """Required plan elements: strategy, stage, action_contains, instalment_offered, no_contact_steps,
    manager_review, pause_forced_collection."""
    forbidden: tuple[str, ...] = ()
    """Strings no outgoing message may contain."""


@dataclass(frozen=True)
class Case:
    """One golden case: a household key (generated) or a full bundle (hand-written)."""

    id: str
    household: str
    expected: Expected
    source: str
    """generated | hard."""
    description: str = ""
    bundle: dict[str, Any] | None = None
    """The household's rows for hand-written cases (see evals.bundles)."""
    pii_values: tuple[str, ...] = ()
    """Extra raw PII literals planted in the evidence (beyond the owner's own fields)."""


@dataclass(frozen=True)
class GoldenSet:
    """The cases of a suite and how to rebuild the generated portfolio they refer to."""

    cases: list[Case]
    seed: int | None = None
    size: int | None = None


def _expected(data: dict[str, Any]) -> Expected:
    return Expected(
        primary=data["primary"],
        acceptable=tuple(a for a in data.get("acceptable") or () if a),
        flags=dict(data.get("flags") or {}),
        plan=dict(data.get("plan") or {}),
        forbidden=tuple(data.get("forbidden") or ()),
    )


def parse_case(data: dict[str, Any], source: str) -> Case:
    """Build a case from its YAML mapping."""
    bundle = data.get("bundle")
    household = data.get("household") or (f"{bundle['project']['code']}/{bundle['unit']['code']}" if bundle else "")
    if not household:
        raise ValueError(f"case {data.get('id')!r}: needs a household key or a bundle")
    return Case(
        id=str(data["id"]),
        household=household,
        expected=_expected(data["expected"]),
        source=source,
        description=data.get("description", ""),
        bundle=bundle,
        pii_values=tuple(data.get("pii_values") or ()),
    )


def load_file(path: Path, source: str) -> tuple[list[Case], dict[str, Any]]:
    """Cases and header fields (seed, size) of one golden file."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    cases = [parse_case(item, source) for item in data.get("cases", [])]
    ids = [c.id for c in cases]
    if len(ids) != len(set(ids)):
        raise ValueError(f"{path}: duplicate case ids")
    return cases, {k: v for k, v in data.items() if k != "cases"}


def load_suite(suite: str = "golden", root: Path = GOLDEN_DIR) -> GoldenSet:
    """Load a suite: golden (both files), generated or hard."""
    if suite not in SUITES:
        raise ValueError(f"未知评测集 {suite!r}，可选：{'、'.join(SUITES)}")
    cases: list[Case] = []
    seed = size = None
    if suite in ("golden", "generated") and (root / GENERATED_FILE).exists():
        generated, header = load_file(root / GENERATED_FILE, "generated")
        cases += generated
        seed, size = header.get("seed"), header.get("size")
    if suite in ("golden", "hard") and (root / HARD_FILE).exists():
        cases += load_file(root / HARD_FILE, "hard")[0]
    return GoldenSet(cases=cases, seed=seed, size=size)


def subset(cases: list[Case], limit: int | None) -> list[Case]:
    """The first ``limit`` cases, interleaving sources so a small run sees both kinds."""
    if not limit or limit >= len(cases):
        return list(cases)
    by_source: dict[str, list[Case]] = {}
    for case in cases:
        by_source.setdefault(case.source, []).append(case)
    out: list[Case] = []
    queues = list(by_source.values())
    while len(out) < limit:
        for queue in queues:
            if queue and len(out) < limit:
                out.append(queue.pop(0))
    return out
