"""Run a golden suite through the plan graph, score every case and build the report object."""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from evals.cases import GOLDEN_DIR, Case, GoldenSet, load_suite, subset
from evals.scorers import CaseRun, Scorer, default_scorers
from evals.summary import case_checks, check_thresholds, load_thresholds, per_cause, summarize
from tools.contracts import Evidence

log = logging.getLogger(__name__)


@dataclass
class RunOptions:
    """What to run and with which model, judge and knowledge base."""

    suite: str = "golden"
    limit: int | None = None
    model: str = "scripted"
    """scripted (deterministic, CI) or endpoint (the configured OpenAI-compatible endpoint)."""
    judge: str = "scripted"
    """scripted, endpoint or none."""
    judge_base_url: str | None = None
    judge_model: str | None = None
    kb: str | None = None
    """lexical or hybrid; default lexical with the scripted model, hybrid with the endpoint."""
    work_dir: Path | None = None
    """Where the eval database and the finished cases live; a temporary folder (removed afterwards) by default.
    A named folder keeps ``cases.jsonl`` (one line per finished case) so an interrupted run can resume."""
    resume: bool = False
    """Continue the run in ``work_dir``: finished cases are kept, failed and missing ones are run."""
    reviews_url: str | None = None
    """Database holding reviewer scores for judge agreement; skipped when absent."""
    thresholds: Path | None = None
    golden_dir: Path = GOLDEN_DIR
    on_case: Callable[[int, int, dict], None] | None = field(default=None, repr=False)


@dataclass
class Harness:
    """Per-run wiring: context factory, prompt capture and knowledge base."""

    ctx: Any
    prompts: Callable[[], list[str]]
    reset: Callable[[], None]
    model_label: str


def prepare_database(url: str, golden: GoldenSet, cases: list[Case]) -> Any:
    """Migrate, generate the portfolio the generated cases refer to, and load every hand-written bundle."""
    from data.db.session import init_db, make_session_factory
    from data.generator.generate import generate
    from evals.bundles import load_bundles

    engine = init_db(url)
    if any(c.source == "generated" for c in cases):
        if golden.seed is None or golden.size is None:
            raise ValueError("generated.yaml 缺少 seed/size，无法重建样本库")
        generate(engine, int(golden.size), seed=int(golden.seed))
    with make_session_factory(engine)() as session:
        load_bundles(session, [c for c in golden.cases if c.bundle])
        session.commit()
    return engine


def _scripted_harness(settings: Any, engine: Any, kb: Any) -> Harness:
    from agent.context import AgentContext
    from core.scope import CallerScope
    from data.db.session import make_session_factory
    from evals.scripted import ScriptedEvalModel

    model = ScriptedEvalModel()
    ctx = AgentContext(
        session_factory=make_session_factory(engine),
        model_factory=lambda **_: model,
        kb=kb,
        scope=CallerScope("eval"),
        settings=settings,
    )
    return Harness(ctx, model.prompt_texts, model.sent.clear, "scripted")


def _endpoint_harness(settings: Any, kb: Any) -> Harness:
    from app.runtime import build_agent_runtime
    from evals.scripted import PromptRecorder

    recorder = PromptRecorder()
    ctx = build_agent_runtime(settings, kb=kb).context(user="eval")
    base_factory = ctx.model_factory

    def recording_factory(**kwargs: Any) -> Any:
        model = base_factory(**kwargs)
        model.callbacks = [*(model.callbacks or []), recorder]
        return model

    ctx.model_factory = recording_factory
    return Harness(ctx, lambda: list(recorder.prompts), recorder.reset, settings.llm_model)


def build_harness(options: RunOptions, settings: Any, engine: Any) -> Harness:
    """Context for the chosen model; the knowledge base is lexical or hybrid."""
    kb_mode = options.kb or ("lexical" if options.model == "scripted" else "hybrid")
    if kb_mode == "lexical":
        from evals.scripted import LexicalOnlyKB

        kb: Any = LexicalOnlyKB()
    else:
        from knowledge_base.retrieval import KnowledgeBase

        kb = KnowledgeBase(settings)
    if options.model == "scripted":
        return _scripted_harness(settings, engine, kb)
    if options.model == "endpoint":
        return _endpoint_harness(settings, kb)
    raise ValueError(f"未知模型 {options.model!r}，可选 scripted 或 endpoint")


def owner_lines(state: dict[str, Any], limit: int = 12) -> list[str]:
    """The redacted owner chat lines the agent saw (for the report's drill-down)."""
    lines = Evidence.from_sources(state.get("evidence")).owner_lines()
    return [f"[{m.id}] {m.text}" for m in lines][-limit:]


