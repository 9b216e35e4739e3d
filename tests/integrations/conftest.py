"""Channels mounted on an in-process Sanic server, talking to local fake Telegram and Twilio.

``harness`` builds the real input channels (Rasa's ``register`` mounts their blueprints,
as ``rasa run`` does) with an echo bot in place of a trained model: it answers through
the output channel Rasa would use, so formatting, the outbox, retries and the fake
provider APIs are all exercised. Nothing leaves 127.0.0.1.
"""
from __future__ import annotations

import asyncio
import dataclasses
import json
import secrets
import time
import uuid
from types import SimpleNamespace
from typing import Any, Callable
from urllib.parse import urlencode

import httpx
import pytest
from rasa.core.channels.channel import UserMessage, register
from sanic import Sanic
from twilio.request_validator import RequestValidator

from bot.config import get_settings
from bot.runner import free_port
from integrations.delivery import RetryPolicy
from integrations.fakes import FakeTelegram, FakeTwilio
from integrations.runtime import Runtime
from integrations.settings import telegram_config, twilio_config
from integrations.telegram_channel import SECRET_HEADER, TelegramInput
from integrations.twilio_channel import SmsInput, WhatsAppInput

# Several apps in one process (one per test): Sanic must keep its original methods around.
Sanic.test_mode = True

TOKEN = "7000001:AAtest-token"
ACCOUNT_SID = "AC" + "a1" * 16
AUTH_TOKEN = "f" * 32
SMS_FROM = "+15005550006"
WHATSAPP_FROM = "whatsapp:+14155238886"
TEMPLATE_SID = "HX" + "b2" * 16
GREETING_BUTTONS = [
    {"title": "Castellano", "payload": '/choose_language{"language": "es"}'},
    {"title": "Runasimi (quechua)", "payload": '/choose_language{"language": "qu"}'},
]
FAST_RETRY = RetryPolicy(base_seconds=0.05, factor=2.0, cap_seconds=0.5, max_attempts=4, jitter=0.0)


def sid(prefix: str = "SM") -> str:
    return prefix + secrets.token_hex(16)


async def wait_for(predicate: Callable[[], Any], timeout: float = 8.0, interval: float = 0.02) -> Any:
    """Poll until predicate() is truthy (background processing and delivery are asynchronous)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if asyncio.iscoroutine(value):
            value = await value
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        await asyncio.sleep(interval)


class EchoBot:
    """Stands in for Rasa's agent: records each UserMessage and answers through its output channel."""

    def __init__(self) -> None:
        self.messages: list[UserMessage] = []
        self.long_text = ""

    async def __call__(self, message: UserMessage) -> None:
        self.messages.append(message)
        out, sender, text = message.output_channel, message.sender_id, message.text or ""
        if text == "/greet":
            await out.send_response(sender, {"text": "¡Hola! ¿En qué idioma prefieres conversar?",
                                             "buttons": [dict(b) for b in GREETING_BUTTONS]})
        elif text == "largo":
            for bubble in self.long_text.split("\n\n"):
                await out.send_response(sender, {"text": bubble})
        elif text == "lento":
            await asyncio.sleep(1.5)
            await out.send_response(sender, {"text": "listo"})
        else:
            await out.send_response(sender, {"text": f"Recibí: {text}"})

    def texts(self) -> list[str]:
        return [m.text for m in self.messages]


class Harness:
    def __init__(self, runtime: Runtime, bot: EchoBot, telegram: FakeTelegram, twilio: FakeTwilio, port: int,
                 public_url: str) -> None:
        self.runtime = runtime
        self.bot = bot
        self.telegram = telegram
        self.twilio = twilio
        self.port = port
        self.public_url = public_url
        self.client = httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=20)
        self.secret = ""
        self.first_row = 0

    async def telegram_update(self, update: dict, *, secret: str | None = "default", raw: bytes | None = None
                              ) -> httpx.Response:
        headers = {"Content-Type": "application/json"}
        if secret == "default":
            secret = self.secret
        if secret is not None:
            headers[SECRET_HEADER] = secret
        body = raw if raw is not None else json.dumps(update).encode()
        return await self.client.post("/webhooks/telegram/webhook", content=body, headers=headers)

    def twilio_signature(self, path: str, params: dict | list, token: str = AUTH_TOKEN) -> str:
        items = params if isinstance(params, dict) else _multi(params)
        return RequestValidator(token).compute_signature(self.public_url + path, items)

    async def post_twilio(self, channel: str, params: dict | list, *, route: str = "webhook",
                     signature: str | None = "valid") -> httpx.Response:
        path = f"/webhooks/{channel}/{route}"
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        if signature == "valid":
            signature = self.twilio_signature(path, params)
        if signature is not None:
            headers["X-Twilio-Signature"] = signature
        body = urlencode(list(params.items()) if isinstance(params, dict) else params)
        return await self.client.post(path, content=body.encode(), headers=headers)

    async def status_callback(self, message_sid: str, status: str, error_code: int | None = None) -> httpx.Response:
        """The fake Twilio posts a signed delivery status, through our "proxy" (local address)."""
        return await asyncio.to_thread(self.twilio.status_callback, message_sid, status, error_code,
                                       via=f"http://127.0.0.1:{self.port}")

    async def settle(self, timeout: float = 8.0) -> None:
        """Wait until the queue is empty and the outbox has nothing pending or being sent.

        Messages waiting for a retry later are not waited for (tests of retries use wait_for).
        """
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            await self.runtime.queue.drain(timeout)
            await self.runtime.worker.run_once()
            if self.runtime.queue.pending == 0 and not await asyncio.to_thread(_busy_rows, self.first_row):
                return
            await asyncio.sleep(0.01)
        raise AssertionError("outbox did not settle")


