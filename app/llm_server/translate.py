"""Translate OpenAI chat requests with tools or response formats into constrained upstream requests."""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass, field
from typing import Any

from app.llm_server import prompts

FINAL_TOOL = "final_answer"
FINAL_TOOL_FALLBACK = "reply_to_user"
_ROLES = {"system": "system", "developer": "system", "user": "user"}
PASSTHROUGH_FIELDS = (
    "temperature",
    "top_p",
    "max_tokens",
    "stop",
    "seed",
    "presence_penalty",
    "frequency_penalty",
)


@dataclass(frozen=True)
class ToolPlan:
    """Which tools the model may call this turn and whether it may answer directly.

    Attributes:
        functions: OpenAI function definitions (name, description, parameters) allowed now.
        allow_final: Whether the model may answer the user instead of calling a tool.
        final_name: Pseudo-tool name the model uses to answer directly.
    """

    functions: list[dict[str, Any]]
    allow_final: bool
    final_name: str = FINAL_TOOL

    @property
    def names(self) -> set[str]:
        """Names of the callable tools."""
        return {fn["name"] for fn in self.functions}


@dataclass
class ParsedReply:
    """The assistant message recovered from a constrained completion."""

    content: str | None
    tool_calls: list[dict[str, Any]] = field(default_factory=list)


def plan_tools(tools: list[dict[str, Any]] | None, tool_choice: Any) -> ToolPlan | None:
    """Select the tools for this turn from the request's `tools` and `tool_choice`.

    Args:
        tools: OpenAI `tools` list (`{"type": "function", "function": {...}}`).
        tool_choice: "auto", "none", "required", or `{"type": "function", "function": {"name": N}}`.

    Returns:
        The plan, or None when no tool may be called (plain chat).
    """
    functions = [t["function"] for t in tools or [] if t.get("type", "function") == "function"]
    if not functions or tool_choice == "none":
        return None
    names = {fn["name"] for fn in functions}
    final_name = FINAL_TOOL if FINAL_TOOL not in names else FINAL_TOOL_FALLBACK
    if isinstance(tool_choice, dict):
        wanted = (tool_choice.get("function") or {}).get("name")
        chosen = [fn for fn in functions if fn["name"] == wanted]
        if not chosen:
            raise ValueError(f"tool_choice names an unknown tool: {wanted!r}")
        return ToolPlan(chosen, allow_final=False, final_name=final_name)
    return ToolPlan(functions, allow_final=tool_choice != "required", final_name=final_name)


def _arguments_schema(fn: dict[str, Any]) -> dict[str, Any]:
    schema = dict(fn.get("parameters") or {"type": "object", "properties": {}})
    schema.setdefault("type", "object")
    schema.setdefault("additionalProperties", False)
    return schema


def tool_schema(plan: ToolPlan) -> dict[str, Any]:
    """Build the JSON schema that forces one tool call (or a direct answer) as a JSON object."""
    options = [
        {
            "type": "object",
            "properties": {"tool": {"const": fn["name"]}, "arguments": _arguments_schema(fn)},
            "required": ["tool", "arguments"],
            "additionalProperties": False,
        }
        for fn in plan.functions
    ]
    if plan.allow_final:
        options.append(
            {
                "type": "object",
                "properties": {"tool": {"const": plan.final_name}, "content": {"type": "string"}},
                "required": ["tool", "content"],
                "additionalProperties": False,
            }
        )
    return options[0] if len(options) == 1 else {"oneOf": options}


def tool_system_prompt(plan: ToolPlan) -> str:
    """Describe the tools and the output rules in Chinese for the system prompt."""
    lines = []
    for fn in plan.functions:
        params = json.dumps(fn.get("parameters") or {}, ensure_ascii=False, separators=(",", ":"))
        lines.append(f"- {fn['name']}：{fn.get('description', '').strip()}\n  参数：{params}")
    if plan.allow_final:
        finish = prompts.FINISH_RULE_AUTO.format(final=plan.final_name)
    else:
        finish = prompts.FINISH_RULE_REQUIRED
    return prompts.TOOLS_SYSTEM_PROMPT.format(tool_list="\n".join(lines), finish_rule=finish)


