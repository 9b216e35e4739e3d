"""WhatsApp and SMS through Twilio end to end: signed webhook -> channel -> echo bot -> outbox -> fake Twilio."""
from __future__ import annotations

import asyncio
import time
from datetime import timedelta

from sqlalchemy import select, update

from bot.content.topics import render
from bot.db.models import ChannelConversation, OutboundMessage
from bot.db.session import session_scope
from bot.db.types import utcnow
from integrations import addresses, gsm, outbox, state
from integrations.delivery import RetryPolicy
from integrations.outbound import delivery_status
from integrations.twilio_channel import EMPTY_TWIML
from tests.integrations import payloads as p
from tests.integrations.conftest import SMS_FROM, TEMPLATE_SID, WHATSAPP_FROM, wait_for


def conversation(channel: str, phone: str) -> str:
    return addresses.conversation_id(channel, phone)


async def test_sms_keeps_the_text_exactly_as_sent_and_answers_with_empty_twiml(harness):
    phone = p.new_phone()
    response = await harness.post_twilio("sms", p.sms(phone, "¡Ayuda! Me quitaron el DNI"))
    assert response.status_code == 200
    assert response.text == EMPTY_TWIML and response.headers["content-type"].startswith("text/xml")
    await harness.settle()
    [message] = harness.bot.messages
    assert message.text == "¡Ayuda! Me quitaron el DNI"  # not "@Ayuda!" as Rasa's own connector makes it
    assert message.sender_id == conversation("sms", phone) and phone not in message.sender_id
    assert message.metadata == {"channel": "sms", "language_code": None}
    [create] = harness.twilio.sent_to(phone)
    assert create.params["From"] == SMS_FROM
    # GSM-7 for SMS: "í" folds to "i", while "¡" is GSM-7 and stays.
    assert create.params["Body"] == "Recibi: ¡Ayuda! Me quitaron el DNI"
    assert create.params["StatusCallback"] == "https://willakuy.example.org/webhooks/sms/status"


async def test_whatsapp_message_is_answered_on_whatsapp(harness):
    phone = p.new_phone()
    assert (await harness.post_twilio("whatsapp", p.whatsapp(phone, "allinllachu"))).status_code == 200
    await harness.settle()
    assert harness.bot.messages[0].sender_id == conversation("whatsapp", phone)
    assert harness.bot.messages[0].sender_id.startswith("wa-")
    [create] = harness.twilio.sent_to(f"whatsapp:{phone}")
    assert create.params["From"] == WHATSAPP_FROM


async def test_invalid_missing_and_wrongly_keyed_signatures_are_refused(harness):
    phone = p.new_phone()
    params = p.sms(phone, "hola")
    missing = await harness.post_twilio("sms", params, signature=None)
    garbage = await harness.post_twilio("sms", params, signature="bm90IGEgc2lnbmF0dXJl")
    other_key = await harness.post_twilio("sms", params,
                                     signature=harness.twilio_signature("/webhooks/sms/webhook", params, "0" * 32))
    tampered = dict(params, Body="hola, soy otra persona")
    replayed = await harness.post_twilio("sms", tampered, signature=harness.twilio_signature("/webhooks/sms/webhook", params))
    statuses = {r.status_code for r in (missing, garbage, other_key, replayed)}
    assert statuses == {403}
    await harness.settle()
    assert harness.bot.messages == [] and harness.twilio.calls == []


async def test_signature_is_checked_against_the_public_url_not_the_local_address(harness):
    phone = p.new_phone()
    params = p.sms(phone, "hola")
    local_url = f"http://127.0.0.1:{harness.port}/webhooks/sms/webhook"
    from twilio.request_validator import RequestValidator

    from tests.integrations.conftest import AUTH_TOKEN

    signed_for_local = RequestValidator(AUTH_TOKEN).compute_signature(local_url, params)
    assert (await harness.post_twilio("sms", params, signature=signed_for_local)).status_code == 403
    assert (await harness.post_twilio("sms", params)).status_code == 200  # signed for https://willakuy.example.org


async def test_blank_fields_count_in_the_signature(harness):
    # Twilio signs empty values (Body="" on a photo); a parser that drops them rejects real messages.
    phone = p.new_phone()
    params = p.sms_media(phone)
    assert params["Body"] == ""
    assert (await harness.post_twilio("sms", params)).status_code == 200


