"""Telegram channel end to end: webhook -> channel -> echo bot -> outbox -> fake Bot API."""
from __future__ import annotations

import asyncio
import logging
import time

from sqlalchemy import select, text

from bot.db.models import Contact, OutboundMessage
from bot.db.session import get_engine, session_scope
from integrations import addresses, outbox, state
from integrations.delivery import RetryPolicy
from integrations.formatting import TELEGRAM_MAX, utf16_len
from tests.integrations import payloads as p
from tests.integrations.conftest import wait_for


async def test_text_message_reaches_rasa_with_a_pseudonymous_sender_and_metadata(harness):
    chat = p.new_chat_id()
    response = await harness.telegram_update(p.tg_text(chat, "Me ofrecieron trabajo en Mazuko", "es"))
    assert response.status_code == 200
    await harness.settle()
    [message] = harness.bot.messages
    assert message.text == "Me ofrecieron trabajo en Mazuko"
    assert message.sender_id == addresses.conversation_id("telegram", str(chat))
    assert message.sender_id.startswith("tg-") and str(chat) not in message.sender_id
    assert message.metadata == {"channel": "telegram", "language_code": "es"}
    assert message.input_channel == "telegram"
    assert harness.telegram.sent_texts(chat) == ["Recibí: Me ofrecieron trabajo en Mazuko"]


async def test_the_chat_id_is_stored_encrypted_on_the_contact(harness):
    chat = p.new_chat_id()
    await harness.telegram_update(p.tg_text(chat, "hola"))
    await harness.settle()
    conversation = addresses.conversation_id("telegram", str(chat))
    with get_engine().connect() as conn:
        raw = conn.execute(text("SELECT address FROM contacts WHERE conversation_id = :c"),
                           {"c": conversation}).scalar_one()
    assert raw.startswith("enc1:") and str(chat) not in raw
    with session_scope() as db:
        contact = db.execute(select(Contact).where(Contact.conversation_id == conversation)).scalar_one()
        assert (contact.channel, contact.address) == ("telegram", str(chat))


async def test_wrong_or_missing_secret_token_is_refused(harness):
    chat = p.new_chat_id()
    wrong = await harness.telegram_update(p.tg_text(chat, "hola"), secret="not-the-secret")
    missing = await harness.telegram_update(p.tg_text(chat, "hola"), secret=None)
    almost = await harness.telegram_update(p.tg_text(chat, "hola"), secret=harness.secret[:-1])
    assert (wrong.status_code, missing.status_code, almost.status_code) == (403, 403, 403)
    await harness.settle()
    assert harness.bot.messages == [] and harness.telegram.sent_texts(chat) == []


async def test_the_same_update_delivered_twice_gets_one_reply(harness):
    chat = p.new_chat_id()
    update = p.tg_text(chat, "¿es trata si me quitan el DNI?")
    first, again = await asyncio.gather(harness.telegram_update(update), harness.telegram_update(update))
    third = await harness.telegram_update(update)
    assert {first.status_code, again.status_code, third.status_code} == {200}
    await harness.settle()
    assert len(harness.bot.messages) == 1
    assert len(harness.telegram.sent_texts(chat)) == 1


async def test_button_press_answers_the_callback_and_sends_the_payload(harness):
    chat = p.new_chat_id()
    await harness.telegram_update(p.tg_text(chat, "/start"))
    await harness.settle()
    [greeting] = harness.telegram.calls_to("sendMessage")
    keyboard = greeting.params["reply_markup"]["inline_keyboard"]
    assert [row[0]["text"] for row in keyboard] == ["Castellano", "Runasimi (quechua)"]
    chosen = keyboard[1][0]["callback_data"]
    update = p.tg_callback(chat, chosen, language_code="es")
    assert (await harness.telegram_update(update)).status_code == 200
    await harness.settle()
    assert [m.text for m in harness.bot.messages] == ["/greet", '/choose_language{"language": "qu"}']
    [answer] = harness.telegram.calls_to("answerCallbackQuery")
    assert answer.params["callback_query_id"] == update["callback_query"]["id"]


async def test_commands_map_to_payloads(harness):
    chat = p.new_chat_id()
    for command in ("/start", "/ayuda", "/idioma", "/idioma quechua", "/start@WillakuyBot"):
        await harness.telegram_update(p.tg_text(chat, command))
        await harness.settle()
    assert harness.bot.texts() == ["/greet", "/ask_capabilities", "/choose_language",
                                   '/choose_language{"language":"qu"}', "/greet"]


