"""The delivery worker: sends what the outbox holds, with retries and exponential backoff.

Errors are sorted by what to do about them (``SendError.kind``): retry later (network,
5xx, Telegram 429 after its ``retry_after``), give up (a bad request), stop writing to a
person who opted out, or - on WhatsApp - wait for the person to reopen the 24-hour window,
sending the configured template in the meantime.
"""
from __future__ import annotations

import asyncio
import logging
import random
from dataclasses import dataclass
from datetime import timedelta
from typing import Mapping, Protocol, Sequence

from bot.db.types import utcnow
from bot.privacy.pseudonym import short
from integrations import addresses, outbox, state

logger = logging.getLogger(__name__)

TRANSIENT = "transient"
PERMANENT = "permanent"
RATE_LIMITED = "rate_limited"
OUTSIDE_WINDOW = "outside_window"
OPTED_OUT = "opted_out"

# WhatsApp's customer-service window, with a margin for clocks and queues.
WHATSAPP_WINDOW = timedelta(hours=24) - timedelta(minutes=5)


class SendError(Exception):
    def __init__(self, kind: str, code: str, retry_after: float | None = None) -> None:
        super().__init__(f"{kind}:{code}")
        self.kind = kind
        self.code = code
        self.retry_after = retry_after


@dataclass(frozen=True)
class SendResult:
    provider_id: str | None
    status: str  # outbox.ACCEPTED (Twilio has it) or outbox.SENT (Telegram delivered it to its servers)


class Transport(Protocol):
    channel: str

    async def send(self, address: str, message: outbox.Claimed) -> SendResult: ...

    def template(self) -> dict | None: ...


@dataclass(frozen=True)
class RetryPolicy:
    base_seconds: float = 2.0
    factor: float = 2.0
    cap_seconds: float = 300.0
    max_attempts: int = 12  # 2 s, 4 s ... 5 min: about 25 minutes of trying with the defaults
    jitter: float = 0.2

    def delay(self, attempt: int) -> float:
        raw = min(self.cap_seconds, self.base_seconds * self.factor ** max(0, attempt - 1))
        return raw * (1 + random.uniform(-self.jitter, self.jitter))