async def test_the_same_message_sid_twice_gets_one_reply(harness):
    phone = p.new_phone()
    params = p.whatsapp(phone, "me ofrecen trabajo en una mina")
    results = await asyncio.gather(*(harness.post_twilio("whatsapp", params) for _ in range(3)))
    assert {r.status_code for r in results} == {200}
    await harness.settle()
    assert len(harness.bot.messages) == 1 and len(harness.twilio.bodies(f"whatsapp:{phone}")) == 1


async def test_twilio_is_answered_before_the_assistant_has_finished(harness):
    phone = p.new_phone()
    started = time.monotonic()
    response = await harness.post_twilio("sms", p.sms(phone, "lento"))
    acknowledged = time.monotonic() - started
    assert response.status_code == 200 and acknowledged < 0.5  # the echo bot takes 1.5 s
    await wait_for(lambda: harness.twilio.bodies(phone) == ["listo"])


async def test_photos_and_voice_notes_get_a_text_only_note(harness):
    phone = p.new_phone()
    await harness.post_twilio("whatsapp", p.whatsapp_media(phone, "image/jpeg"))
    await harness.post_twilio("whatsapp", p.whatsapp_media(phone, "audio/ogg"))
    await harness.post_twilio("sms", p.sms_media(p.new_phone()))
    await harness.settle()
    assert harness.bot.messages == []
    bodies = harness.twilio.bodies()
    assert len(bodies) == 3 and all(b.startswith("Por ahora solo puedo leer mensajes de texto") for b in bodies)


async def test_buttons_become_numbered_options_and_the_number_maps_back(harness):
    phone = p.new_phone()
    await harness.post_twilio("whatsapp", p.whatsapp(phone, "/greet"))  # typed: not a payload
    await harness.settle()
    assert harness.bot.texts() == ["greet"]
    # A button message from the assistant, as an operator reply with buttons:
    from tests.integrations.conftest import GREETING_BUTTONS

    await harness.runtime.outbound.send_to_conversation(conversation("whatsapp", phone), "¿En qué idioma?",
                                                        buttons=GREETING_BUTTONS)
    body = harness.twilio.bodies(f"whatsapp:{phone}")[-1]
    assert body == "¿En qué idioma?\n\n1. Castellano\n2. Runasimi (quechua)\nResponde con el número."
    await harness.post_twilio("whatsapp", p.whatsapp(phone, " 2 "))
    await harness.settle()
    assert harness.bot.texts()[-1] == '/choose_language{"language": "qu"}'
    # Options answer one message only: a later "2" is text again.
    await harness.post_twilio("whatsapp", p.whatsapp(phone, "2"))
    await harness.settle()
    assert harness.bot.texts()[-1] == "2"


async def test_sms_option_by_title_and_by_keycap_emoji(harness):
    from tests.integrations.conftest import GREETING_BUTTONS

    phone = p.new_phone()
    await harness.post_twilio("sms", p.sms(phone, "hola"))
    await harness.settle()
    for answer in ("castellano", "1️⃣"):
        await harness.runtime.outbound.send_to_conversation(conversation("sms", phone), "¿Idioma?",
                                                            buttons=GREETING_BUTTONS)
        await harness.post_twilio("sms", p.sms(phone, answer))
        await harness.settle()
        assert harness.bot.texts()[-1] == '/choose_language{"language": "es"}'


async def test_sms_stop_opts_out_and_records_it(harness):
    phone = p.new_phone()
    conv = conversation("sms", phone)
    await harness.post_twilio("sms", p.sms(phone, "hola"))
    await harness.settle()
    await harness.post_twilio("sms", p.sms(phone, "STOP"))
    await harness.settle()
    assert harness.bot.texts() == ["hola"]  # STOP never reaches the assistant
    assert "ya no te enviaremos mensajes" in harness.twilio.bodies(phone)[-1]
    with session_scope() as db:
        row = db.execute(select(ChannelConversation).where(ChannelConversation.conversation_id == conv)).scalar_one()
        assert row.opted_out_at is not None and row.opt_out_source == "sms_stop"
    result = await harness.runtime.outbound.send_to_conversation(conv, "Hola, soy operadora de la línea")
    assert result.status == outbox.BLOCKED
    assert len(harness.twilio.bodies(phone)) == 2
    await harness.post_twilio("sms", p.sms(phone, "start"))
    await harness.settle()
    assert not state.get(conv).opted_out
    assert harness.twilio.bodies(phone)[-1].startswith("Hola de nuevo")


