"""Proof files owners upload with a dispute: only images or PDF, size-checked by content, stored apart."""

from __future__ import annotations

import uuid
from pathlib import Path

MAX_BYTES = 5 * 1024 * 1024
SIGNATURES = ((b"\x89PNG\r\n\x1a\n", "png"), (b"\xff\xd8\xff", "jpg"), (b"%PDF-", "pdf"))


class ProofRejected(ValueError):
    """The upload is not an accepted proof (Chinese message)."""


def kind_of(data: bytes) -> str:
    """The file type read from the content (never from the name or the declared type)."""
    for magic, ext in SIGNATURES:
        if data.startswith(magic):
            return ext
    raise ProofRejected("凭证仅支持 JPG、PNG 图片或 PDF 文件")


def store_proof(var_dir: Path, data: bytes) -> str:
    """Check and store an uploaded proof; returns its stored name (a random id, never the owner's file name)."""
    if not data:
        raise ProofRejected("上传的文件为空")
    if len(data) > MAX_BYTES:
        raise ProofRejected("凭证文件不能超过 5 MB")
    name = f"{uuid.uuid4().hex}.{kind_of(data)}"
    folder = Path(var_dir) / "proofs"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data)
    return name
