"""The inbound journal: a message acknowledged to the provider is processed even if the process dies.

A "crash" is a runtime whose queue never runs what it is given (the process died right
after answering the provider); "later" is the journal rows' received_at moved back past
the grace period. Recovery is what a fresh process (or another replica) does at start
and then every minute.
"""
from __future__ import annotations

import asyncio
import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from sqlalchemy import select, text, update

from bot.db.models import ChannelDedup
from bot.db.session import get_engine, session_scope
from bot.db.types import utcnow
from integrations import dedup
from integrations.inbound import Inbound, dumps
from integrations.processing import ConversationQueue
from integrations.runtime import Runtime
from tests.integrations import payloads as p
from tests.integrations.conftest import FAST_RETRY, EchoBot, make_harness, next_journal_row, wait_for


class DyingQueue(ConversationQueue):
    """The process dies right after acknowledging: what is queued never runs."""

    def submit(self, key, job) -> None:
        job().close()  # the coroutine is never awaited


def crashed_runtime() -> Runtime:
    # Its own recovery never runs during a test (a dead process recovers nothing).
    runtime = Runtime(retry=FAST_RETRY, poll_seconds=0.05, recovery_grace=7200, recover_every=3600)
    runtime.queue = DyingQueue()
    return runtime


def fresh_runtime() -> Runtime:
    return Runtime(retry=FAST_RETRY, poll_seconds=0.05)


def _age(first_row: int, by: timedelta = timedelta(minutes=10)) -> int:
    """Let time pass for the unfinished journal rows written since ``first_row``."""
    with session_scope() as db:
        return db.execute(update(ChannelDedup).where(ChannelDedup.id >= first_row,
                                                     ChannelDedup.payload.is_not(None))
                          .values(received_at=utcnow() - by)).rowcount


def _rows(first_row: int) -> list[tuple[str, bool, int]]:
    with session_scope() as db:
        return [(r.key, r.payload is not None, r.attempts) for r in db.execute(
            select(ChannelDedup).where(ChannelDedup.id >= first_row).order_by(ChannelDedup.id)).scalars()]


async def age(first_row: int) -> int:
    return await asyncio.to_thread(_age, first_row)


async def rows(first_row: int) -> list[tuple[str, bool, int]]:
    return await asyncio.to_thread(_rows, first_row)


async def test_messages_acknowledged_by_a_process_that_died_are_processed_once_after_recovery(
        database_url, fake_telegram, fake_twilio):
    chat, phone, sms_phone = p.new_chat_id(), p.new_phone(), p.new_phone()
    async with make_harness(fake_telegram, fake_twilio, runtime=crashed_runtime()) as dead:
        first = await asyncio.to_thread(next_journal_row)
        assert (await dead.telegram_update(p.tg_text(chat, "me quitaron el DNI"))).status_code == 200
        assert (await dead.telegram_update(p.tg_text(chat, "estoy en Mazuko"))).status_code == 200
        assert (await dead.post_twilio("whatsapp", p.whatsapp(phone, "¿es trata?"))).status_code == 200
        assert (await dead.post_twilio("sms", p.sms(sms_phone, "AYUDA"))).status_code == 200
        await dead.runtime.worker.stop()
        assert dead.bot.messages == [] and [pending for _, pending, _ in await rows(first)] == [True] * 4

        assert await age(first) == 4  # two minutes later another process starts; its start recovers them
        async with make_harness(fake_telegram, fake_twilio, runtime=fresh_runtime()) as h:
            await wait_for(lambda: len(h.bot.messages) == 3 and fake_twilio.sent_to(sms_phone))
            await h.settle()
            assert fake_telegram.sent_texts(chat) == ["Recibí: me quitaron el DNI", "Recibí: estoy en Mazuko"]
            assert fake_twilio.bodies(f"whatsapp:{phone}") == ["Recibí: ¿es trata?"]
            assert len(fake_twilio.sent_to(sms_phone)) == 1  # AYUDA is answered by the channel itself
            assert await rows(first) == [(key, False, 2) for key, _, _ in await rows(first)]
            await age(first)
            assert await h.runtime.recover() == 0  # done: never again
            await h.settle()
            assert sorted(h.bot.texts()) == sorted(["me quitaron el DNI", "estoy en Mazuko", "¿es trata?"])


