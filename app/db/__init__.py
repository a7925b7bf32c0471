"""Database layer: models, sessions, migrations."""

from app.db import models, workflow  # noqa: F401  (registers every table on Base.metadata)
from app.db.base import Base

__all__ = ["Base"]
