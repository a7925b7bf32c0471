"""Payment providers behind one interface: the offline sandbox now; WeChat Pay / Alipay are new classes."""

from app.payments.base import (
    Notification,
    PaymentProvider,
    ProviderError,
    ProviderOrder,
    RefundResult,
    SignatureError,
)
from app.payments.sandbox import SandboxProvider


def build_provider(settings, secret: str) -> PaymentProvider:  # noqa: ANN001 - core.settings.Settings
    """The provider named by STEWARD_PAYMENT_PROVIDER; only the sandbox exists offline."""
    import hashlib
    import hmac

    if settings.payment_provider != "sandbox":
        raise ProviderError(f"未配置的支付渠道：{settings.payment_provider}（离线环境仅支持 sandbox）")
    key = hmac.new(secret.encode(), b"sandbox-pay", hashlib.sha256).hexdigest()
    return SandboxProvider(key, settings.public_url, books=settings.var_dir / "sandbox_pay.json")


__all__ = [
    "build_provider",
    "Notification",
    "PaymentProvider",
    "ProviderError",
    "ProviderOrder",
    "RefundResult",
    "SandboxProvider",
    "SignatureError",
]
