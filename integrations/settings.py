"""Channel settings, read through bot.config (TELEGRAM_* and TWILIO_* variables).

credentials.yml names the environment variables each channel reads, never the secrets:
a secret written into credentials.yml would end up in git. A channel without its
credentials starts *disabled*: its webhook answers 503 and the log says what is missing,
so a development install (no tokens) still starts Rasa.
"""
from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from typing import Any, Mapping

from bot.config import Settings, get_settings

_ENV_NAME = re.compile(r"^(TELEGRAM|TWILIO)_[A-Z0-9_]+$")

TELEGRAM_DEFAULTS = {
    "bot_token": "TELEGRAM_BOT_TOKEN",
    "webhook_secret": "TELEGRAM_WEBHOOK_SECRET",
    "api_base_url": "TELEGRAM_API_BASE_URL",
}
TWILIO_DEFAULTS = {
    "account_sid": "TWILIO_ACCOUNT_SID",
    "auth_token": "TWILIO_AUTH_TOKEN",
    "sms_from": "TWILIO_SMS_FROM",
    "messaging_service_sid": "TWILIO_MESSAGING_SERVICE_SID",
    "whatsapp_from": "TWILIO_WHATSAPP_FROM",
    "whatsapp_template_sid": "TWILIO_WHATSAPP_TEMPLATE_SID",
    "whatsapp_template_variables": "TWILIO_WHATSAPP_TEMPLATE_VARIABLES",
    "api_base_url": "TWILIO_API_BASE_URL",
}
TELEGRAM_API = "https://api.telegram.org/bot"


class CredentialsError(ValueError):
    """credentials.yml holds something other than environment variable names."""


def env_names(credentials: Mapping[str, Any] | None, defaults: Mapping[str, str]) -> dict[str, str]:
    """Which environment variable holds each setting (credentials.yml may rename them)."""
    names = dict(defaults)
    for key, value in (credentials or {}).items():
        if key not in defaults:
            raise CredentialsError(f"unknown channel setting {key!r}; known: {', '.join(defaults)}")
        if not isinstance(value, str) or not _ENV_NAME.match(value):
            raise CredentialsError(
                f"credentials.yml: {key} must name an environment variable (TELEGRAM_... or TWILIO_...), "
                "not hold a value; put the secret itself in the environment"
            )
        names[key] = value
    return names


def _read(names: Mapping[str, str], settings: Settings) -> dict[str, str]:
    return {key: (settings.extra.get(env) or "").strip() for key, env in names.items()}


@dataclass(frozen=True)
class TelegramConfig:
    bot_token: str
    webhook_secret: str
    api_base_url: str
    public_url: str
    missing: tuple[str, ...] = ()

    @property
    def enabled(self) -> bool:
        return not self.missing

    @property
    def bot_id(self) -> str:
        """The numeric part before ':' in the token; public, identifies the bot."""
        return self.bot_token.split(":", 1)[0] if self.bot_token else ""

    @property
    def webhook_url(self) -> str:
        return f"{self.public_url}/webhooks/telegram/webhook"


def derived_secret(bot_token: str) -> str:
    """A webhook secret derived from the bot token, when TELEGRAM_WEBHOOK_SECRET is not set.

    Telegram allows 1-256 characters from A-Z a-z 0-9 _ -; a hex HMAC qualifies. Whoever
    holds the token controls the bot anyway, so deriving from it adds no exposure.
    """
    return hmac.new(bot_token.encode(), b"willakuy-telegram-webhook", hashlib.sha256).hexdigest()


def telegram_config(credentials: Mapping[str, Any] | None = None, settings: Settings | None = None) -> TelegramConfig:
    settings = settings or get_settings()
    names = env_names(credentials, TELEGRAM_DEFAULTS)
    values = _read(names, settings)
    missing = tuple(names[k] for k in ("bot_token",) if not values[k])
    secret = values["webhook_secret"] or (derived_secret(values["bot_token"]) if values["bot_token"] else "")
    return TelegramConfig(
        bot_token=values["bot_token"],
        webhook_secret=secret,
        api_base_url=values["api_base_url"] or TELEGRAM_API,
        public_url=settings.public_base_url,
        missing=missing,
    )


@dataclass(frozen=True)
class TwilioConfig:
    channel: str  # "whatsapp" or "sms"
    account_sid: str
    auth_token: str
    sender: str  # "whatsapp:+1415..." or "+51..." (empty when a messaging service sends SMS)
    messaging_service_sid: str
    whatsapp_template_sid: str
    whatsapp_template_variables: str
    api_base_url: str
    public_url: str
    missing: tuple[str, ...] = ()

    @property
    def enabled(self) -> bool:
        return not self.missing

    def url(self, route: str) -> str:
        return f"{self.public_url}/webhooks/{self.channel}/{route}"


def twilio_config(channel: str, credentials: Mapping[str, Any] | None = None,
                  settings: Settings | None = None) -> TwilioConfig:
    if channel not in ("whatsapp", "sms"):
        raise ValueError(f"unknown Twilio channel {channel!r}")
    settings = settings or get_settings()
    names = env_names(credentials, TWILIO_DEFAULTS)
    values = _read(names, settings)
    missing = [names[k] for k in ("account_sid", "auth_token") if not values[k]]
    if channel == "whatsapp":
        sender = values["whatsapp_from"]
        if sender and not sender.startswith("whatsapp:"):
            sender = "whatsapp:" + sender
        if not sender:
            missing.append(names["whatsapp_from"])
    else:
        sender = values["sms_from"]
        if not sender and not values["messaging_service_sid"]:
            missing.append(f"{names['sms_from']} or {names['messaging_service_sid']}")
    return TwilioConfig(
        channel=channel,
        account_sid=values["account_sid"],
        auth_token=values["auth_token"],
        sender=sender,
        messaging_service_sid=values["messaging_service_sid"] if channel == "sms" else "",
        whatsapp_template_sid=values["whatsapp_template_sid"],
        whatsapp_template_variables=values["whatsapp_template_variables"],
        api_base_url=values["api_base_url"],
        public_url=settings.public_base_url,
        missing=tuple(missing),
    )
