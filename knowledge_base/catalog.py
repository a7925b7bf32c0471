"""Load and validate the versioned knowledge-base files (causes, templates, policy docs)."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from knowledge_base.schema import Cause, Evidence, Handling, KbDoc, Template

__all__ = [
    "Cause",
    "Evidence",
    "Handling",
    "KbDoc",
    "KbLoadError",
    "Template",
    "default_root",
    "get_cause",
    "get_template",
    "kb_version",
    "load_causes",
    "load_docs",
    "load_templates",
]


class KbLoadError(ValueError):
    """A knowledge-base file is missing, malformed or inconsistent; the message names the file."""


def default_root() -> Path:
    """Folder holding causes/, docs/ and templates.yaml."""
    return Path(__file__).resolve().parent


def _root(root: Path | str | None) -> Path:
    return Path(root) if root is not None else default_root()


def _read_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise KbLoadError(f"{path}: cannot read YAML: {exc}") from exc


def _format_errors(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        loc = ".".join(str(item) for item in err["loc"]) or "<root>"
        parts.append(f"{loc}: {err['msg']}")
    return "; ".join(parts)


def cause_files(root: Path | str | None = None) -> list[Path]:
    """Sorted cause YAML files under root/causes."""
    return sorted((_root(root) / "causes").glob("*.yaml"))


def parse_cause_file(path: Path) -> Cause:
    """Parse and validate one cause file.

    Raises:
        KbLoadError: naming the file and the failing fields.
    """
    data = _read_yaml(path)
    if not isinstance(data, dict):
        raise KbLoadError(f"{path}: expected a mapping at top level")
    try:
        cause = Cause.model_validate(data)
    except ValidationError as exc:
        raise KbLoadError(f"{path}: invalid cause: {_format_errors(exc)}") from exc
    if cause.id != path.stem:
        raise KbLoadError(f"{path}: id {cause.id!r} does not match the file name")
    return cause


def load_causes(root: Path | str | None = None) -> list[Cause]:
    """Load every cause file, validating each and checking that ids are unique.

    Args:
        root: knowledge-base folder; defaults to the package folder.

    Raises:
        KbLoadError: on the first invalid file.
    """
    causes: list[Cause] = []
    seen: dict[str, Path] = {}
    for path in cause_files(root):
        cause = parse_cause_file(path)
        if cause.id in seen:
            raise KbLoadError(f"{path}: duplicate cause id {cause.id!r} (also in {seen[cause.id]})")
        seen[cause.id] = path
        causes.append(cause)
    if not causes:
        raise KbLoadError(f"{_root(root) / 'causes'}: no cause files found")
    return causes


def get_cause(cause_id: str, root: Path | str | None = None) -> Cause:
    """Return one cause by id.

    Raises:
        KeyError: if the id is unknown.
    """
    for cause in load_causes(root):
        if cause.id == cause_id:
            return cause
    raise KeyError(cause_id)


def load_templates(root: Path | str | None = None) -> list[Template]:
    """Load and validate templates.yaml (ids unique, compliant wording); cached until the file changes."""
    path = _root(root) / "templates.yaml"
    stamp = path.stat().st_mtime_ns if path.exists() else 0
    return list(_load_templates_cached(str(path), stamp))


@lru_cache(maxsize=8)
def _load_templates_cached(path_text: str, _stamp: int) -> tuple[Template, ...]:
    path = Path(path_text)
    data = _read_yaml(path)
    items = data.get("templates") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise KbLoadError(f"{path}: expected a top-level 'templates' list")
    templates: list[Template] = []
    seen: set[str] = set()
    for index, item in enumerate(items):
        try:
            template = Template.model_validate(item)
        except ValidationError as exc:
            raise KbLoadError(f"{path}: template #{index}: {_format_errors(exc)}") from exc
        if template.id in seen:
            raise KbLoadError(f"{path}: duplicate template id {template.id!r}")
        seen.add(template.id)
        templates.append(template)
    return tuple(templates)


def get_template(template_id: str, root: Path | str | None = None) -> Template:
    """Return one template by id.

    Raises:
        KeyError: if the id is unknown.
    """
    for template in load_templates(root):
        if template.id == template_id:
            return template
    raise KeyError(template_id)


def _split_front_matter(path: Path) -> tuple[dict[str, Any], str]:
    text = path.read_text(encoding="utf-8")
    if not text.startswith("---"):
        raise KbLoadError(f"{path}: missing YAML front matter")
    _, header, body = text.split("---", 2)
    try:
        meta = yaml.safe_load(header) or {}
    except yaml.YAMLError as exc:
        raise KbLoadError(f"{path}: bad front matter: {exc}") from exc
    return meta, body.strip()


def load_docs(root: Path | str | None = None) -> list[KbDoc]:
    """Load the Markdown policy documents under root/docs."""
    docs = []
    for path in sorted((_root(root) / "docs").glob("*.md")):
        meta, body = _split_front_matter(path)
        try:
            docs.append(KbDoc.model_validate({**meta, "body": body, "path": path.name}))
        except ValidationError as exc:
            raise KbLoadError(f"{path}: invalid front matter: {_format_errors(exc)}") from exc
    return docs


def kb_files(root: Path | str | None = None) -> list[Path]:
    """All content files that define the knowledge base, in a stable order."""
    base = _root(root)
    files = cause_files(base) + sorted((base / "docs").glob("*.md"))
    templates = base / "templates.yaml"
    return files + ([templates] if templates.exists() else [])


def kb_version(root: Path | str | None = None) -> str:
    """Short content hash of all KB files, used to label eval reports."""
    base = _root(root)
    digest = hashlib.sha256()
    for path in kb_files(base):
        digest.update(path.relative_to(base).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]
