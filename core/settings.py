"""Service and agent settings from STEWARD_* environment variables (pydantic-settings)."""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parents[1]


class Settings(BaseSettings):
    """All runtime configuration; every field can be set as STEWARD_<NAME>."""

    model_config = SettingsConfigDict(env_prefix="STEWARD_", env_file=".env", extra="ignore")

    var_dir: Path = Field(PROJECT_ROOT / "var", description="Runtime state: database, vector store, reports.")
    database_url: str = Field("", description="SQLAlchemy URL; empty means the SQLite file in var_dir.")
    models_dir: Path = Field(PROJECT_ROOT / "models", description="Folder with the embedded model files.")
    embedding_model: str = Field("", description="Embedding model path or name; empty means models_dir/m3e-small.")
    chroma_dir: Path | None = Field(None, description="Chroma persistent folder; default var_dir/chroma.")
    chroma_url: str = Field(
        "",
        description="Chroma server (client/server mode), e.g. http://127.0.0.1:8001; empty: the embedded "
        "persistent store in chroma_dir.",
    )
    chroma_token: str = Field("", description="Bearer token sent to the Chroma server (when it requires one).")
    broker_url: str = Field(
        "",
        description="Celery broker for the overnight batch's workers, e.g. redis://127.0.0.1:6379/0 or "
        "amqp://guest:guest@127.0.0.1:5672//; empty: the batch runs in one process.",
    )
    broker_queue_prefix: str = Field(
        "steward", description="Prefix of the batch's queue names (<prefix>.score, .draft, .dispatch) on the broker."
    )
    batch_shard_size: int = Field(
        5_000, ge=100, description="Households per scoring task when the batch runs on workers."
    )
    batch_lease_seconds: float = Field(
        60.0,
        gt=0,
        description="A worker's claim on a batch task lapses after this long without a heartbeat (a lost worker); "
        "another worker then takes the task over.",
    )
    llm_base_url: str = Field("http://127.0.0.1:8765/v1", description="OpenAI-compatible endpoint.")
    llm_model: str = Field("qwen2.5-coder-1.5b-instruct", description="Model name sent to the endpoint.")
    llm_api_key: str = Field("sk-local", description="API key for the endpoint.")
    llm_timeout: float = Field(120.0, description="Seconds per model call.")
    llm_max_retries: int = Field(2, description="Retries of a failed model call before it is reported.")
    max_concurrent_plans: int = Field(
        2,
        ge=1,
        le=64,
        description="Plan runs (generate, edit, revise) one API process serves at once; "
        "more answer 503 with Retry-After.",
    )
    plan_run_nice: int = Field(
        10,
        ge=0,
        le=19,
        description="Nice steps (Linux) the API's plan-run threads run below the process: when the cores are short, "
        "logins and page requests get the CPU before plan runs. 0 keeps the process's priority.",
    )
    llm_ctx: int = Field(4096, description="Context window of the embedded server.")
    warm_prompt_cache: bool = Field(
        True, description="Send the prompts' static text to the embedded model server when a service starts."
    )
    gather_rounds: int = Field(
        0, ge=0, le=5, description="Model tool-call rounds before a plan; 0 reads every evidence source directly."
    )
    message_days: int | None = Field(
        2,
        ge=0,
        description="The model writes a plan's outgoing steps within this many days of the first; later steps "
        "keep their reviewed templates (unset: every step).",
    )
    llm_threads: int = Field(2, description="CPU threads of the embedded server.")
    secret_key: str = Field("", description="Signing key for tokens and bill links; empty: a dev key in var_dir.")
    ratelimit_storage_url: str = Field(
        "memory://",
        description="Rate-limit counters: memory:// (one process) or "
        "a redis:// URL shared by every API and workbench process.",
    )
    ratelimit_namespace: str = Field("steward", description="Key prefix of the rate-limit counters.")
    login_limit_user: str = Field("5/minute", description="Failed logins allowed per username (limits syntax).")
    login_limit_ip: str = Field("20/minute", description="Failed logins allowed per client address (limits syntax).")
    bill_link_limit: str = Field("30/minute", description="Requests allowed per owner bill link (limits syntax).")
    bill_link_ttl_days: int = Field(
        7,
        ge=1,
        le=90,
        description="Days an owner bill link works after it is issued; then the page says it has expired (410).",
    )
    bill_post_limit: str = Field("10/hour", description="Owner submissions allowed per bill link (limits syntax).")
    key_dir: Path | None = Field(
        None,
        description="Folder of the field-encryption key file; default "
        "~/.config/steward/keys (never next to the database).",
    )
    public_url: str = Field(
        "http://127.0.0.1:8000", description="Address owners open bill links and the payment page on."
    )
    payment_provider: str = Field("sandbox", description="Payment provider for the bill page (sandbox offline).")
    as_of: date | None = Field(None, description="Business date; default: the dataset's as-of date, else today.")
    eval_reports_dir: Path = Field(
        PROJECT_ROOT / "evals" / "reports", description="Eval run reports (JSON) offered on the workbench review page."
    )

    @property
    def resolved_database_url(self) -> str:
        """Database URL with the SQLite default filled in."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.var_dir / 'steward.db'}"

    @property
    def resolved_key_dir(self) -> Path:
        """Folder of the key file: STEWARD_KEY_DIR, else ~/.config/steward/keys (outside the database folder)."""
        import os

        from core.crypto.keys import default_key_dir

        return Path(self.key_dir).expanduser() if self.key_dir else default_key_dir(os.environ)

    @property
    def resolved_chroma_dir(self) -> Path:
        """Chroma folder with the default filled in."""
        return self.chroma_dir or (self.var_dir / "chroma")

    @property
    def resolved_embedding_model(self) -> str:
        """Embedding model path with the embedded default filled in."""
        return self.embedding_model or str(self.models_dir / "m3e-small")

    @property
    def llm_model_file(self) -> Path:
        """Path of the embedded GGUF file."""
        return self.models_dir / "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"


@lru_cache
def get_settings() -> Settings:
    """Return the process settings (read on first call, never at import)."""
    return Settings()
