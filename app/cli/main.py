"""The `steward` command line (Typer): one sub-command group per module in app/cli/."""

from __future__ import annotations

import typer

from app import plugins
from app.cli import (
    audit_cmd,
    batch_cmd,
    case_cmd,
    chat_cmd,
    data_cmd,
    households_cmd,
    kb_cmd,
    llm_cmd,
    plan_cmd,
    queue_cmd,
    redact_cmd,
    risk_cmd,
    serve_cmd,
    settings_cmd,
    worker_cmd,
)


class StewardCLI(typer.Typer):
    """The command group; a database whose encryption keys do not match ends the command with a clear message."""

    def __call__(self, *args: object, **kwargs: object) -> object:
        """Run the command line."""
        from core.redaction import logfilter
        from data.db.keycheck import KeyMismatchError

        logfilter.install()
        try:
            return super().__call__(*args, **kwargs)
        except KeyMismatchError as exc:
            typer.echo(f"错误 / Error: {exc}", err=True)
            raise SystemExit(2) from None


app = StewardCLI(
    name="steward",
    help="Steward 智能催费助手 / Steward dunning assistant.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
app.add_typer(settings_cmd.app, name="settings")
app.add_typer(data_cmd.app, name="data")
app.add_typer(households_cmd.app, name="households")
app.add_typer(kb_cmd.app, name="kb")
app.add_typer(llm_cmd.app, name="llm")
redact_cmd.register(app)
for module in (plan_cmd, chat_cmd, risk_cmd, queue_cmd, batch_cmd, case_cmd, serve_cmd, audit_cmd, worker_cmd):
    module.register(app)
for register in plugins.load(plugins.CLI_GROUP):  # `steward eval` comes from evals/
    register(app)


if __name__ == "__main__":
    app()
