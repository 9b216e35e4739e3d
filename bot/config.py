"""All settings, read from the environment in one place.

Every process (Rasa server, action server, console, CLI, tests) builds the same
`Settings` from the same variables, so they agree on the database, keys and ports.
Development needs no variables at all: state lives under ``var/`` and keys are
created there on first use. Production (``WILLAKUY_ENV=production``) refuses to
start without explicit keys, because a key generated on a container's disk would
be lost, and with it every encrypted report.
"""
from __future__ import annotations

import functools
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import yaml

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CONTENT_DIR = Path(__file__).resolve().parent / "content"

ENVIRONMENTS = ("development", "test", "production")


class ConfigError(RuntimeError):
    """A setting is missing or wrong; the message says which and how to fix it."""


@dataclass(frozen=True)
class Settings:
    env: str
    var_dir: Path
    database_url: str
    redis_url: str | None
    field_keys: tuple[str, ...]
    pseudonym_key: str
    rasa_url: str
    rasa_token: str
    action_port: int
    console_host: str
    console_port: int
    rasa_port: int
    cookie_secure: bool
    session_idle_minutes: int
    lockout_attempts: int
    lockout_minutes: int
    public_base_url: str
    helplines_file: Path
    extra: Mapping[str, str] = field(default_factory=dict)
    # Where students' phones reach the console (the classroom QR code); empty: the URL the teacher used.
    console_public_url: str = ""
    classroom_modules_dir: Path = PROJECT_ROOT / "bot" / "classroom" / "modules"
    # How long a webhook's message may stay unfinished before another replica takes it over.
    inbound_grace_seconds: int = 120

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def console_url(self) -> str:
        return f"http://{self.console_host}:{self.console_port}"

    @property
    def action_url(self) -> str:
        return f"http://127.0.0.1:{self.action_port}/webhook"

    def helplines(self) -> dict[str, Any]:
        return load_helplines(self.helplines_file)


def _read_or_create_key(path: Path, make: callable) -> str:
    """Development keys live under var/keys, created once with owner-only permissions."""
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(path.parent, 0o700)
    value = make()
    # O_EXCL: two processes starting at once must not overwrite each other's key.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as fh:
        fh.write(value + "\n")
    return value


def _fernet_key() -> str:
    from cryptography.fernet import Fernet

    return Fernet.generate_key().decode()


def _token() -> str:
    return secrets.token_urlsafe(32)


def _key(env: Mapping[str, str], name: str, var_dir: Path, filename: str, make, production: bool) -> str:
    value = env.get(name, "").strip()
    if value:
        return value
    if production:
        raise ConfigError(
            f"{name} is not set. Production refuses to start without it "
            f"(generate one with `willakuy keys generate`)."
        )
    return _read_or_create_key(var_dir / "keys" / filename, make)


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from exc


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    env = dict(os.environ if env is None else env)
    mode = env.get("WILLAKUY_ENV", "development")
    if mode not in ENVIRONMENTS:
        raise ConfigError(f"WILLAKUY_ENV must be one of {', '.join(ENVIRONMENTS)}, got {mode!r}")
    production = mode == "production"
    var_dir = Path(env.get("WILLAKUY_VAR_DIR") or PROJECT_ROOT / "var").resolve()
    var_dir.mkdir(parents=True, exist_ok=True)

    database_url = env.get("DATABASE_URL") or f"sqlite:///{var_dir / 'willakuy.db'}"
    if database_url.startswith("postgres://"):
        # Heroku-style URLs; SQLAlchemy 1.4 only knows "postgresql".
        database_url = "postgresql://" + database_url[len("postgres://"):]
    if production and database_url.startswith("sqlite"):
        raise ConfigError("Production needs DATABASE_URL pointing at PostgreSQL, not SQLite.")

    field_keys = tuple(
        k.strip()
        for k in _key(env, "WILLAKUY_FIELD_KEYS", var_dir, "field.key", _fernet_key, production).split(",")
        if k.strip()
    )
    rasa_port = _int(env, "RASA_PORT", 5005)
    grace = _int(env, "WILLAKUY_INBOUND_GRACE_SECONDS", 120)
    if grace < 10:
        # Leases are renewed every grace/2: much shorter and a busy replica's work looks abandoned.
        raise ConfigError(f"WILLAKUY_INBOUND_GRACE_SECONDS must be at least 10, got {grace}")
    console_host = env.get("CONSOLE_HOST", "127.0.0.1")
    return Settings(
        env=mode,
        var_dir=var_dir,
        database_url=database_url,
        redis_url=env.get("REDIS_URL") or None,
        field_keys=field_keys,
        pseudonym_key=_key(env, "WILLAKUY_PSEUDONYM_KEY", var_dir, "pseudonym.key", _token, production),
        rasa_url=env.get("RASA_URL", f"http://127.0.0.1:{rasa_port}").rstrip("/"),
        rasa_token=_key(env, "RASA_TOKEN", var_dir, "rasa.token", _token, production),
        action_port=_int(env, "ACTION_PORT", 5055),
        console_host=console_host,
        console_port=_int(env, "CONSOLE_PORT", 8000),
        rasa_port=rasa_port,
        # Browsers accept Secure cookies on http://localhost and 127.0.0.1, so this
        # can stay on even in development; turn it off only for plain-HTTP LAN demos.
        cookie_secure=env.get("WILLAKUY_COOKIE_SECURE", "1") not in ("0", "false", "no"),
        session_idle_minutes=_int(env, "WILLAKUY_SESSION_IDLE_MINUTES", 30),
        lockout_attempts=_int(env, "WILLAKUY_LOCKOUT_ATTEMPTS", 5),
        lockout_minutes=_int(env, "WILLAKUY_LOCKOUT_MINUTES", 15),
        public_base_url=env.get("WILLAKUY_PUBLIC_URL", f"http://{console_host}:{rasa_port}").rstrip("/"),
        helplines_file=Path(env.get("WILLAKUY_HELPLINES_FILE") or CONTENT_DIR / "helplines.yml"),
        extra={k: v for k, v in env.items() if k.startswith(("TWILIO_", "TELEGRAM_"))},
        console_public_url=env.get("WILLAKUY_CONSOLE_PUBLIC_URL", "").rstrip("/"),
        classroom_modules_dir=Path(env.get("WILLAKUY_CLASSROOM_MODULES") or PROJECT_ROOT / "bot" / "classroom" / "modules"),
        inbound_grace_seconds=grace,
    )


@functools.lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()


def reset_settings() -> None:
    """Forget cached settings (tests change the environment between cases)."""
    get_settings.cache_clear()
    load_helplines.cache_clear()


@functools.lru_cache(maxsize=8)
def load_helplines(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"Helplines file not found: {path} (set WILLAKUY_HELPLINES_FILE)") from exc
    if not isinstance(data, dict) or "emergency" not in data or "hotline" not in data:
        raise ConfigError(f"{path} must define at least 'emergency' and 'hotline'")
    return data


def template_values(settings: Settings | None = None) -> dict[str, str]:
    """Flat values that response texts may use, e.g. {police_number} or {hotline_label}."""
    lines = (settings or get_settings()).helplines()
    values: dict[str, str] = {}
    for key, entry in lines.items():
        if isinstance(entry, dict):
            for sub, val in entry.items():
                if isinstance(val, (str, int)):
                    values[f"{key}_{sub}"] = str(val)
    values["police_number"] = str(lines["emergency"]["number"])
    values["hotline_number"] = str(lines["hotline"]["number"])
    values["hotline_label"] = str(lines["hotline"]["label"])
    return values