def run_case(case: Case, harness: Harness, scorers: list[Scorer]) -> dict[str, Any]:
    """Run the graph for one case and score it; errors are recorded, never raised."""
    from langgraph.checkpoint.memory import InMemorySaver

    from agent.graph import build_graph
    from agent.output import plan_result
    from agent.runner import run_plan
    from evals.facts import load_truth

    ctx = harness.ctx
    harness.reset()
    started = time.perf_counter()
    state: dict[str, Any] = {}
    error = None
    try:
        state = run_plan(build_graph(InMemorySaver()), ctx, case.household, thread_id=f"eval:{case.id}")
    except Exception as exc:  # a broken case is a failed case, not a broken run
        log.exception("eval case %s failed", case.id)
        error = f"{type(exc).__name__}: {exc}"
    seconds = time.perf_counter() - started
    record: dict[str, Any] = {
        "id": case.id,
        "source": case.source,
        "household": case.household,
        "description": case.description,
        "expected": {
            "primary": case.expected.primary,
            "acceptable": list(case.expected.acceptable),
            "flags": case.expected.flags,
            "plan": case.expected.plan,
            "forbidden": list(case.expected.forbidden),
        },
        "error": error,
        "passed": False,
        "scores": {},
        "checks": {},
    }
    if error or not state.get("plan"):
        record["error"] = error or "no plan produced"
        return record
    with ctx.session_factory() as session:
        truth = load_truth(session, case.household, case.pii_values)
    run = CaseRun(case=case, state=state, truth=truth, prompts=harness.prompts(), seconds=seconds, causes=ctx.kb.causes)
    scores = {scorer.name: scorer(run) for scorer in scorers}
    checks = case_checks(scores)
    public = plan_result(state, ctx.kb)
    record.update(
        {
            "scores": scores,
            "checks": checks,
            "passed": all(checks.values()),
            "diagnosis": public["diagnosis"],
            "plan": public["plan"],
            "validation": public["validation"],
            "candidates": [{"cause_id": c["cause_id"], "score": c["score"]} for c in state.get("candidates", [])],
            "owner_lines": owner_lines(state),
            "truth": {"days_overdue": truth.days_overdue, "arrears": str(truth.arrears)},
        }
    )
    return record


def _judge(options: RunOptions) -> Any:
    from evals.judge import endpoint_judge, scripted_judge

    if options.judge == "none":
        return None
    if options.judge == "endpoint":
        return endpoint_judge(options.judge_base_url, options.judge_model)
    return scripted_judge()


CASES_FILE = "cases.jsonl"
RUN_FILE = "run.json"
PREPARED_MARK = "prepared"


class ResumeError(ValueError):
    """The work folder holds another run, or a run that cannot be continued (message in Chinese)."""


def run_identity(options: RunOptions, model_label: str) -> dict[str, Any]:
    """What must match for finished cases to be reused: suite, subset, model, judge, knowledge base, versions."""
    from knowledge_base.catalog import kb_version
    from prompts import PROMPT_VERSION

    return {
        "suite": options.suite,
        "limit": options.limit,
        "model": model_label,
        "judge": options.judge,
        "kb": options.kb or ("lexical" if options.model == "scripted" else "hybrid"),
        "prompt_version": PROMPT_VERSION,
        "kb_version": kb_version(),
    }


def finished_cases(work: Path, identity: dict[str, Any], resume: bool) -> dict[str, dict[str, Any]]:
    """Cases already finished in ``work`` (by id), after checking the folder belongs to this run."""
    run_file, cases_file = work / RUN_FILE, work / CASES_FILE
    if not cases_file.exists():
        run_file.write_text(json.dumps(identity, ensure_ascii=False), encoding="utf-8")
        return {}
    if not resume:
        raise ResumeError(f"工作目录 {work} 已有评测结果；继续这次评测请加 --resume，或换一个目录")
    stored = json.loads(run_file.read_text(encoding="utf-8")) if run_file.exists() else {}
    changed = sorted(k for k in identity if stored.get(k) != identity[k])
    if changed:
        raise ResumeError(
            f"无法续跑：{', '.join(changed)} 与原评测不同（原 {[stored.get(k) for k in changed]}，"
            f"现 {[identity[k] for k in changed]}）"
        )
    return {case_id: record for case_id, record in read_cases(cases_file).items() if not record.get("error")}


def read_cases(cases_file: Path) -> dict[str, dict[str, Any]]:
    """Scored case records of a work folder by id; a case run again after a failure keeps its latest line.

    A line cut short by an interruption is skipped, so that case counts as not finished.
    """
    records: dict[str, dict[str, Any]] = {}
    if not cases_file.exists():
        return records
    for line in cases_file.read_text(encoding="utf-8").splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict) and "id" in record:
            records[record["id"]] = record
    return records


def _append(path: Path, record: dict[str, Any]) -> None:
    with path.open("a", encoding="utf-8") as out:
        out.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")
        out.flush()
        os.fsync(out.fileno())


