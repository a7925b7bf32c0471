"""The FastAPI application factory: lifespan, error mapping and routers."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from contextlib import ExitStack, asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from app.api.deps import ApiState
from core.settings import Settings

log = logging.getLogger(__name__)

TAGS = [
    {"name": "auth", "description": "登录与当前用户"},
    {"name": "households", "description": "住户概况、证据、诊断与敏感信息查看"},
    {"name": "plans", "description": "一键生成催费方案（流式进度）、修改、批准、驳回"},
    {"name": "queue", "description": "今日待办队列"},
    {"name": "casework", "description": "联系记录、还款承诺、分期、异议、退订"},
    {"name": "tasks", "description": "业主在账单页提交的申请（管家待办）"},
    {"name": "reports", "description": "账龄结构、回款率、投诉与退订、项目对比"},
    {
        "name": "settings",
        "description": "催收策略设置：免打扰时段、节假日、联系上限（按项目，集团默认兜底，版本与审计）",
    },
    {"name": "audit", "description": "审计日志检索与导出（合规、管理员）"},
    {"name": "ingest", "description": "收费、客服、工单系统推送整户证据包和记录（可重复推送）"},
    {"name": "bill", "description": "业主账单页（签名链接，移动端）：立即缴费、分期、异议、开票"},
    {"name": "payments", "description": "支付：渠道异步通知、沙箱收银台、订单查询、退款、每日对账"},
    {"name": "cases", "description": "案件：状态、事件（缴费、承诺、异议、分期、退订、黑名单、联系结果）"},
    {"name": "health", "description": "健康检查"},
]


def _error_map() -> dict[type[Exception], int]:
    from app.services.casework import CaseConflict
    from app.services.plan_runs import PlanNotFound
    from app.services.tasks import TaskNotFound
    from app.services.tokens import TokenError
    from core.scope import ScopeError
    from data.repositories.households import HouseholdNotFound
    from data.repositories.plans import PlanConflict, PlanNotApprovable

    # A household outside the caller's projects answers exactly like a missing one: 404, no existence leak.
    return {
        ScopeError: 404,
        HouseholdNotFound: 404,
        PlanNotFound: 404,
        TaskNotFound: 404,
        PlanConflict: 409,
        PlanNotApprovable: 409,
        CaseConflict: 409,
        TokenError: 404,
    }


BUSY_RETRY_S = 30
INGEST_MAX_BYTES = 20 * 1024 * 1024
"""Largest bulk push the API reads; larger bodies are refused before parsing (413)."""
KEY_PROBLEM = "服务暂不可用：加密密钥与数据库不匹配，请联系管理员检查密钥配置"


def _install_errors(app: FastAPI) -> None:
    from core.crypto.cipher import DecryptionError
    from core.crypto.keys import KeyringError

    def key_problem(_request: Request, exc: Exception) -> JSONResponse:
        # An operator problem (wrong or missing key file), not a bug: 503 with a Chinese hint; the log names it.
        log.error("encryption keys do not match the database: %s: %s", type(exc).__name__, exc)
        return JSONResponse({"detail": KEY_PROBLEM}, status_code=503)

    app.add_exception_handler(DecryptionError, key_problem)
    app.add_exception_handler(KeyringError, key_problem)
    for exc_type, code in _error_map().items():

        def handler(_request: Request, exc: Exception, code: int = code) -> JSONResponse:
            detail = "未找到该住户或无权访问" if type(exc).__name__ == "ScopeError" else str(exc)
            return JSONResponse({"detail": detail}, status_code=code)

        app.add_exception_handler(exc_type, handler)

    from app.services.plan_runs import PlanCapacityError

    def busy(_request: Request, exc: Exception) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=503, headers={"Retry-After": str(BUSY_RETRY_S)})

    app.add_exception_handler(PlanCapacityError, busy)


def _default_state(settings: Settings, stack: ExitStack) -> ApiState:
    from app.runtime import build_agent_runtime
    from app.services.plan_runs import PlanService
    from app.services.tokens import token_secret
    from core.crypto.keys import KeyringError
    from data.db.session import init_db, make_session_factory

    try:
        engine = init_db(settings.resolved_database_url)
    except KeyringError as exc:
        log.critical("%s", exc)  # refuse to start: the message says what to restore
        raise
    stack.callback(engine.dispose)
    factory = make_session_factory(engine)

    def plan_service() -> PlanService:
        return build_agent_runtime(settings, session_factory=factory).plan_service(stack)

    return ApiState(
        settings=settings, session_factory=factory, secret=token_secret(settings), plan_service_factory=plan_service
    )


def warm_up() -> None:
    """Load the redaction tagger and the tokeniser dictionaries now, not inside the first plan run.

    Loading them takes the interpreter for about a second; done lazily, it stalls every other request (logins,
    bill pages) that arrives while the first plans run.
    """
    import jieba

    from core.redaction import HouseholdRedactor

    started = time.perf_counter()
    jieba.initialize()
    HouseholdRedactor(owner_names=["王丽"]).redact("预热：王丽住在解放路88号，电话13800138000")
    from agent.validation.guard import validate_plan  # guardrails and the rule engine load on import

    del validate_plan
    log.info("warm-up done in %.2f s", time.perf_counter() - started)


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app; the database is migrated and opened in the lifespan, never at import."""
    from app.api.routes import ROUTERS

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        from core.memory import limit_malloc_arenas
        from core.settings import get_settings

        limit_malloc_arenas()
        with ExitStack() as stack:
            app.state.steward = _default_state(settings or get_settings(), stack)
            stack.callback(app.state.steward.plan_runner.shutdown)
            warm_up()
            log.info("steward api ready")
            yield

    app = FastAPI(
        title="Steward 智能催费助手 API",
        version="1.0.0",
        openapi_tags=TAGS,
        lifespan=lifespan,
        description="住户概况、欠费原因诊断与催费方案（需管家审批）、案件处理、报表与审计。",
    )
    _install_errors(app)
    from app.api.hardening import BillPageHeaders, BodyLimit, install_log_filter

    app.add_middleware(BillPageHeaders)
    app.add_middleware(BodyLimit, max_bytes=INGEST_MAX_BYTES)
    install_log_filter()
    from core.redaction import logfilter

    logfilter.install()
    for router in ROUTERS:
        app.include_router(router)
    return app
