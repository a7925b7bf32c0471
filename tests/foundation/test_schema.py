"""Migrations create the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect

from data.db import Base
from data.db.session import alembic_config, init_db, upgrade


def test_when_migrated_then_every_model_table_exists(db_url):
    engine = init_db(db_url)
    tables = set(inspect(engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    engine.dispose()


def test_when_migrated_then_models_and_migrations_agree(sqlite_url):
    upgrade(sqlite_url)
    command.check(alembic_config(sqlite_url))  # raises when autogenerate would find differences


def test_when_migrated_twice_then_nothing_changes(sqlite_url):
    upgrade(sqlite_url)
    upgrade(sqlite_url)
    engine = init_db(sqlite_url)
    assert "units" in inspect(engine).get_table_names()
