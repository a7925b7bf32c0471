"""Imports run one way (see README, "How it is built"): import-linter's contracts hold, and a wrong-way import fails."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from core.settings import PROJECT_ROOT

PACKAGES = ("core", "data", "tools", "knowledge_base", "prompts", "agent", "app", "evals", "tests")


def _lint(root: Path) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).with_name("lint-imports")
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run(
        [str(exe), "--config", str(root / ".importlinter"), "--no-cache"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def _copy_tree(target: Path) -> Path:
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.db", "*.sqlite", "*.yaml", "*.json", "*.md")
    for name in PACKAGES:
        shutil.copytree(PROJECT_ROOT / name, target / name, ignore=ignore)
    shutil.copy(PROJECT_ROOT / ".importlinter", target / ".importlinter")
    return target


def test_when_the_repository_is_linted_then_every_import_contract_is_kept():
    result = _lint(PROJECT_ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_when_a_lower_layer_imports_an_upper_one_then_the_lint_fails(tmp_path: Path):
    root = _copy_tree(tmp_path)
    (root / "data" / "wrong_way.py").write_text("from app.services import casework  # noqa: F401\n")
    result = _lint(root)
    assert result.returncode != 0
    assert "data.wrong_way -> app.services.casework" in result.stdout


def test_when_production_code_imports_tests_then_the_lint_fails(tmp_path: Path):
    root = _copy_tree(tmp_path)
    (root / "app" / "uses_fakes.py").write_text("import tests.fakes  # noqa: F401\n")
    result = _lint(root)
    assert result.returncode != 0
    assert "app.uses_fakes -> tests.fakes" in result.stdout


def test_when_the_repository_is_checked_then_it_has_one_format():
    exe = Path(sys.executable).with_name("ruff")
    result = subprocess.run(
        [str(exe), "format", "--check", *PACKAGES[:-1], "tests", "bench"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
