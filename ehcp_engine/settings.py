"""Service settings from the environment (EHCP_*). Defaults suit a laptop: SQLite in a data dir."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_CONFIG = Path(__file__).resolve().parent.parent / "config"
DEFAULT_SECRET = "dev-only-not-secret"


def _default_data_dir() -> Path:
    # XDG: the user's data directory, so a newcomer's database survives a fresh clone.
    import os

    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "ehcp"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="EHCP_", extra="ignore")

    env: Literal["development", "test", "production"] = "development"
    data_dir: Path = Field(default_factory=_default_data_dir)
    database_url: str | None = None
    config_dir: Path = REPO_CONFIG
    secret_key: str = DEFAULT_SECRET
    max_body_bytes: int = 1_000_000
    # Each document uploaded with advice (PDF or DOCX) may be at most this large; the upload
    # route alone accepts a body big enough for its documents (api/limits.py).
    max_upload_bytes: int = Field(default=10 * 1024 * 1024, ge=1)
    la_name: str = "Exampleshire County Council"
    # The authority's logo on plans and notices (PNG or JPEG); EHCP_LA_LOGO.
    la_logo: Path | None = None
    # Which cases an officer may act on: "team" (their team's, plus the unassigned intake
    # queue) or "la" (every case in the authority).
    case_scope: Literal["team", "la"] = "team"
    # Links in messages point here (messages never carry the child's details).
    base_url: str = "http://127.0.0.1:8000"
    # Run the scheduler inside `ehcp serve` (the single-machine default); set false on API
    # processes when a separate `ehcp scheduler` runs.
    scheduler: bool = True
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = False
    mail_from: str = "send-team@example.gov.uk"
    notify_api_key: str | None = None
    notify_base_url: str = "https://api.notifications.service.gov.uk"
    notify_email_template_id: str = "00000000-0000-0000-0000-000000000000"
    notify_sms_template_id: str | None = None
    # Web sign-in: lock an account after this many wrong passwords in a row, for this long.
    login_max_failures: int = Field(default=5, ge=1)
    login_lockout_minutes: int = Field(default=15, ge=1)
    # Sign-in and reset attempts allowed per client address per minute (per process).
    login_attempts_per_minute: int = Field(default=20, ge=1)
    # A web session ends after this long without a request (sliding).
    session_idle_minutes: int = Field(default=8 * 60, ge=1)
    password_reset_minutes: int = Field(default=60, ge=1)
    # Optional OpenID Connect sign-in (users are matched by email and must already exist).
    oidc_issuer: str | None = None
    oidc_client_id: str | None = None
    oidc_client_secret: str | None = None

    @model_validator(mode="after")
    def _no_default_secret_in_production(self) -> Settings:
        if self.env == "production" and self.secret_key == DEFAULT_SECRET:
            raise ValueError(
                "EHCP_SECRET_KEY must be set to a real secret when EHCP_ENV=production"
            )
        return self

    @property
    def oidc_enabled(self) -> bool:
        return bool(self.oidc_issuer and self.oidc_client_id and self.oidc_client_secret)

    @property
    def secure_cookies(self) -> bool:
        """Cookies are Secure behind https, and always in production."""
        return self.env == "production" or self.base_url.startswith("https")

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        self.data_dir.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{self.data_dir / 'ehcp.sqlite3'}"