async def test_sms_help_keyword_answers_with_the_numbers_but_an_exclamation_goes_to_the_assistant(harness):
    phone = p.new_phone()
    await harness.post_twilio("sms", p.sms(phone, "AYUDA"))
    await harness.settle()
    assert harness.bot.messages == []
    [help_text] = harness.twilio.bodies(phone)
    assert "105" in help_text and "1818" in help_text and "STOP" in help_text
    await harness.post_twilio("sms", p.sms(phone, "¡Ayuda!"))
    await harness.settle()
    assert harness.bot.texts() == ["¡Ayuda!"]


async def test_long_sms_answers_stay_within_three_segments_and_continue_on_mas(harness):
    phone = p.new_phone()
    harness.bot.long_text = "\n\n".join(render("what_is_trafficking", "es", "more"))
    await harness.post_twilio("sms", p.sms(phone, "largo"))
    await harness.settle()
    first = harness.twilio.bodies(phone)
    assert len(first) == 1  # a whole turn is one SMS
    info = gsm.segment_info(first[0])
    assert info.encoding == gsm.GSM7 and info.segments <= 3
    assert first[0].endswith("(Responde MAS para leer el resto)")
    received = [first[0]]
    for _ in range(5):
        if not received[-1].endswith("(Responde MAS para leer el resto)"):
            break
        await harness.post_twilio("sms", p.sms(phone, "más"))
        await harness.settle()
        received.append(harness.twilio.bodies(phone)[-1])
        assert gsm.segment_info(received[-1]).segments <= 3
    assert harness.bot.texts() == ["largo"]  # MÁS is answered by the channel
    joined = " ".join(part.replace("(Responde MAS para leer el resto)", "") for part in received)
    assert "8 a 15 años" in joined and "129-A" in joined  # the last bubble arrived too


async def test_whatsapp_outside_the_24_hour_window_uses_the_template_and_holds_the_reply(harness):
    phone = p.new_phone()
    conv = conversation("whatsapp", phone)
    await harness.post_twilio("whatsapp", p.whatsapp(phone, "hola"))
    await harness.settle()
    with session_scope() as db:
        db.execute(update(ChannelConversation).where(ChannelConversation.conversation_id == conv)
                   .values(last_inbound_at=utcnow() - timedelta(hours=25)))
    result = await harness.runtime.outbound.send_to_conversation(conv, "Hola, te escribe la operadora de turno.")
    assert result.status == outbox.HELD
    await harness.settle()
    template = harness.twilio.sent_to(f"whatsapp:{phone}")[-1].params
    assert template["ContentSid"] == TEMPLATE_SID and "Body" not in template
    second = await harness.runtime.outbound.send_to_conversation(conv, "¿Sigues ahí?")
    await harness.settle()
    assert second.status == outbox.HELD
    assert [c.params.get("ContentSid") for c in harness.twilio.sent_to(f"whatsapp:{phone}")].count(TEMPLATE_SID) == 1
    # The person answers the template: held messages go out first, then the assistant's answer.
    await harness.post_twilio("whatsapp", p.whatsapp(phone, "sí, aquí estoy"))
    await harness.settle()
    assert harness.twilio.bodies(f"whatsapp:{phone}")[-3:] == [
        "Hola, te escribe la operadora de turno.", "¿Sigues ahí?", "Recibí: sí, aquí estoy"]
    assert delivery_status(result.message_id).status == outbox.ACCEPTED


async def test_twilio_63016_also_triggers_the_template(harness):
    phone = p.new_phone()
    conv = conversation("whatsapp", phone)
    await harness.post_twilio("whatsapp", p.whatsapp(phone, "hola"))
    await harness.settle()
    harness.twilio.outside_window_next(1)
    result = await harness.runtime.outbound.send_to_conversation(conv, "Te escribimos de la línea.")
    await harness.settle()
    assert result.status == outbox.HELD
    assert harness.twilio.sent_to(f"whatsapp:{phone}")[-1].params["ContentSid"] == TEMPLATE_SID


async def test_delivery_status_callbacks_are_validated_and_recorded(harness):
    phone = p.new_phone()
    conv = conversation("whatsapp", phone)
    await harness.post_twilio("whatsapp", p.whatsapp(phone, "hola"))
    await harness.settle()
    result = await harness.runtime.outbound.send_to_conversation(conv, "Seguimos atentas a tu caso.")
    assert result.status == outbox.ACCEPTED
    with session_scope() as db:
        row = db.execute(select(OutboundMessage).where(OutboundMessage.batch_id == result.message_id)).scalar_one()
        message_sid = row.provider_id
    forged = p.status_callback(message_sid, "failed", f"whatsapp:{phone}", error_code=30008)
    assert (await harness.post_twilio("whatsapp", forged, route="status", signature="AAAA")).status_code == 403
    # Callbacks can arrive out of order and more than once.
    for status in ("delivered", "sent", "delivered", "read"):
        response = await harness.status_callback(message_sid, status)  # signed by the fake, via our "proxy"
        assert response.status_code == 204
    view = delivery_status(result.message_id)
    assert view.status == outbox.READ  # the late "sent" did not move it back
    assert [h[0] for h in view.history] == ["pending", "accepted", "delivered", "sent", "read"]


