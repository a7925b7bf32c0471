"""Database layer: models, sessions, migrations."""

from app.db import models, workflow  # noqa: F401  (registers every table on Base.metadata)
from app.db import collections  # noqa: F401  (collections engine tables)
from app.db import ingestion  # noqa: F401  (ingestion extras table)
from app.db import workbench  # noqa: F401  (workbench tasks table)
from app.db import evals  # noqa: F401  (eval reviewer scores table)
from app.db import security  # noqa: F401  (audit chain anchors)
from app.db.base import Base

__all__ = ["Base"]
