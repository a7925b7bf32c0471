"""Drop every Steward table (and Alembic's version table) so a sample can be regenerated."""

from __future__ import annotations

from sqlalchemy import text

from data.db import Base
from data.db.session import make_engine


def reset_database(url: str) -> None:
    """Drop all tables of the schema at ``url``."""
    engine = make_engine(url)
    Base.metadata.drop_all(engine)
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    engine.dispose()
