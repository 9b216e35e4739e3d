"""What the channels share inside one process: the processing queue, the delivery worker
with its transports, and the outbound service.

Rasa builds the channels from credentials.yml and they use ``default()``; the console
uses the same ``default()`` for operator replies. Tests build their own ``Runtime``.
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Mapping

import yaml

from bot.config import PROJECT_ROOT, Settings, get_settings
from integrations.delivery import DeliveryWorker, RetryPolicy
from integrations.outbound import OutboundService
from integrations.processing import ConversationQueue

logger = logging.getLogger(__name__)

CREDENTIALS_FILE = PROJECT_ROOT / "credentials.yml"
CHANNEL_CLASSES = {
    "telegram": "integrations.telegram_channel.TelegramInput",
    "whatsapp": "integrations.twilio_channel.WhatsAppInput",
    "sms": "integrations.twilio_channel.SmsInput",
}


class Runtime:
    def __init__(self, *, retry: RetryPolicy | None = None, poll_seconds: float = 2.0,
                 max_concurrent: int = 32, max_pending: int = 2000) -> None:
        self.queue = ConversationQueue(max_concurrent=max_concurrent, max_pending=max_pending)
        self.worker = DeliveryWorker({}, retry=retry, poll_seconds=poll_seconds)
        self.outbound = OutboundService(self.worker)

    def add_transport(self, transport) -> None:
        self.worker.transports.setdefault(transport.channel, transport)

    def transport(self, channel: str):
        return self.worker.transports.get(channel)

    async def start(self) -> None:
        self.worker.start()

    async def stop(self, drain_seconds: float = 10.0) -> None:
        if not await self.queue.drain(drain_seconds):
            logger.warning("stopping with %d messages still being processed", self.queue.pending)
        await self.worker.stop()
        for transport in self.worker.transports.values():
            close = getattr(transport, "close", None)
            if close is not None:
                await close()


def channel_credentials(path: Path = CREDENTIALS_FILE) -> dict[str, Mapping[str, Any]]:
    """Each channel's section of credentials.yml (environment variable names), by channel."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        return {}
    return {channel: (data.get(key) or {}) for channel, key in CHANNEL_CLASSES.items() if key in data}


def from_settings(settings: Settings | None = None, credentials: Mapping[str, Mapping] | None = None) -> Runtime:
    """A runtime with a transport for every configured channel (the console's view)."""
    from integrations.settings import telegram_config, twilio_config
    from integrations.telegram_transport import TelegramTransport
    from integrations.twilio_transport import TwilioTransport

    settings = settings or get_settings()
    credentials = channel_credentials() if credentials is None else credentials
    runtime = Runtime()
    if "telegram" in credentials:
        config = telegram_config(credentials["telegram"], settings)
        if config.enabled:
            runtime.add_transport(TelegramTransport(config))
    for channel in ("whatsapp", "sms"):
        if channel in credentials:
            config = twilio_config(channel, credentials[channel], settings)
            if config.enabled:
                runtime.add_transport(TwilioTransport(config))
    return runtime


_default: Runtime | None = None


def default() -> Runtime:
    global _default
    if _default is None:
        _default = from_settings()
    return _default


def reset_default() -> None:
    global _default
    _default = None
