"""Configuration: one pydantic-settings class, read from the environment and `.env`."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]
_SECRET_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


class ConfigError(Exception):
    """The configuration cannot be used; the message says what to fix, in one line."""


class Settings(BaseSettings):
    """Every setting of Footcoach; see .env.example for what each one does."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", case_sensitive=False
    )

    # Empty: a SQLite file in DATA_DIR (data/footcoach.db unless DATA_DIR says otherwise).
    database_url: str = ""
    database_pool_size: int = Field(default=10, ge=1, le=200)
    knowledge_dir: Path = Path("knowledge")
    data_dir: Path = Path("data")
    log_level: LogLevel = "INFO"

    telegram_bot_token: SecretStr | None = None
    telegram_api_url: str = "https://api.telegram.org/bot"
    webhook_url: str = ""
    webhook_secret: SecretStr | None = None
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = Field(default=8443, ge=1, le=65535)
    webhook_order_wait: float = Field(default=2.0, ge=0, le=30)
    metrics_port: int | None = Field(default=None, ge=1, le=65535)
    telegram_max_rate: float = Field(default=30.0, gt=0, le=1000)
    dispatch_interval: float = Field(default=5.0, gt=0, le=3600)
    # A person silent this long is erased (told a week before); finished callback requests
    # are deleted this long after they were closed.
    retention_days: int = Field(default=365, ge=8, le=36500)
    lead_retention_days: int = Field(default=730, ge=1, le=36500)

    default_phone_region: str | None = None
    staff_chat_id: int | None = None
    admin_user_ids: Annotated[tuple[int, ...], NoDecode] = ()

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_level(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @model_validator(mode="after")
    def _database_in_data_dir(self) -> Settings:
        # Moving DATA_DIR moves the database with it, unless DATABASE_URL names one.
        if not self.database_url:
            self.database_url = f"sqlite+aiosqlite:///{self.data_dir / 'footcoach.db'}"
        return self

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: str) -> str:
        value = value.strip()
        if value and not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError(
                "must start with sqlite+aiosqlite:// or postgresql+asyncpg:// "
                "(e.g. sqlite+aiosqlite:///data/footcoach.db)"
            )
        return value

    @field_validator("default_phone_region", mode="before")
    @classmethod
    def _region(cls, value: object) -> object:
        if isinstance(value, str):
            value = value.strip().upper() or None
            if value is not None and not re.fullmatch(r"[A-Z]{2}", value):
                raise ValueError("must be a two-letter country code such as GB or US")
        return value

    @field_validator(
        "staff_chat_id", "telegram_bot_token", "webhook_secret", "metrics_port", mode="before"
    )
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("webhook_secret")
    @classmethod
    def _secret_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not _SECRET_TOKEN.match(value.get_secret_value()):
            raise ValueError("must be 1-256 characters of A-Z a-z 0-9 _ -")
        return value

    @field_validator("admin_user_ids", mode="before")
    @classmethod
    def _id_list(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [p for p in re.split(r"[,\s]+", value.strip()) if p]
            if not all(re.fullmatch(r"-?\d+", p) for p in parts):
                raise ValueError("must be Telegram user ids separated by commas")
            return tuple(int(p) for p in parts)
        return value

    @property
    def webhook_mode(self) -> bool:
        """Say whether the bot should receive updates by webhook rather than polling."""
        return bool(self.webhook_url.strip())


def load_settings(**overrides: object) -> Settings:
    """Read the settings, turning any validation problem into a one-line ConfigError."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        name = ".".join(str(p) for p in first["loc"]).upper() or "settings"
        raise ConfigError(
            f"Configuration error: {name} {first['msg']} (see .env.example)"
        ) from None
