"""Versioned prompts: every eval report names the prompt version that produced it."""

PROMPT_VERSION = "2026.11-3"
