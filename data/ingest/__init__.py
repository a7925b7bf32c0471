"""Ingest households and evidence from other systems (bundles, per-kind tables, WeChat exports), incrementally."""

from data.ingest.fingerprint import evidence_parts, refresh_fingerprints
from data.ingest.runner import INGEST_KINDS, KIND_LABELS, IngestResult, ingest_file
from data.ingest.speakers import OwnerNames, owner_title
from data.ingest.wechat import parse_wechat

__all__ = [
    "INGEST_KINDS",
    "KIND_LABELS",
    "IngestResult",
    "OwnerNames",
    "evidence_parts",
    "ingest_file",
    "owner_title",
    "parse_wechat",
    "refresh_fingerprints",
]
