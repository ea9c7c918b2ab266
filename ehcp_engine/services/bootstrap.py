"""Build the services from settings: validate config/, open the database, migrate it."""

from __future__ import annotations

from ehcp_engine.config import EngineConfig, load_engine_config
from ehcp_engine.persistence.db import make_engine, make_sessionmaker, migrate
from ehcp_engine.services.context import Clock, Services
from ehcp_engine.settings import Settings
from notifications.reminders import ReminderConfig, load_reminders


def build_services(
    settings: Settings | None = None, *, run_migrations: bool = True, clock: Clock | None = None
) -> Services:
    settings = settings or Settings()
    # Rules first: a bad rule stops start-up before anything touches the database.
    config = load_engine_config(settings.config_dir)
    engine = make_engine(settings.resolved_database_url())
    if run_migrations:
        migrate(engine)
    return Services(
        sessions=make_sessionmaker(engine),
        config=config,
        clock=clock or Clock(),
        settings=settings,
        reminders=reminder_config(settings, config),
    )


def reminder_config(settings: Settings, config: EngineConfig) -> ReminderConfig:
    """config/reminders.toml, checked against every timer id of every rule set."""
    timer_ids = {t for rs in config.rule_book.rule_sets for t in rs.timers}
    return load_reminders(settings.config_dir / "reminders.toml", timer_ids)
