"""The tagger network in plain torch modules: a BERT encoder and a per-character tag head.

Written out here so that tagging needs no ``transformers`` import (which costs seconds at
start-up). Parameter names follow BERT checkpoints (``bert.embeddings.word_embeddings.weight``,
``bert.encoder.layer.0.attention.self.query.weight`` …) so m3e-small's weights load as they are.
Post-norm layers, GELU, absolute positions, one token type.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F


class Embeddings(nn.Module):
    """Word + position + (single) token-type embeddings, then layer norm."""

    def __init__(self, config: dict) -> None:
        super().__init__()
        hidden = config["hidden_size"]
        self.word_embeddings = nn.Embedding(config["vocab_size"], hidden)
        self.position_embeddings = nn.Embedding(config["max_position_embeddings"], hidden)
        self.token_type_embeddings = nn.Embedding(config.get("type_vocab_size", 2), hidden)
        self.LayerNorm = nn.LayerNorm(hidden, eps=config.get("layer_norm_eps", 1e-12))
        self.dropout = nn.Dropout(config.get("hidden_dropout_prob", 0.1))

    def forward(self, ids: torch.Tensor) -> torch.Tensor:  # noqa: D102
        positions = torch.arange(ids.shape[1], device=ids.device)
        x = self.word_embeddings(ids) + self.position_embeddings(positions)[None] + self.token_type_embeddings.weight[0]
        return self.dropout(self.LayerNorm(x))


class Dense(nn.Module):
    """A linear map named ``dense`` (and a layer norm when asked), as in BERT checkpoints."""

    def __init__(self, n_in: int, n_out: int, eps: float | None = None) -> None:
        super().__init__()
        self.dense = nn.Linear(n_in, n_out)
        if eps is not None:
            self.LayerNorm = nn.LayerNorm(n_out, eps=eps)


class SelfAttention(nn.Module):
    """Query, key and value projections."""

    def __init__(self, hidden: int) -> None:
        super().__init__()
        self.query = nn.Linear(hidden, hidden)
        self.key = nn.Linear(hidden, hidden)
        self.value = nn.Linear(hidden, hidden)


class Attention(nn.Module):
    """Self-attention and its output projection."""

    def __init__(self, hidden: int, eps: float) -> None:
        super().__init__()
        self.self = SelfAttention(hidden)
        self.output = Dense(hidden, hidden, eps)


class Layer(nn.Module):
    """One post-norm transformer layer."""

    def __init__(self, config: dict) -> None:
        super().__init__()
        hidden, inner = config["hidden_size"], config["intermediate_size"]
        eps = config.get("layer_norm_eps", 1e-12)
        self.heads = config["num_attention_heads"]
        self.attention_dropout = config.get("attention_probs_dropout_prob", 0.1)
        self.dropout = nn.Dropout(config.get("hidden_dropout_prob", 0.1))
        self.attention = Attention(hidden, eps)
        self.intermediate = Dense(hidden, inner)
        self.output = Dense(inner, hidden, eps)

    def forward(self, x: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:  # noqa: D102
        b, n, hidden = x.shape
        a = self.attention.self

        def split(t: torch.Tensor) -> torch.Tensor:
            return t.view(b, n, self.heads, hidden // self.heads).transpose(1, 2)

        drop = self.attention_dropout if self.training else 0.0
        q, k, v = split(a.query(x)), split(a.key(x)), split(a.value(x))
        ctx = F.scaled_dot_product_attention(q, k, v, attn_mask=bias, dropout_p=drop)
        ctx = ctx.transpose(1, 2).reshape(b, n, hidden)
        out = self.attention.output
        x = out.LayerNorm(x + self.dropout(out.dense(ctx)))
        h = F.gelu(self.intermediate.dense(x))
        return self.output.LayerNorm(x + self.dropout(self.output.dense(h)))


class Encoder(nn.Module):
    """The stack of layers."""

    def __init__(self, config: dict) -> None:
        super().__init__()
        self.layer = nn.ModuleList(Layer(config) for _ in range(config["num_hidden_layers"]))


class Bert(nn.Module):
    """Embeddings and encoder (no pooler)."""

    def __init__(self, config: dict) -> None:
        super().__init__()
        self.embeddings = Embeddings(config)
        self.encoder = Encoder(config)


class Tagger(nn.Module):
    """BERT plus a linear head: one tag distribution (logits) per token."""

    def __init__(self, config: dict, num_tags: int) -> None:
        super().__init__()
        self.bert = Bert(config)
        self.dropout = nn.Dropout(config.get("hidden_dropout_prob", 0.1))
        self.head = nn.Linear(config["hidden_size"], num_tags)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        """Logits (batch, tokens, tags); padded positions (mask 0) are not attended to."""
        bias = torch.zeros(attention_mask.shape, dtype=torch.float32)
        bias = bias.masked_fill(attention_mask == 0, float("-inf"))[:, None, None, :]
        x = self.bert.embeddings(input_ids)
        for layer in self.bert.encoder.layer:
            x = layer(x, bias)
        return self.head(self.dropout(x))
