"""The fine-tuned encoder tagger: m3e-small's Chinese BERT with a per-character tag head.

One token per character (the Chinese BERT vocabulary holds single characters, ASCII letters
and digits), so tags map back to character offsets without alignment. The network is trained
in torch (``core.redaction.learned.network``, ``python -m core.redaction.train_encoder``) and
shipped as an int8 ONNX graph (``names_places_encoder.onnx``) that ONNX Runtime runs: no
torch import at run time, about three times faster than torch on 2 cores. Texts are
tagged one window at a time (deterministic per text); long texts in overlapping windows.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

MODEL_DIR = Path(__file__).resolve().parents[1] / "models"
WEIGHTS_PATH = MODEL_DIR / "names_places_encoder.onnx"
META_PATH = MODEL_DIR / "names_places_encoder.json"
TAGS = ("O", "B-PER", "I-PER", "B-LOC", "I-LOC")
LABELS = ("PER", "LOC")
WINDOW = 126
"""Characters per window (two places are taken by [CLS] and [SEP])."""
MARGIN = 16
"""Overlap of consecutive windows on each side: a name across a window edge is read whole."""
SPACE_TOKEN = "[unused1]"
THREADS = 2
"""ONNX Runtime threads per tagger (the machines this runs on have 2 cores)."""


class CharVocab:
    """Character → token id, with lower-casing for ASCII and [UNK] for the rest."""

    def __init__(self, tokens: list[str]) -> None:
        self.tokens = tokens
        self.ids = {t: i for i, t in enumerate(tokens)}
        self.unk = self.ids["[UNK]"]
        self.cls = self.ids["[CLS]"]
        self.sep = self.ids["[SEP]"]
        self.pad = self.ids["[PAD]"]
        self.space = self.ids.get(SPACE_TOKEN, self.unk)

    def encode(self, text: str) -> list[int]:
        """One id per character."""
        out = []
        ids = self.ids
        for ch in text:
            if ch.isspace():
                out.append(self.space)
                continue
            i = ids.get(ch)
            if i is None:
                i = ids.get(ch.lower(), self.unk)
            out.append(i)
        return out


class EncoderTagger:
    """Per-character PER/LOC probabilities from the fine-tuned encoder."""

    def __init__(self, weights_path: Path = WEIGHTS_PATH, meta_path: Path = META_PATH) -> None:
        import onnxruntime

        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        self.meta = meta
        self.vocab = CharVocab(meta["vocab"])
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = THREADS
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        self._session = onnxruntime.InferenceSession(str(weights_path), options, providers=["CPUExecutionProvider"])

    def probabilities(self, texts: list[str]) -> list[np.ndarray]:
        """For each text, an array (len(text), 4): P(PER), P(B-PER), P(LOC), P(B-LOC)."""
        windows: list[tuple[int, int, int, int, list[int]]] = []
        for n, text in enumerate(texts):
            ids = self.vocab.encode(text)
            start = 0
            while ids:
                piece = ids[start : start + WINDOW]
                last = start + WINDOW >= len(ids)
                # Keep each character's tags from a window where it has context on both sides.
                lo = 0 if start == 0 else MARGIN
                hi = len(piece) if last else len(piece) - MARGIN
                windows.append((n, start, lo, hi, piece))
                if last:
                    break
                start += WINDOW - 2 * MARGIN
        out = [np.zeros((len(t), 4), dtype=np.float32) for t in texts]
        # One window per run: int8 activations are scaled per run, so a batch would make a
        # text's tags depend on the texts beside it; one at a time, the same text always
        # gets the same tags.
        for n, start, lo, hi, piece in windows:
            ids = np.array([[self.vocab.cls, *piece, self.vocab.sep]], dtype=np.int64)
            mask = np.ones_like(ids)
            logits = self._session.run(None, {"input_ids": ids, "attention_mask": mask})[0][0]
            logits = logits - logits.max(axis=-1, keepdims=True)
            probs = np.exp(logits)
            probs /= probs.sum(axis=-1, keepdims=True)
            p = probs[1 + lo : 1 + hi]
            target = out[n][start + lo : start + hi]
            target[:, 0] = p[:, 1] + p[:, 2]
            target[:, 1] = p[:, 1]
            target[:, 2] = p[:, 3] + p[:, 4]
            target[:, 3] = p[:, 3]
        return out
