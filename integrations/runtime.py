"""What the channels share inside one process: the processing queue, the delivery worker
with its transports, the outbound service, and the periodic recovery of journaled
messages that a dead process acknowledged but never finished (integrations.dedup).

Rasa builds the channels from credentials.yml and they use ``default()``; the console
uses the same ``default()`` for operator replies. Tests build their own ``Runtime``.
"""
from __future__ import annotations

import asyncio
import collections
import logging
from pathlib import Path
from typing import Any, Awaitable, Callable, Mapping

import yaml

from bot.config import PROJECT_ROOT, Settings, get_settings
from integrations import dedup
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


Recovery = Callable[[], Awaitable[int]]


class Runtime:
    def __init__(self, *, retry: RetryPolicy | None = None, poll_seconds: float = 2.0,
                 max_concurrent: int = 32, max_pending: int = 2000, recovery_grace: float = 120.0,
                 recover_every: float = 60.0) -> None:
        self.queue = ConversationQueue(max_concurrent=max_concurrent, max_pending=max_pending)
        self.worker = DeliveryWorker({}, retry=retry, poll_seconds=poll_seconds)
        self.outbound = OutboundService(self.worker)
        # Journal keys of the messages queued here (a count: a re-delivery may wait on the same key).
        self.inflight: collections.Counter[str] = collections.Counter()
        self.recovery_grace = recovery_grace
        # Leases are renewed on every pass: at least twice per grace period, or a slow
        # queue's messages would look abandoned to the other replicas.
        self.recover_every = max(1.0, min(recover_every, recovery_grace / 2))
        self._recoveries: dict[str, Recovery] = {}
        self._recovery_task: asyncio.Task | None = None

    def add_transport(self, transport) -> None:
        self.worker.transports.setdefault(transport.channel, transport)

    def transport(self, channel: str):
        return self.worker.transports.get(channel)

    def add_recovery(self, channel: str, recovery: Recovery) -> None:
        """A channel's way of queueing its unfinished journaled messages again (returns how many)."""
        self._recoveries[channel] = recovery

    async def recover(self) -> int:
        """One pass: renew this process's leases, then let every channel take over stale messages."""
        taken = 0
        try:
            if self.inflight:
                await asyncio.to_thread(dedup.renew, list(self.inflight))
        except Exception as exc:  # noqa: BLE001 - the next pass tries again
            logger.error("inbound lease renewal failed: %s", type(exc).__name__)
        for channel, recovery in list(self._recoveries.items()):
            try:
                taken += await recovery()
            except Exception as exc:  # noqa: BLE001 - the next pass tries again
                logger.error("%s inbound recovery failed: %s", channel, type(exc).__name__)
        return taken

    async def _recover_forever(self) -> None:
        while True:
            await self.recover()
            await asyncio.sleep(self.recover_every)

    async def start(self) -> None:
        self.worker.start()
        if self._recovery_task is None and self._recoveries:
            self._recovery_task = asyncio.get_running_loop().create_task(self._recover_forever())

    async def stop(self, drain_seconds: float = 10.0) -> None:
        if self._recovery_task is not None:
            self._recovery_task.cancel()
            await asyncio.wait({self._recovery_task}, timeout=5)
            self._recovery_task = None
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
    runtime = Runtime(recovery_grace=settings.inbound_grace_seconds)
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
