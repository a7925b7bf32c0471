"""System-prompt texts the endpoint adds to steer the small embedded model (versioned)."""

from __future__ import annotations

PROMPT_VERSION = "llm-proxy-v1"

TOOLS_SYSTEM_PROMPT = """## 可用工具
你可以调用下列工具来获取信息或执行操作：
{tool_list}

## 输出规则（必须遵守）
1. 每次只输出一个 JSON 对象，不要输出任何其他文字。
2. 需要调用工具时输出：{{"tool": "工具名", "arguments": {{参数}}}}，参数必须符合该工具的参数说明。
3. {finish_rule}
4. 对话中已经给出的工具结果就是事实，直接使用，不要用相同参数重复调用同一个工具。
5. 不要编造工具结果，不要编造工具列表里没有的工具。"""

FINISH_RULE_AUTO = '已经掌握足够信息、或者不需要工具时，输出：{{"tool": "{final}", "content": "给用户的中文回答"}}。'
FINISH_RULE_REQUIRED = "本轮必须调用一个工具。"

SCHEMA_SYSTEM_PROMPT = """## 输出格式
只输出一个符合下列 JSON Schema 的 JSON 对象，不要输出其他文字：
{schema}"""

JSON_OBJECT_SYSTEM_PROMPT = "## 输出格式\n只输出一个 JSON 对象，不要输出其他文字。"

TOOL_RESULT_TEMPLATE = "【工具结果】{name}（调用 {call_id}）：\n{content}"
