"""`steward llm`: serve, check and try the embedded OpenAI-compatible model endpoint."""

from __future__ import annotations

import typer
from rich.console import Console

app = typer.Typer(no_args_is_help=True, help="内置大模型服务 / embedded LLM endpoint.")
console = Console()


@app.command(help="启动内置模型服务（OpenAI 兼容接口），直到按 Ctrl+C 停止。")
def serve(
    port: int = typer.Option(None, help="监听端口，默认取 STEWARD_LLM_BASE_URL 的端口。"),
    host: str = typer.Option(None, help="监听地址，默认取 STEWARD_LLM_BASE_URL 的主机（127.0.0.1）。"),
    parallel: int = typer.Option(1, min=1, help="同时解码的请求数（每个请求各有 llm_ctx 上下文）。"),
) -> None:
    """Serve the embedded endpoint until interrupted."""
    from app.llm_server.server import ModelFileError, endpoint_address
    from app.llm_server.server import serve as run_server
    from core.settings import get_settings

    settings = get_settings()
    bind_host, bind_port = endpoint_address(settings)
    console.print(f"[bold]启动内置模型服务[/bold] http://{host or bind_host}:{port or bind_port}/v1 ...")
    try:
        run_server(settings, host=host, port=port, parallel=parallel)
    except ModelFileError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc


@app.command(help="检查配置的模型服务是否可用。")
def health() -> None:
    """Check that the configured endpoint answers."""
    from agent.llm.client import endpoint_healthy, health_url, is_embedded_endpoint
    from core.settings import get_settings

    settings = get_settings()
    kind = "内置" if is_embedded_endpoint(settings) else "外部"
    if endpoint_healthy(settings, timeout=5.0):
        console.print(f"[green]正常[/green] {kind}模型服务 {settings.llm_base_url}（{settings.llm_model}）")
        return
    console.print(f"[red]不可用[/red] {kind}模型服务：{health_url(settings)} 无响应")
    if kind == "内置":
        console.print("可运行 `steward llm serve` 启动内置模型服务。")
    raise typer.Exit(1)


@app.command(help="向模型提一个问题并流式显示回答（必要时自动启动内置模型服务）。")
def ask(
    text: str = typer.Argument(..., help="要问模型的话。"),
    max_tokens: int = typer.Option(512, help="最多生成的 token 数。"),
) -> None:
    """Stream the model's reply to one question, starting the embedded endpoint if needed."""
    from agent.llm.client import get_chat_model
    from app.llm_server.lifecycle import ensure_endpoint
    from core.settings import get_settings

    settings = get_settings()
    try:
        ensure_endpoint(settings)
    except Exception as exc:  # noqa: BLE001 - shown to the user as is
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from exc
    model = get_chat_model(settings, max_tokens=max_tokens)
    usage = None
    for chunk in model.stream(text):
        console.print(chunk.content, end="", soft_wrap=True, highlight=False, markup=False)
        usage = chunk.usage_metadata or usage
    console.print()
    if usage:
        console.print(f"[dim]输入 {usage['input_tokens']} tokens，输出 {usage['output_tokens']} tokens[/dim]")