def _busy_rows(first_row: int = 0) -> int:
    from sqlalchemy import func, select

    from bot.db.models import OutboundMessage
    from bot.db.session import session_scope

    with session_scope() as db:
        return db.execute(select(func.count()).select_from(OutboundMessage).where(
            OutboundMessage.id >= first_row, OutboundMessage.status.in_(("pending", "claimed")))).scalar_one()


def _abandon_rows(first_row: int, first_journal_row: int) -> None:
    from sqlalchemy import update

    from bot.db.models import ChannelDedup, OutboundMessage
    from bot.db.session import session_scope

    with session_scope() as db:
        db.execute(update(OutboundMessage).where(
            OutboundMessage.id >= first_row,
            OutboundMessage.status.in_(("pending", "retrying", "claimed", "held")),
        ).values(status="failed", error="test_teardown"))
        # Unfinished journal entries would be recovered by a later test's channels.
        db.execute(update(ChannelDedup).where(ChannelDedup.id >= first_journal_row, ChannelDedup.payload.is_not(None))
                   .values(payload=None))


def _next_row_id(model=None) -> int:
    from sqlalchemy import func, select

    from bot.db.models import OutboundMessage
    from bot.db.session import session_scope

    model = model or OutboundMessage
    with session_scope() as db:
        return (db.execute(select(func.max(model.id))).scalar_one() or 0) + 1


def next_journal_row() -> int:
    from bot.db.models import ChannelDedup

    return _next_row_id(ChannelDedup)


def _multi(pairs: list) -> dict:
    from integrations.twilio_params import FormParams

    form: dict[str, list[str]] = {}
    for key, value in pairs:
        form.setdefault(key, []).append(value)
    return FormParams(form)


@pytest.fixture()
def fake_telegram():
    with FakeTelegram(TOKEN) as server:
        yield server


@pytest.fixture()
def fake_twilio():
    with FakeTwilio(ACCOUNT_SID, AUTH_TOKEN) as server:
        yield server


def channel_settings(telegram: FakeTelegram, twilio: FakeTwilio, public_url: str, **overrides: str):
    extra = {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_WEBHOOK_SECRET": "s3cret-" + secrets.token_hex(8),
        "TELEGRAM_API_BASE_URL": telegram.base_url,
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TWILIO_SMS_FROM": SMS_FROM,
        "TWILIO_WHATSAPP_FROM": WHATSAPP_FROM,
        "TWILIO_WHATSAPP_TEMPLATE_SID": TEMPLATE_SID,
        "TWILIO_API_BASE_URL": twilio.base_url,
    }
    extra.update(overrides)
    extra = {k: v for k, v in extra.items() if v}
    return dataclasses.replace(get_settings(), extra=extra, public_base_url=public_url)


@pytest.fixture()
async def harness(database_url, fake_telegram, fake_twilio):
    """Telegram, WhatsApp and SMS channels on one Sanic server, behind a pretend public URL."""
    async with make_harness(fake_telegram, fake_twilio) as h:
        yield h


class make_harness:
    """``async with make_harness(...) as h``: also used by the benchmark."""

    def __init__(self, telegram: FakeTelegram, twilio: FakeTwilio, *, bot=None, runtime: Runtime | None = None,
                 **overrides: str) -> None:
        self.telegram, self.twilio = telegram, twilio
        self.bot = bot or EchoBot()
        self.runtime = runtime or Runtime(retry=FAST_RETRY, poll_seconds=0.05)
        self.overrides = overrides

    async def __aenter__(self) -> Harness:
        port = free_port()
        # Twilio signs the public URL (a proxy in front of us), not 127.0.0.1:port.
        public_url = "https://willakuy.example.org"
        settings = channel_settings(self.telegram, self.twilio, public_url, **self.overrides)
        channels = [
            TelegramInput(telegram_config(None, settings), self.runtime),
            WhatsAppInput(twilio_config("whatsapp", None, settings), self.runtime),
            SmsInput(twilio_config("sms", None, settings), self.runtime),
        ]
        app = Sanic(f"willakuy_test_{uuid.uuid4().hex[:12]}")
        app.config.ACCESS_LOG = False
        app.ctx.agent = SimpleNamespace(handle_message=self.bot)
        register(channels, app, route="/webhooks/")
        self.server = await app.create_server(host="127.0.0.1", port=port, return_asyncio_server=True,
                                              access_log=False)
        await self.server.startup()
        await self.server.before_start()
        await self.server.after_start()
        self.harness = Harness(self.runtime, self.bot, self.telegram, self.twilio, port, public_url)
        self.harness.secret = channels[0].config.webhook_secret
        # The session database holds earlier tests' rows: settle() only waits for this test's.
        self.harness.first_row = await asyncio.to_thread(_next_row_id)
        self.first_journal_row = await asyncio.to_thread(next_journal_row)
        self.harness.channels = channels
        return self.harness

    async def __aexit__(self, *exc) -> None:
        try:
            await self.harness.settle(timeout=5)
        except AssertionError:
            pass
        # Leave nothing waiting (retries, held messages) for the next test's fake servers.
        await asyncio.to_thread(_abandon_rows, self.harness.first_row, self.first_journal_row)
        await self.harness.client.aclose()
        await self.server.before_stop()
        self.server.close()
        await self.server.wait_closed()
        await self.server.after_stop()