async def test_typed_intent_syntax_is_not_taken_as_a_button(harness):
    chat = p.new_chat_id()
    await harness.telegram_update(p.tg_text(chat, '/report_case{"priority": "P1"}'))
    await harness.settle()
    assert harness.bot.texts() == ['report_case{"priority": "P1"}']


async def test_photo_voice_and_sticker_get_a_text_only_note_in_the_persons_language(harness):
    chat_es, chat_qu = p.new_chat_id(), p.new_chat_id()
    await harness.telegram_update(p.tg_photo(chat_es))
    await harness.telegram_update(p.tg_voice(chat_qu, language_code="qu"))
    await harness.telegram_update(p.tg_sticker(chat_es))
    await harness.settle()
    assert harness.bot.messages == []
    spanish = harness.telegram.sent_texts(chat_es)
    assert len(spanish) == 2 and all("solo puedo leer mensajes de texto" in t for t in spanish)
    assert "105" in spanish[0]
    [quechua] = harness.telegram.sent_texts(chat_qu)
    assert "qillqasqallatam" in quechua


async def test_photo_with_caption_gets_the_note_and_the_caption_goes_to_rasa(harness):
    chat = p.new_chat_id()
    await harness.telegram_update(p.tg_photo(chat, caption="esta es la oferta que me mandaron"))
    await harness.settle()
    assert harness.bot.texts() == ["esta es la oferta que me mandaron"]
    sent = harness.telegram.sent_texts(chat)
    assert "solo puedo leer" in sent[0] and sent[1] == "Recibí: esta es la oferta que me mandaron"


async def test_edited_messages_group_chats_and_blocking_are_handled_quietly(harness):
    chat = p.new_chat_id()
    for update in (p.tg_edited(chat, "corrijo: Puerto Maldonado"), p.tg_group_text(chat, "hola grupo"),
                   p.tg_member(chat, "kicked")):
        assert (await harness.telegram_update(update)).status_code == 200
    await harness.settle()
    assert harness.bot.messages == [] and harness.telegram.calls_to("sendMessage") == []


async def test_a_person_who_blocked_the_bot_gets_nothing_until_they_come_back(harness):
    chat = p.new_chat_id()
    conversation = addresses.conversation_id("telegram", str(chat))
    await harness.telegram_update(p.tg_text(chat, "hola"))
    await harness.settle()
    await harness.telegram_update(p.tg_member(chat, "kicked"))
    await harness.settle()
    assert state.get(conversation).opted_out
    blocked = await harness.runtime.outbound.send_to_conversation(conversation, "¿Sigues ahí?")
    assert blocked.status == outbox.BLOCKED
    await harness.telegram_update(p.tg_member(chat, "member", old_status="kicked"))
    await harness.settle()
    again = await harness.runtime.outbound.send_to_conversation(conversation, "¿Sigues ahí?")
    assert again.status == outbox.SENT
    assert harness.telegram.sent_texts(chat) == ["Recibí: hola", "¿Sigues ahí?"]


async def test_long_answers_are_split_on_paragraphs_within_telegrams_limit(harness):
    chat = p.new_chat_id()
    paragraph = ("La trata de personas es un delito que se aprovecha de la necesidad. " * 20).strip()
    big = "\n\n".join([paragraph] * 12)  # about 16,000 characters in one message
    await harness.telegram_update(p.tg_text(chat, "hola"))
    await harness.settle()
    result = await harness.runtime.outbound.send_to_conversation(
        addresses.conversation_id("telegram", str(chat)), big)
    await harness.settle()
    parts = harness.telegram.sent_texts(chat)[1:]
    assert result.status == outbox.SENT
    assert len(parts) == 4 and all(utf16_len(part) <= TELEGRAM_MAX for part in parts)
    # Cut between paragraphs (three fit in 4096), never inside one; nothing lost or reordered.
    assert all(part == "\n\n".join([paragraph] * 3) for part in parts)


async def test_a_paragraph_longer_than_the_limit_is_cut_between_sentences(harness):
    chat = p.new_chat_id()
    sentence = "Nadie puede quitarte tu DNI ni retenerte por una deuda. "
    huge = (sentence * 100).strip()  # one paragraph, 5,600 characters, with emoji counting double
    huge = "🙂 " + huge
    await harness.telegram_update(p.tg_text(chat, "hola"))
    await harness.settle()
    await harness.runtime.outbound.send_to_conversation(addresses.conversation_id("telegram", str(chat)), huge)
    await harness.settle()
    parts = harness.telegram.sent_texts(chat)[1:]
    assert len(parts) == 2 and all(utf16_len(part) <= TELEGRAM_MAX for part in parts)
    assert parts[0].endswith("deuda.") and parts[1].startswith("Nadie")