async def test_a_finished_message_is_not_replayed(harness):
    first = await asyncio.to_thread(next_journal_row)
    chat = p.new_chat_id()
    await harness.telegram_update(p.tg_text(chat, "hola"))
    await harness.post_twilio("sms", p.sms(p.new_phone(), "STOP"))  # an early return: answered by the channel
    await harness.telegram_update(p.tg_edited(chat, "hola!"))  # another early return: not answered at all
    await harness.settle()
    assert [pending for _, pending, _ in await rows(first)] == [False, False, False]
    await age(first)
    assert await harness.runtime.recover() == 0
    await harness.settle()
    assert harness.bot.texts() == ["hola"] and harness.telegram.sent_texts(chat) == ["Recibí: hola"]


async def test_a_message_younger_than_the_grace_period_is_left_to_its_process(
        database_url, fake_telegram, fake_twilio):
    phone = p.new_phone()
    async with make_harness(fake_telegram, fake_twilio, runtime=crashed_runtime()) as dead:
        first = await asyncio.to_thread(next_journal_row)
        await dead.post_twilio("whatsapp", p.whatsapp(phone, "hola"))
        async with make_harness(fake_telegram, fake_twilio, runtime=fresh_runtime()) as h:
            assert await h.runtime.recover() == 0  # maybe still being worked on by a live replica
            await h.settle()
            assert h.bot.messages == [] and [(pending, n) for _, pending, n in await rows(first)] == [(True, 1)]
            await age(first)
            assert await h.runtime.recover() == 1
            await h.settle()
            assert h.bot.texts() == ["hola"]


async def test_a_replica_renews_the_lease_on_what_it_still_has_queued(harness):
    first = await asyncio.to_thread(next_journal_row)
    chat = p.new_chat_id()
    await harness.telegram_update(p.tg_text(chat, "lento"))  # the echo bot takes 1.5 s
    await wait_for(lambda: harness.bot.texts() == ["lento"])
    await age(first)  # as if it had waited in a long queue
    other = Runtime(retry=FAST_RETRY, poll_seconds=0.05)
    assert await harness.runtime.recover() == 0  # this process renews its own lease...
    async with make_harness(harness.telegram, harness.twilio, runtime=other) as replica:
        assert await replica.runtime.recover() == 0  # ...so another replica leaves it alone
        await harness.settle()
    assert harness.bot.texts() == ["lento"] and harness.telegram.sent_texts(chat) == ["listo"]


def test_replicas_recovering_at_once_claim_a_message_once(database_url, unique):
    message = Inbound("sms", f"SM{unique}", "+51987650001", "+51987650001", "text", text="hola")
    assert dedup.first_time("sms", message.external_id, payload=dumps(message))
    with session_scope() as db:
        db.execute(update(ChannelDedup).where(ChannelDedup.key == dedup.key("sms", message.external_id))
                   .values(received_at=utcnow() - timedelta(minutes=5)))
    barrier = threading.Barrier(8)

    def recover(_):
        barrier.wait()
        return dedup.claim_stale(dedup.key("sms", message.external_id))

    with ThreadPoolExecutor(max_workers=8) as pool:
        claims = [c for batch in pool.map(recover, range(8)) for c in batch]
    assert len(claims) == 1 and claims[0].attempts == 2 and '"text":"hola"' in claims[0].payload
    assert dedup.claim_stale(dedup.key("sms", message.external_id)) == []  # the claim renewed the lease
    dedup.done(claims[0].key)


async def test_two_replicas_starting_together_process_a_lost_message_once(database_url, fake_telegram, fake_twilio):
    chat = p.new_chat_id()
    async with make_harness(fake_telegram, fake_twilio, runtime=crashed_runtime()) as dead:
        first = await asyncio.to_thread(next_journal_row)
        await dead.telegram_update(p.tg_text(chat, "hola"))
        await dead.runtime.worker.stop()
        await age(first)
        one, two = fresh_runtime(), fresh_runtime()
        async with make_harness(fake_telegram, fake_twilio, runtime=one) as a, \
                make_harness(fake_telegram, fake_twilio, runtime=two) as b:
            await asyncio.gather(a.runtime.recover(), b.runtime.recover())
            await wait_for(lambda: fake_telegram.sent_texts(chat))
            await a.settle()
            await b.settle()
            assert a.bot.texts() + b.bot.texts() == ["hola"]
            assert fake_telegram.sent_texts(chat) == ["Recibí: hola"]


