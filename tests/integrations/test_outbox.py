"""The durable parts: de-duplication across replicas, the outbox across restarts, ordered claiming."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from sqlalchemy import select, update

from bot.db.models import ChannelDedup, OutboundMessage
from bot.db.session import session_scope
from bot.db.types import utcnow
from integrations import addresses, dedup, outbox
from integrations.outbound import ChannelNotAvailable, OutboundService, UnknownConversation
from integrations.runtime import Runtime
from integrations.settings import telegram_config
from integrations.telegram_transport import TelegramTransport
from tests.integrations import payloads as p
from tests.integrations.conftest import FAST_RETRY, channel_settings, wait_for


def test_first_time_then_duplicate(database_url, unique):
    assert dedup.first_time("telegram", f"u-{unique}") is True
    assert dedup.first_time("telegram", f"u-{unique}") is False
    assert dedup.first_time("sms", f"u-{unique}") is True  # namespaced by channel


def test_replicas_racing_on_one_delivery_accept_it_once(database_url, unique):
    barrier = threading.Barrier(8)

    def deliver(_):
        barrier.wait()
        return dedup.first_time("whatsapp", f"SM{unique}")

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(deliver, range(8)))
    assert results.count(True) == 1


def test_expired_entries_are_purged(database_url, unique):
    dedup.first_time("telegram", f"old-{unique}", ttl=timedelta(seconds=-1))
    dedup.first_time("telegram", f"new-{unique}")
    dedup.purge_expired()
    with session_scope() as db:
        keys = set(db.execute(select(ChannelDedup.key)).scalars())
    assert dedup.key("telegram", f"old-{unique}") not in keys and dedup.key("telegram", f"new-{unique}") in keys
    # After expiry the same id would be new again (Telegram reuses ids only after a week of silence).
    assert dedup.first_time("telegram", f"old-{unique}") is True


def _rows(conversation: str) -> list[OutboundMessage]:
    with session_scope() as db:
        return db.execute(select(OutboundMessage).where(OutboundMessage.conversation_id == conversation)
                          .order_by(OutboundMessage.id)).scalars().all()


def test_one_conversation_is_claimed_in_order_and_two_workers_never_share_a_row(database_url, unique):
    conversation = f"tg-order-{unique}"
    outbox.enqueue(conversation, "telegram", [outbox.Part("uno")])
    outbox.enqueue(conversation, "telegram", [outbox.Part("dos")])
    other = f"tg-other-{unique}"
    outbox.enqueue(other, "telegram", [outbox.Part("tres")])
    with ThreadPoolExecutor(max_workers=4) as pool:
        claims = [c for batch in pool.map(lambda _: outbox.claim_due(limit=50, channels=["telegram"]), range(4))
                  for c in batch if c.conversation_id in (conversation, other)]
    assert sorted(c.body for c in claims) == ["tres", "uno"]  # "dos" waits for "uno"
    first = next(c for c in claims if c.body == "uno")
    assert outbox.claim_due(limit=50, only_ids=[_rows(conversation)[1].id]) == []
    outbox.mark(first.id, outbox.SENT, provider_id="77")
    [second] = outbox.claim_due(limit=50, only_ids=[_rows(conversation)[1].id])
    assert second.body == "dos"


def test_a_claim_abandoned_by_a_dead_worker_is_taken_over(database_url, unique):
    conversation = f"tg-lease-{unique}"
    _, [row_id] = outbox.enqueue(conversation, "telegram", [outbox.Part("hola")])
    [claimed] = outbox.claim_due(only_ids=[row_id], lease=timedelta(seconds=60))
    assert outbox.claim_due(only_ids=[row_id]) == []
    with session_scope() as db:
        db.execute(update(OutboundMessage).where(OutboundMessage.id == row_id)
                   .values(claimed_until=utcnow() - timedelta(seconds=1)))
    [again] = outbox.claim_due(only_ids=[row_id])
    assert again.id == claimed.id and again.attempts == 2


async def test_pending_messages_survive_a_restart(database_url, fake_telegram, fake_twilio):
    settings = channel_settings(fake_telegram, fake_twilio, "https://willakuy.example.org")
    chat = p.new_chat_id()
    conversation = addresses.conversation_id("telegram", str(chat))
    addresses.remember(conversation, "telegram", str(chat))
    # First process: Telegram is down; the message waits for a retry.
    fake_telegram.server_error_next(1)
    first = Runtime(retry=FAST_RETRY)
    first.add_transport(TelegramTransport(telegram_config(None, settings)))
    result = await first.outbound.send_to_conversation(conversation, "Tu caso fue derivado a la fiscalía.")
    assert result.status == outbox.RETRYING
    await first.stop()
    # Second process (after a restart): its worker finds the row and delivers it.
    second = Runtime(retry=FAST_RETRY, poll_seconds=0.05)
    second.add_transport(TelegramTransport(telegram_config(None, settings)))
    await second.start()
    try:
        await wait_for(lambda: fake_telegram.sent_texts(chat) == ["Tu caso fue derivado a la fiscalía."] * 2)
        await wait_for(lambda: outbox.batch(result.message_id).status == outbox.SENT)
    finally:
        await second.stop()


async def test_send_to_conversation_refuses_unknown_and_unconfigured_conversations(database_url, unique):
    service = OutboundService(Runtime().worker)
    try:
        await service.send_to_conversation(f"tg-nobody-{unique}", "hola")
        raise AssertionError("expected UnknownConversation")
    except UnknownConversation as error:
        assert unique not in str(error)  # the id is shortened, never echoed
    phone = p.new_phone()
    conversation = addresses.conversation_id("sms", phone)
    addresses.remember(conversation, "sms", phone)
    try:
        await service.send_to_conversation(conversation, "hola")
        raise AssertionError("expected ChannelNotAvailable")
    except ChannelNotAvailable as error:
        assert "not configured" in str(error)


async def test_an_empty_operator_message_is_refused(database_url, fake_telegram, fake_twilio):
    settings = channel_settings(fake_telegram, fake_twilio, "https://willakuy.example.org")
    runtime = Runtime()
    runtime.add_transport(TelegramTransport(telegram_config(None, settings)))
    chat = p.new_chat_id()
    conversation = addresses.conversation_id("telegram", str(chat))
    addresses.remember(conversation, "telegram", str(chat))
    for text in ("", "   \n"):
        try:
            await runtime.outbound.send_to_conversation(conversation, text)
            raise AssertionError("expected ValueError")
        except ValueError:
            pass
    assert fake_telegram.calls == []
