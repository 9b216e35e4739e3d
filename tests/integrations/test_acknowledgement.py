"""The answer to the provider: immediate, durable de-duplication first, 503 when the database is down."""
from __future__ import annotations

import time

from sqlalchemy.exc import OperationalError

from integrations import channel, dedup
from tests.integrations import payloads as p
from tests.integrations.conftest import wait_for


async def test_a_slow_database_does_not_hold_the_answer_back(harness, monkeypatch):
    real = dedup.first_time

    def slow(*args, **kwargs):
        time.sleep(0.6)
        return real(*args, **kwargs)

    monkeypatch.setattr(dedup, "first_time", slow)
    phone = p.new_phone()
    params = p.whatsapp(phone, "hola")
    started = time.monotonic()
    first = await harness.post_twilio("whatsapp", params)
    again = await harness.post_twilio("whatsapp", params)
    assert first.status_code == again.status_code == 200
    assert time.monotonic() - started < 2 * channel.ACK_BUDGET + 0.3  # both answered before the database
    await wait_for(lambda: len(harness.twilio.bodies(f"whatsapp:{phone}")) == 1)
    await harness.settle()
    assert harness.bot.texts() == ["hola"]  # the re-delivery was still recognised


async def test_a_database_that_is_down_gets_a_503_so_the_provider_retries(harness, monkeypatch):
    def down(*args, **kwargs):
        raise OperationalError("INSERT", {}, Exception("connection refused"))

    monkeypatch.setattr(dedup, "first_time", down)
    chat = p.new_chat_id()
    update = p.tg_text(chat, "hola")
    assert (await harness.telegram_update(update)).status_code == 503
    monkeypatch.undo()
    assert (await harness.telegram_update(update)).status_code == 200  # Telegram's retry
    await harness.settle()
    assert harness.telegram.sent_texts(chat) == ["Recibí: hola"]