class DeliveryWorker:
    def __init__(self, transports: Mapping[str, Transport] | None = None, *, retry: RetryPolicy | None = None,
                 poll_seconds: float = 2.0, batch: int = 20) -> None:
        self.transports: dict[str, Transport] = dict(transports or {})
        self.retry = retry or RetryPolicy()
        self.poll_seconds = poll_seconds
        self.batch = batch
        self._wake: asyncio.Event | None = None
        self._task: asyncio.Task | None = None
        self._stopping = False
        self._inflight: set[asyncio.Task] = set()

    # ------------------------------------------------------------------ lifecycle

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def start(self) -> None:
        if self.running or not self.transports:
            return
        self._wake = asyncio.Event()
        self._stopping = False
        self._task = asyncio.get_running_loop().create_task(self._loop())

    async def stop(self) -> None:
        # A flag, not only cancel(): Python 3.10's wait_for can swallow a cancellation.
        if self._task is not None:
            self._stopping = True
            self.notify()
            done, _ = await asyncio.wait({self._task}, timeout=15)
            if not done:
                self._task.cancel()
            self._task = None
        if self._inflight:
            await asyncio.wait(set(self._inflight), timeout=10)

    def notify(self) -> None:
        """Something was enqueued: look now instead of at the next poll."""
        if self._wake is not None:
            self._wake.set()

    async def _loop(self) -> None:
        while not self._stopping:
            self._wake.clear()
            try:
                sent = await self.run_once()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - a database hiccup must not end delivery
                logger.error("delivery round failed: %s", type(exc).__name__)
                sent = 0
            if sent or self._stopping:
                continue
            waiter = asyncio.ensure_future(self._wake.wait())
            try:
                await asyncio.wait({waiter}, timeout=self.poll_seconds)
            finally:
                waiter.cancel()

    # ------------------------------------------------------------------ sending

    async def run_once(self, only_ids: Sequence[int] | None = None) -> int:
        """Claim what is due (at most one per conversation) and send it; returns how many."""
        if not self.transports:
            return 0
        claimed = await asyncio.to_thread(
            outbox.claim_due, limit=self.batch, channels=list(self.transports), only_ids=only_ids
        )
        if not claimed:
            return 0
        tasks = [asyncio.get_running_loop().create_task(self._send(message)) for message in claimed]
        self._inflight.update(tasks)
        try:
            await asyncio.gather(*tasks)
        finally:
            self._inflight.difference_update(tasks)
        return len(claimed)

    async def deliver_now(self, batch_id: str, row_ids: Sequence[int], timeout: float = 15.0) -> None:
        """Try a message's parts at once, in order, until each was attempted (operator replies).

        Returns early when a part must wait (a retry later, a held WhatsApp message): the
        status then says so, and the worker carries on in the background.
        """
        deadline = asyncio.get_running_loop().time() + timeout
        while asyncio.get_running_loop().time() < deadline:
            view = await asyncio.to_thread(outbox.batch, batch_id)
            statuses = dict(zip(row_ids, view.parts)) if view else {}
            if any(status in (outbox.RETRYING, outbox.HELD) for status in statuses.values()):
                return
            pending = [row_id for row_id, status in statuses.items() if status == outbox.PENDING]
            if not pending and outbox.CLAIMED not in statuses.values():
                return
            if not pending or not await self.run_once(only_ids=pending[:1]):
                await asyncio.sleep(0.02)  # another worker holds it: wait for its result

    async def _send(self, message: outbox.Claimed) -> None:
        tag = short(message.conversation_id)
        try:
            await self._attempt(message)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - record and retry whatever went wrong
            logger.error("delivery of %s for %s failed unexpectedly: %s", message.id, tag, type(exc).__name__)
            self._schedule(await asyncio.to_thread(self._retry_or_fail, message, type(exc).__name__, None))

    async def _attempt(self, message: outbox.Claimed) -> None:
        tag = short(message.conversation_id)
        if not message.bypass_opt_out and await asyncio.to_thread(state.is_opted_out, message.conversation_id):
            await asyncio.to_thread(outbox.mark, message.id, outbox.BLOCKED, error="opted_out")
            logger.info("message %s for %s not sent: the person opted out", message.id, tag)
            return
        found = await asyncio.to_thread(addresses.lookup, message.conversation_id)
        if found is None:
            await asyncio.to_thread(outbox.mark, message.id, outbox.FAILED, error="no_address")
            logger.warning("message %s for %s has no reply address", message.id, tag)
            return
        transport = self.transports[message.channel]
        if message.channel == "whatsapp" and message.kind == "text":
            current = await asyncio.to_thread(state.get, message.conversation_id, message.channel)
            if current.last_inbound_at is None or utcnow() - current.last_inbound_at > WHATSAPP_WINDOW:
                await self._outside_window(message, transport)
                return
        try:
            result = await transport.send(found[1], message)
        except SendError as error:
            await self._failed(message, error, transport)
            return
        await asyncio.to_thread(outbox.mark, message.id, result.status, provider_id=result.provider_id)
        logger.debug("message %s for %s %s", message.id, tag, result.status)

    async def _failed(self, message: outbox.Claimed, error: SendError, transport: Transport) -> None:
        tag = short(message.conversation_id)
        if error.kind == OUTSIDE_WINDOW:
            await self._outside_window(message, transport)
        elif error.kind == OPTED_OUT:
            await asyncio.to_thread(state.set_opt_out, message.conversation_id, message.channel, True, f"provider_{error.code}")
            await asyncio.to_thread(outbox.mark, message.id, outbox.FAILED, error=error.code)
            logger.info("message %s for %s refused: the person blocked us or opted out (%s)", message.id, tag, error.code)
        elif error.kind == PERMANENT:
            await asyncio.to_thread(outbox.mark, message.id, outbox.FAILED, error=error.code)
            logger.warning("message %s for %s failed permanently (%s)", message.id, tag, error.code)
        else:
            self._schedule(await asyncio.to_thread(self._retry_or_fail, message, error.code, error.retry_after))

    def _retry_or_fail(self, message: outbox.Claimed, code: str, retry_after: float | None) -> float | None:
        """Schedule the next attempt (returns its delay) or give up (returns None)."""
        attempts = message.attempts  # claiming already counted this attempt
        if attempts >= self.retry.max_attempts:
            outbox.mark(message.id, outbox.FAILED, error=f"gave_up:{code}")
            logger.warning("message %s for %s failed after %d attempts (%s)", message.id,
                           short(message.conversation_id), attempts, code)
            return None
        delay = retry_after + random.uniform(0, 0.5) if retry_after is not None else self.retry.delay(attempts)
        outbox.mark(message.id, outbox.RETRYING, error=code, next_attempt_at=utcnow() + timedelta(seconds=delay))
        logger.info("message %s for %s will be retried in %.1fs (%s)", message.id, short(message.conversation_id),
                    delay, code)
        return delay

    def _schedule(self, delay: float | None) -> None:
        """Wake the loop when a retry falls due instead of waiting for the next poll."""
        if delay is not None and self._wake is not None:
            asyncio.get_running_loop().call_later(delay, self.notify)

    async def _outside_window(self, message: outbox.Claimed, transport: Transport) -> None:
        """WhatsApp only lets us write freely within 24 hours of the person's last message."""
        tag = short(message.conversation_id)
        await asyncio.to_thread(outbox.hold, message.id, "outside_24h_window")
        template = transport.template()
        if template is None:
            logger.warning("message %s for %s held until the person writes again "
                           "(outside WhatsApp's 24-hour window and no TWILIO_WHATSAPP_TEMPLATE_SID)", message.id, tag)
            return
        since = utcnow() - timedelta(hours=24)
        if await asyncio.to_thread(outbox.recent_template, message.conversation_id, since):
            logger.info("message %s for %s held; a template already invited the person to write", message.id, tag)
            return
        await asyncio.to_thread(
            outbox.enqueue, message.conversation_id, message.channel,
            [outbox.Part(body=None, kind="template", extra=template)], origin="system",
        )
        logger.info("message %s for %s held; template sent to reopen the conversation", message.id, tag)
        self.notify()