def run_suite(options: RunOptions, settings: Any) -> dict[str, Any]:
    """Run the suite end to end and return the report object (meta, summary, per_cause, gate, cases)."""
    from knowledge_base.catalog import kb_version
    from prompts import PROMPT_VERSION

    golden = load_suite(options.suite, options.golden_dir)
    cases = subset(golden.cases, options.limit)
    own_dir = options.work_dir is None
    work = Path(options.work_dir or tempfile.mkdtemp(prefix="steward-eval-"))
    work.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{work / 'eval.db'}"
    run_settings = settings.model_copy(
        update={"database_url": url, "var_dir": work / "var", "chroma_dir": settings.resolved_chroma_dir}
    )
    started = datetime.now()
    if not (work / PREPARED_MARK).exists():
        (work / "eval.db").unlink(missing_ok=True)  # a preparation cut short starts over
        prepare_database(url, golden, cases).dispose()
        (work / PREPARED_MARK).touch()
    from data.db.session import init_db

    engine = init_db(url)
    try:
        harness = build_harness(options, run_settings, engine)
        done = {} if own_dir else finished_cases(work, run_identity(options, harness.model_label), options.resume)
        judge = _judge(options)
        scorers = default_scorers(judge)
        results = []
        for index, case in enumerate(cases, 1):
            record = done.get(case.id)
            if record is None:
                record = run_case(case, harness, scorers)
                if not own_dir:
                    _append(work / CASES_FILE, record)
            results.append(record)
            if options.on_case:
                options.on_case(index, len(cases), results[-1])
    finally:
        engine.dispose()
        if own_dir:
            shutil.rmtree(work, ignore_errors=True)
    meta = {
        "run_id": started.strftime("%Y%m%d-%H%M%S"),
        "suite": options.suite,
        "limit": options.limit,
        "model": harness.model_label,
        "judge": judge.label if judge else "none",
        "kb": options.kb or ("lexical" if options.model == "scripted" else "hybrid"),
        "prompt_version": PROMPT_VERSION,
        "kb_version": kb_version(),
        "seed": golden.seed,
        "size": golden.size,
        "started_at": started.isoformat(timespec="seconds"),
        "duration_s": round((datetime.now() - started).total_seconds(), 1),
        "resumed_cases": len(done),
    }
    report = build_report(meta, results, harness.ctx.kb.causes, options.thresholds)
    _add_review_agreement(report, options)
    return report


def threshold_profile(model_label: str) -> str:
    """Section of the thresholds file that gates a run: ``scripted`` or ``endpoint`` (any served model)."""
    return "scripted" if model_label == "scripted" else "endpoint"


def build_report(
    meta: dict[str, Any], results: list[dict[str, Any]], causes: Any, thresholds_path: Path | None = None
) -> dict[str, Any]:
    """The report object (meta, summary, per_cause, gate, cases) from scored case records."""
    summary = summarize(results, causes)
    thresholds = load_thresholds(thresholds_path, threshold_profile(meta["model"]))
    meta = {
        **meta,
        "cases_seconds": round(sum((r.get("scores", {}).get("usage") or {}).get("seconds", 0) for r in results), 1),
    }
    report = {
        "meta": meta,
        "summary": summary,
        "per_cause": per_cause(results),
        "gate": {"thresholds": thresholds, "failures": check_thresholds(summary, thresholds)},
        "cases": results,
    }
    report["gate"]["passed"] = not report["gate"]["failures"]
    return report


def progress_report(work: Path, thresholds_path: Path | None = None) -> dict[str, Any]:
    """An interim report of a run still under way (or interrupted) in ``work``: its finished cases only.

    Raises:
        ResumeError: ``work`` holds no run.
    """
    from knowledge_base.catalog import load_causes

    run_file = work / RUN_FILE
    if not run_file.exists():
        raise ResumeError(f"{work} 不是评测工作目录（缺少 {RUN_FILE}）")
    identity = json.loads(run_file.read_text(encoding="utf-8"))
    records = read_cases(work / CASES_FILE)
    golden = load_suite(identity["suite"])
    planned = subset(golden.cases, identity.get("limit"))
    results = [records[c.id] for c in planned if c.id in records]
    meta = {
        **identity,
        "run_id": f"{work.name}-partial",
        "seed": golden.seed,
        "size": golden.size,
        "partial": True,
        "planned_cases": len(planned),
        "finished_cases": len(results),
    }
    return build_report(meta, results, {c.id: c for c in load_causes()}, thresholds_path)


def _add_review_agreement(report: dict[str, Any], options: RunOptions) -> None:
    if not options.reviews_url:
        return
    from evals.reviews import agreement_stats, load_reviews_if_present

    reviews = load_reviews_if_present(options.reviews_url)
    if reviews:
        report["review_agreement"] = agreement_stats(reviews, report["cases"])


def cli_summary(report: dict[str, Any]) -> dict[str, Any]:
    """The compact object printed by ``steward eval run --json``."""
    s = report["summary"]
    keys = (
        "cases",
        "passed",
        "pass_rate",
        "cause_top1",
        "cause_top3",
        "cause_macro_f1",
        "dimension_macro_f1",
        "citation_validity",
        "citation_support",
        "compliance_pass_rate",
        "independent_pass_rate",
        "pii_leaks",
        "policy_pass_rate",
        "requirements_pass_rate",
        "tone_mean",
        "latency_median_s",
    )
    return {
        **{k: s.get(k) for k in keys},
        "model": report["meta"]["model"],
        "prompt_version": report["meta"]["prompt_version"],
        "kb_version": report["meta"]["kb_version"],
        "gate_passed": report["gate"]["passed"],
        "gate_failures": report["gate"]["failures"],
    }