async def test_failed_delivery_is_recorded_with_its_error_code(harness):
    phone = p.new_phone()
    conv = conversation("sms", phone)
    await harness.post_twilio("sms", p.sms(phone, "hola"))
    await harness.settle()
    result = await harness.runtime.outbound.send_to_conversation(conv, "¿Pudiste llegar a tu casa?")
    with session_scope() as db:
        message_sid = db.execute(select(OutboundMessage.provider_id)
                                 .where(OutboundMessage.batch_id == result.message_id)).scalar_one()
    assert (await harness.status_callback(message_sid, "undelivered", error_code=30003)).status_code == 204
    view = delivery_status(result.message_id)
    assert view.status == outbox.UNDELIVERED and ("undelivered", view.history[-1][1], "30003") == view.history[-1]


async def test_rate_limits_and_outages_are_retried(harness):
    phone = p.new_phone()
    harness.twilio.rate_limit_next(1)
    harness.twilio.server_error_next(1)
    await harness.post_twilio("sms", p.sms(phone, "hola"))
    await wait_for(lambda: harness.twilio.bodies(phone) == ["Recibi: hola"] * 3)  # GSM-7 folds "í"


async def test_a_reply_still_unsent_when_stop_arrives_is_not_sent(harness):
    phone = p.new_phone()
    conv = conversation("sms", phone)
    await harness.post_twilio("sms", p.sms(phone, "hola"))
    await harness.settle()
    harness.runtime.worker.retry = RetryPolicy(base_seconds=1.5, jitter=0)
    harness.twilio.server_error_next(1)  # the next reply has to wait 1.5 s for a retry...
    await harness.post_twilio("sms", p.sms(phone, "me ofrecen viajar"))
    await wait_for(lambda: len(harness.twilio.bodies(phone)) == 2)
    await harness.post_twilio("sms", p.sms(phone, "STOP"))  # ...and STOP arrives meanwhile
    await wait_for(lambda: len(harness.twilio.bodies(phone)) == 3)
    await harness.settle()
    bodies = harness.twilio.bodies(phone)
    assert bodies[-1].startswith("Listo, ya no te enviaremos mensajes")
    assert bodies.count("Recibi: me ofrecen viajar") == 1  # only the failed attempt, never a retry
    assert outbox.BLOCKED in {row.status for row in _rows(conv)}


def _rows(conv: str) -> list[OutboundMessage]:
    with session_scope() as db:
        return db.execute(select(OutboundMessage).where(OutboundMessage.conversation_id == conv)).scalars().all()


async def test_unsubscribed_recipient_stops_further_sends(harness):
    phone = p.new_phone()
    conv = conversation("sms", phone)
    harness.twilio.unsubscribed_next(1)
    await harness.post_twilio("sms", p.sms(phone, "hola"))
    await harness.settle()
    assert state.get(conv).opted_out
    assert (await harness.runtime.outbound.send_to_conversation(conv, "hola")).status == outbox.BLOCKED


async def test_logs_carry_no_message_text_phone_numbers_or_profile_names(harness, caplog):
    import logging

    caplog.set_level(logging.DEBUG)
    phone = p.new_phone()
    harness.twilio.server_error_next(1)
    await harness.post_twilio("whatsapp", p.whatsapp(phone, "Me retienen en Mazuko, soy Yesenia", profile_name="Yesenia Q"))
    await harness.post_twilio("sms", p.sms(phone, "STOP"))
    await harness.post_twilio("sms", p.sms(phone, "hola"), signature="bad")
    await harness.post_twilio("whatsapp", p.whatsapp_media(phone))
    await wait_for(lambda: len(harness.twilio.sent_to(f"whatsapp:{phone}")) + len(harness.twilio.sent_to(phone)) >= 4)
    await harness.settle()
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "will be retried" in logged and "opted out by SMS" in logged  # the log does say what happened
    for secret in ("Yesenia", "Mazuko", phone, phone.lstrip("+"), phone[-8:]):
        assert secret not in logged


def test_cli_lists_the_channel_commands():
    from bot.cli import build_parser

    help_text = build_parser().format_help()
    assert "telegram" in help_text and "channels" in help_text
