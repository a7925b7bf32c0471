"""Chroma in client/server mode: with STEWARD_CHROMA_URL the knowledge base lives on a `chroma run` server."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from core.settings import Settings
from knowledge_base.retrieval import KnowledgeBase
from knowledge_base.store import CAUSES_COLLECTION, SentenceTransformerEmbedding, open_client
from knowledge_base.taxonomy import CAUSE_IDS

CHROMA = Path(sys.executable).parent / "chroma"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def chroma_server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A `chroma run` server on a free port with its data in a temporary folder; (url, data folder)."""
    if not CHROMA.exists():
        pytest.fail(f"{CHROMA} is missing: the chromadb package should install the `chroma` command")
    data, port = tmp_path / "chroma-server", _free_port()
    log = (tmp_path / "chroma.log").open("wb")
    proc = subprocess.Popen(
        [str(CHROMA), "run", "--path", str(data), "--host", "127.0.0.1", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if proc.poll() is not None:
                pytest.fail(f"chroma run exited ({proc.returncode}): {(tmp_path / 'chroma.log').read_text()[-2000:]}")
            try:
                if httpx.get(f"{url}/api/v2/heartbeat", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("chroma run did not answer its heartbeat within 30 s")
            time.sleep(0.2)
        yield url, data
    finally:
        proc.kill()
        proc.wait(timeout=10)
        log.close()


def test_when_chroma_url_is_set_then_the_knowledge_base_lives_on_the_server_and_ranks_as_embedded(
    chroma_server: tuple[str, Path], fake_embedder: SentenceTransformerEmbedding, kb_root: Path, tmp_path: Path
):
    url, server_data = chroma_server
    remote_settings = Settings(var_dir=tmp_path / "remote-var", chroma_url=url)
    remote = KnowledgeBase(settings=remote_settings, embedder=fake_embedder, root=kb_root)
    report = remote.ingest()
    assert sorted(report.added) == sorted(CAUSE_IDS)
    assert not (tmp_path / "remote-var" / "chroma").exists()  # nothing written to the embedded folder
    assert any(server_data.iterdir())  # the server stored it

    # Another process (a second API or worker machine) sees the same collection through the server.
    again = KnowledgeBase(settings=remote_settings, embedder=fake_embedder, root=kb_root)
    assert not again.ingest().changed
    client = open_client(tmp_path / "unused", url)
    assert client.get_collection(CAUSES_COLLECTION).count() == report.passages

    embedded = KnowledgeBase(settings=Settings(var_dir=tmp_path / "local-var"), embedder=fake_embedder, root=kb_root)
    embedded.ingest()
    assert (tmp_path / "local-var" / "chroma").exists()
    for text in ("电梯坏了三个月没人修，物业费我不交", "最近失业了，手头紧，能不能分期", "忘记交了，下次一起交"):
        on_server, local = remote.search(text, k=5), embedded.search(text, k=5)
        assert on_server and [h.cause_id for h in on_server] == [h.cause_id for h in local]
        assert [h.score for h in on_server] == pytest.approx([h.score for h in local], abs=1e-5)


def test_when_chroma_url_is_unset_then_the_embedded_persistent_client_is_used(tmp_path: Path):
    client = open_client(tmp_path / "chroma")
    client.get_or_create_collection("probe")
    assert (tmp_path / "chroma" / "chroma.sqlite3").exists()
