"""The embedded OpenAI-compatible inference server and its lifecycle.

xllamacpp behind a proxy that turns `tools` into constrained completions. Infrastructure: the agent reaches it
only over HTTP, through `agent.llm.client`.
"""