class PoisonBot(EchoBot):
    async def __call__(self, message) -> None:
        self.messages.append(message)
        raise RuntimeError(f"cannot handle {message.text}")


async def test_a_message_that_fails_every_time_is_given_up_after_three_attempts(
        database_url, fake_telegram, fake_twilio, caplog):
    caplog.set_level(logging.INFO)
    chat = p.new_chat_id()
    async with make_harness(fake_telegram, fake_twilio, bot=PoisonBot()) as h:
        first = await asyncio.to_thread(next_journal_row)
        await h.telegram_update(p.tg_text(chat, "veneno"))
        await h.settle()
        for attempt in (2, 3):
            assert [(pending, n) for _, pending, n in await rows(first)] == [(True, attempt - 1)]
            await age(first)
            assert await h.runtime.recover() == 1
            await h.settle()
        assert [(pending, n) for _, pending, n in await rows(first)] == [(False, 3)]
        await age(first)
        assert await h.runtime.recover() == 0
        await h.settle()
        assert h.bot.texts() == ["veneno"] * 3
    [key] = [k for k, _, _ in await rows(first)]
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING and "given up" in r.getMessage()]
    from bot.privacy.pseudonym import short
    assert warnings == [f"inbound {short(key)} given up: failed 3 times"]
    assert "veneno" not in caplog.text and str(chat) not in caplog.text


def test_a_message_whose_process_dies_every_time_is_given_up_after_three_attempts(database_url, unique, caplog):
    full_key = dedup.key("whatsapp", f"SM{unique}")
    message = Inbound("whatsapp", f"SM{unique}", "+51987650002", "whatsapp:+51987650002", "text", text="hola")
    dedup.first_time("whatsapp", message.external_id, payload=dumps(message))  # run 1 dies
    old = utcnow() - timedelta(minutes=5)
    for attempts in (2, 3):  # runs 2 and 3 die too
        with session_scope() as db:
            db.execute(update(ChannelDedup).where(ChannelDedup.key == full_key).values(received_at=old))
        [claim] = dedup.claim_stale(full_key)
        assert claim.attempts == attempts
    with session_scope() as db:
        db.execute(update(ChannelDedup).where(ChannelDedup.key == full_key).values(received_at=old))
    assert dedup.claim_stale(full_key) == []
    with session_scope() as db:
        row = db.execute(select(ChannelDedup).where(ChannelDedup.key == full_key)).scalar_one()
    assert row.payload is None and row.attempts == 3
    assert "unfinished after 3 attempts" in caplog.text
    assert dedup.first_time("whatsapp", message.external_id) is False  # still a duplicate until expiry


async def test_the_journal_is_encrypted_and_nothing_of_the_message_is_logged(
        database_url, fake_telegram, fake_twilio, caplog):
    caplog.set_level(logging.DEBUG)
    phone, chat = p.new_phone(), p.new_chat_id()
    secrets = ("Yesenia", "Mazuko", phone, phone.lstrip("+"), phone[-8:], str(chat))
    async with make_harness(fake_telegram, fake_twilio, runtime=crashed_runtime()) as dead:
        first = await asyncio.to_thread(next_journal_row)
        await dead.post_twilio("whatsapp", p.whatsapp(phone, "Me retienen en Mazuko, soy Yesenia",
                                                      profile_name="Yesenia Q"))
        await dead.telegram_update(p.tg_text(chat, "Yesenia está en Mazuko"))
        await dead.runtime.worker.stop()
        with get_engine().connect() as conn:
            raw = conn.execute(text("SELECT key, payload FROM channel_dedup WHERE id >= :f ORDER BY id"),
                               {"f": first}).all()
        assert len(raw) == 2
        for key, payload in raw:
            assert payload.startswith("enc1:")
            assert not any(s in payload or s in key for s in secrets)
        await age(first)
        async with make_harness(fake_telegram, fake_twilio, runtime=fresh_runtime()) as h:
            await wait_for(lambda: len(h.bot.messages) == 2)
            await h.settle()
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "unfinished messages queued again" in logged
    for secret in secrets:
        assert secret not in logged
