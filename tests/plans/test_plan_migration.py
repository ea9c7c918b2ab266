"""Migration 0003 builds plan_versions as the model declares it, and downgrades cleanly."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from ehcp_engine.persistence.db import alembic_config, make_engine
from ehcp_engine.persistence.models import Base


def _run(engine, action, target: str) -> None:
    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        action(cfg, target)


def test_plan_versions_match_the_model_and_downgrade_to_0002(backend):
    engine = make_engine(backend.new_database())
    try:
        with engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
        assert [d for d in differences if "plan_versions" in str(d)] == []
        _run(engine, command.downgrade, "0002")
        assert "plan_versions" not in inspect(engine).get_table_names()
        _run(engine, command.upgrade, "heads")
        inspector = inspect(engine)
        assert "plan_versions" in inspector.get_table_names()
        unique = inspector.get_unique_constraints("plan_versions")
        assert [sorted(u["column_names"]) for u in unique] == [["case_id", "number"]]
    finally:
        engine.dispose()
