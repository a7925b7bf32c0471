"""Database layer: models, sessions, migrations."""

from data.db import (  # noqa: F401  (registers every table on Base.metadata)
    collections,  # noqa: F401  (collections engine tables)
    evals,  # noqa: F401  (eval reviewer scores table)
    ingestion,  # noqa: F401  (ingestion extras table)
    models,
    payments,  # noqa: F401  (payment orders, notifications, allocations)
    security,  # noqa: F401  (audit chain anchors)
    workbench,  # noqa: F401  (workbench tasks table)
    workflow,
)
from data.db.base import Base

__all__ = ["Base"]