async def test_rate_limit_429_is_retried_after_retry_after(harness):
    chat = p.new_chat_id()
    harness.telegram.rate_limit_next(1, retry_after=1)
    started = time.monotonic()
    await harness.telegram_update(p.tg_text(chat, "hola"))
    await wait_for(lambda: len(harness.telegram.sent_texts(chat)) == 2)
    await harness.settle()
    calls = [c for c in harness.telegram.calls_to("sendMessage") if c.params["chat_id"] == str(chat)]
    assert calls[1].at - calls[0].at >= 1.0
    assert time.monotonic() - started < 5
    with session_scope() as db:
        row = db.execute(select(OutboundMessage).where(
            OutboundMessage.conversation_id == addresses.conversation_id("telegram", str(chat)))).scalar_one()
        assert (row.status, row.attempts) == (outbox.SENT, 2)
        assert [s.status for s in row.statuses] == [outbox.PENDING, outbox.RETRYING, outbox.SENT]
        assert row.body is None  # not kept once Telegram has it


async def test_server_errors_are_retried_with_backoff_then_given_up(harness):
    chat = p.new_chat_id()
    harness.runtime.worker.retry = RetryPolicy(base_seconds=0.3, factor=2.0, cap_seconds=5, max_attempts=3, jitter=0)
    harness.telegram.server_error_next(2)
    await harness.telegram_update(p.tg_text(chat, "uno"))
    await wait_for(lambda: harness.telegram.sent_texts(chat).count("Recibí: uno") == 3)
    calls = [c for c in harness.telegram.calls_to("sendMessage") if c.params["chat_id"] == str(chat)]
    gaps = [later.at - earlier.at for earlier, later in zip(calls, calls[1:])]
    assert gaps[0] >= 0.3 and gaps[1] >= 0.6 and gaps[1] > gaps[0]  # 0.3 s, then twice that
    harness.telegram.server_error_next(10)
    await harness.telegram_update(p.tg_text(chat, "dos"))
    conversation = addresses.conversation_id("telegram", str(chat))

    def gave_up():
        with session_scope() as db:
            rows = db.execute(select(OutboundMessage).where(OutboundMessage.conversation_id == conversation)
                              .order_by(OutboundMessage.id)).scalars().all()
            return len(rows) == 2 and rows[1].status == outbox.FAILED and rows[1].error.startswith("gave_up")

    await wait_for(gave_up)


async def test_replies_to_one_person_go_out_in_order_even_when_one_is_retried(harness):
    chat = p.new_chat_id()
    harness.telegram.server_error_next(1)
    for word in ("primero", "segundo", "tercero"):
        await harness.telegram_update(p.tg_text(chat, word))
    await wait_for(lambda: len(set(harness.telegram.sent_texts(chat))) == 3)
    delivered = [t for t in harness.telegram.sent_texts(chat)]
    assert delivered[-3:] == ["Recibí: primero", "Recibí: segundo", "Recibí: tercero"]


async def test_the_bot_api_is_never_asked_who_it_is(harness):
    for _ in range(5):
        await harness.telegram_update(p.tg_text(p.new_chat_id(), "hola"))
    await harness.settle()
    assert harness.telegram.calls_to("getMe") == []
    assert {c.method for c in harness.telegram.calls} == {"sendMessage"}


async def test_logs_carry_no_message_text_chat_ids_or_names(harness, caplog):
    caplog.set_level(logging.DEBUG)
    chat = p.new_chat_id()
    harness.telegram.rate_limit_next(1, retry_after=1)
    await harness.telegram_update(p.tg_text(chat, "Mi prima Yesenia está encerrada en Mazuko"))
    await harness.telegram_update(p.tg_photo(chat))
    await harness.telegram_update(p.tg_text(chat, "hola"), secret="wrong")
    await wait_for(lambda: len(harness.telegram.sent_texts(chat)) >= 2)
    await harness.settle()
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "will be retried" in logged and "only text is read" in logged and "refused" in logged
    for secret in ("Yesenia", "Mazuko", str(chat), "Rosa", "Quispe", harness.secret, "AAtest-token"):
        assert secret not in logged


async def test_unreadable_updates_are_acknowledged_once_authenticated_and_refused_otherwise(harness):
    for body in (b"{", b"[]", b'{"update_id": "x"}', b'{"update_id": 5, "message": "hola"}'):
        assert (await harness.telegram_update({}, raw=body)).json() == {"status": "unreadable"}
        assert (await harness.telegram_update({}, raw=body, secret=None)).status_code == 403
    await harness.settle()
    assert harness.bot.messages == [] and harness.telegram.calls == []