def text_of(content: Any) -> str:
    """Flatten OpenAI message content (string or list of parts) into text."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    parts = [p.get("text", "") for p in content if isinstance(p, dict) and p.get("type") == "text"]
    return "".join(parts)


def _render_call(call: dict[str, Any]) -> str:
    fn = call.get("function") or {}
    raw = fn.get("arguments") or "{}"
    try:
        arguments = json.loads(raw) if isinstance(raw, str) else raw
    except json.JSONDecodeError:
        arguments = raw
    return json.dumps({"tool": fn.get("name"), "arguments": arguments}, ensure_ascii=False)


def render_messages(messages: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Rewrite tool calls and tool results as plain turns the model's template can show.

    Assistant tool calls become the JSON the model itself would emit; consecutive tool
    results become one user turn that names each tool and call id.
    """
    names: dict[str, str] = {}
    rendered: list[dict[str, str]] = []
    for msg in messages:
        role = msg.get("role")
        if role in ("tool", "function"):
            call_id = msg.get("tool_call_id") or "-"
            name = msg.get("name") or names.get(call_id, "tool")
            text = prompts.TOOL_RESULT_TEMPLATE.format(name=name, call_id=call_id, content=text_of(msg.get("content")))
            if rendered and rendered[-1].get("_tool"):
                rendered[-1]["content"] += "\n\n" + text
            else:
                rendered.append({"role": "user", "content": text, "_tool": "1"})
            continue
        content = text_of(msg.get("content"))
        if role == "assistant" and msg.get("tool_calls"):
            for call in msg["tool_calls"]:
                names[call.get("id", "")] = (call.get("function") or {}).get("name", "tool")
            calls = "\n".join(_render_call(c) for c in msg["tool_calls"])
            content = f"{content}\n{calls}" if content else calls
        rendered.append({"role": _ROLES.get(role, "assistant"), "content": content})
    return [{"role": m["role"], "content": m["content"]} for m in rendered]


def add_system_text(messages: list[dict[str, str]], text: str) -> list[dict[str, str]]:
    """Append text to the leading system message, or insert one."""
    if messages and messages[0]["role"] == "system":
        head = {"role": "system", "content": f"{messages[0]['content']}\n\n{text}".strip()}
        return [head, *messages[1:]]
    return [{"role": "system", "content": text}, *messages]


_VALUE_KEYS = ("enum", "const", "minItems", "maxItems")


def schema_shape(schema: Any) -> Any:
    """The schema as the model reads it: value lists (``enum``/``const``) and item counts left to the grammar.

    A request's allowed values often change per call (this household's candidate causes) while the shape does
    not; keeping them out of the system text keeps that text identical across calls, so the server's prompt
    cache reuses it. The grammar still enforces the full schema, values included.
    """
    if isinstance(schema, dict):
        return {k: schema_shape(v) for k, v in schema.items() if k not in _VALUE_KEYS}
    if isinstance(schema, list):
        return [schema_shape(v) for v in schema]
    return schema


def _format_constraint(response_format: dict[str, Any] | None) -> tuple[dict[str, Any], str] | None:
    if not response_format:
        return None
    kind = response_format.get("type")
    if kind == "json_schema":
        schema = (response_format.get("json_schema") or {}).get("schema") or {"type": "object"}
        hint = json.dumps(schema_shape(schema), ensure_ascii=False, separators=(",", ":"))
        return schema, prompts.SCHEMA_SYSTEM_PROMPT.format(schema=hint)
    if kind == "json_object":
        return {"type": "object"}, prompts.JSON_OBJECT_SYSTEM_PROMPT
    return None


def build_upstream_request(body: dict[str, Any]) -> tuple[dict[str, Any], ToolPlan | None]:
    """Turn a client request into the upstream request and the tool plan used to read the reply.

    Raises:
        ValueError: When the request is malformed (no messages, unknown named tool).
    """
    if not isinstance(body.get("messages"), list) or not body["messages"]:
        raise ValueError("messages must be a non-empty list")
    messages = render_messages(body["messages"])
    upstream: dict[str, Any] = {k: body[k] for k in PASSTHROUGH_FIELDS if body.get(k) is not None}
    if body.get("max_completion_tokens") is not None and "max_tokens" not in upstream:
        upstream["max_tokens"] = body["max_completion_tokens"]
    plan = plan_tools(body.get("tools"), body.get("tool_choice", "auto"))
    if plan is not None:
        messages = add_system_text(messages, tool_system_prompt(plan))
        upstream["json_schema"] = tool_schema(plan)
    elif (constraint := _format_constraint(body.get("response_format"))) is not None:
        schema, hint = constraint
        messages = add_system_text(messages, hint)
        upstream["json_schema"] = schema
    upstream["messages"] = messages
    return upstream, plan


def _load_object(text: str) -> dict[str, Any] | None:
    candidates = [text.strip()]
    match = re.search(r"\{.*\}", text, re.DOTALL)
    if match:
        candidates.append(match.group(0))
    for candidate in candidates:
        try:
            value = json.loads(candidate)
        except json.JSONDecodeError:
            continue
        if isinstance(value, dict):
            return value
    return None


def new_call_id() -> str:
    """Return a fresh OpenAI-style tool call id."""
    return f"call_{uuid.uuid4().hex[:24]}"


def parse_tool_output(text: str, plan: ToolPlan) -> ParsedReply:
    """Read the model's constrained JSON as either a direct answer or one tool call."""
    value = _load_object(text)
    if value is None:
        return ParsedReply(content=text)
    tool = value.get("tool")
    if tool == plan.final_name or (tool is None and "content" in value):
        return ParsedReply(content=str(value.get("content", "")))
    if tool in plan.names:
        arguments = value.get("arguments") or {}
        call = {
            "id": new_call_id(),
            "type": "function",
            "function": {"name": tool, "arguments": json.dumps(arguments, ensure_ascii=False)},
        }
        return ParsedReply(content=None, tool_calls=[call])
    return ParsedReply(content=text)
