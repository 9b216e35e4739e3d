"""Real Telegram updates and Twilio webhook fields, parsed into the channel-neutral Inbound."""
from __future__ import annotations

import pytest

from integrations import inbound as kinds
from integrations import telegram_updates, twilio_params
from integrations.inbound import BadPayload
from integrations.twilio_params import FormParams
from tests.integrations import payloads as p

CHAT = 5_123_456_789


def test_text_message():
    message = telegram_updates.parse(p.tg_text(CHAT, "hola, ¿me ayudas?", "qu"))
    assert (message.kind, message.text, message.user_id, message.address) == (kinds.TEXT, "hola, ¿me ayudas?",
                                                                              str(CHAT), str(CHAT))
    assert message.language_code == "qu" and message.external_id.isdigit()


def test_callback_query():
    update = p.tg_callback(CHAT, '/choose_language{"language":"es"}')
    message = telegram_updates.parse(update)
    assert message.kind == kinds.PAYLOAD and message.payload == '/choose_language{"language":"es"}'
    assert message.callback_id == update["callback_query"]["id"]


@pytest.mark.parametrize("text, payload", [
    ("/start", "/greet"), ("/start ref-escuela-12", "/greet"), ("/ayuda", "/ask_capabilities"),
    ("/idioma", "/choose_language"), ("/idioma castellano", '/choose_language{"language":"es"}'),
    ("/idioma runasimi", '/choose_language{"language":"qu"}'), ("/START@WillakuyBot", "/greet"),
])
def test_commands(text, payload):
    message = telegram_updates.parse(p.tg_text(CHAT, text))
    assert (message.kind, message.payload) == (kinds.PAYLOAD, payload)


def test_unknown_command_is_text():
    message = telegram_updates.parse(p.tg_text(CHAT, "/denuncia algo"))
    assert (message.kind, message.text) == (kinds.TEXT, "/denuncia algo")


@pytest.mark.parametrize("builder, media", [
    (lambda: p.tg_photo(CHAT), ("photo",)),
    (lambda: p.tg_voice(CHAT), ("voice",)),
    (lambda: p.tg_sticker(CHAT), ("sticker",)),
])
def test_media(builder, media):
    message = telegram_updates.parse(builder())
    assert (message.kind, message.media, message.text) == (kinds.MEDIA, media, "")


def test_photo_caption_is_kept():
    assert telegram_updates.parse(p.tg_photo(CHAT, caption="mira esta oferta")).text == "mira esta oferta"


def test_edited_message_blocking_and_groups():
    assert telegram_updates.parse(p.tg_edited(CHAT, "corrijo")).kind == kinds.EDITED
    assert telegram_updates.parse(p.tg_member(CHAT, "kicked")).kind == kinds.BLOCKED
    assert telegram_updates.parse(p.tg_member(CHAT, "member", "kicked")).kind == kinds.UNBLOCKED
    assert telegram_updates.parse(p.tg_group_text(CHAT, "hola")) is None


def test_update_types_we_do_not_use_are_ignored():
    assert telegram_updates.parse({"update_id": 77, "inline_query": {
        "id": "1", "from": p.tg_user(CHAT), "query": "trata", "offset": ""}}) is None
    assert telegram_updates.parse({"update_id": 78}) is None


@pytest.mark.parametrize("data", [
    [], "x", {"message": {}}, {"update_id": "12"}, {"update_id": True},
    {"update_id": 1, "message": {"message_id": 1}},  # no chat, no date
    {"update_id": 1, "message": "hola"},
])
def test_garbage_is_a_bad_payload(data):
    with pytest.raises(BadPayload):
        telegram_updates.parse(data)


# ---------------------------------------------------------------- Twilio


def form(params: dict) -> FormParams:
    return FormParams({k: [v] for k, v in params.items()})


def test_sms_fields():
    phone = p.new_phone()
    params = p.sms(phone, "¡Ayuda! ¿Qué hago?")
    message = twilio_params.parse_inbound(form(params), "sms")
    assert (message.kind, message.text, message.user_id, message.address) == (kinds.TEXT, "¡Ayuda! ¿Qué hago?",
                                                                              phone, phone)
    assert message.external_id == params["MessageSid"]


def test_whatsapp_fields_and_profile_name_is_not_kept():
    phone = p.new_phone()
    message = twilio_params.parse_inbound(form(p.whatsapp(phone, "hola", profile_name="Rosa Quispe")), "whatsapp")
    assert (message.user_id, message.address) == (phone, f"whatsapp:{phone}")
    assert "Rosa" not in repr(message)


def test_whatsapp_media_and_location():
    phone = p.new_phone()
    voice = twilio_params.parse_inbound(form(p.whatsapp_media(phone, "audio/ogg")), "whatsapp")
    assert (voice.kind, voice.media) == (kinds.MEDIA, ("audio",))
    location = p.whatsapp(phone, "")
    location.update({"Latitude": "-12.5933", "Longitude": "-69.1891", "MessageType": "location"})
    assert twilio_params.parse_inbound(form(location), "whatsapp").media == ("location",)


def test_num_media_is_bounded_and_tolerant():
    phone = p.new_phone()
    params = p.sms_media(phone)
    params["NumMedia"] = "999999999"
    assert len(twilio_params.parse_inbound(form(params), "sms").media) == 10
    params["NumMedia"] = "dos"
    assert twilio_params.parse_inbound(form(params), "sms").kind == kinds.TEXT


@pytest.mark.parametrize("change", [
    {"MessageSid": "", "SmsMessageSid": "", "SmsSid": ""}, {"From": "whatsapp:+51987654321"},
    {"From": "Rosa"}, {"From": ""},
])
def test_sms_without_usable_sender_or_sid_is_refused(change):
    params = p.sms(p.new_phone(), "hola")
    params.update(change)
    with pytest.raises(BadPayload):
        twilio_params.parse_inbound(form(params), "sms")


def test_whatsapp_webhook_requires_whatsapp_senders():
    with pytest.raises(BadPayload):
        twilio_params.parse_inbound(form(p.sms(p.new_phone(), "hola")), "whatsapp")


def test_status_callbacks():
    sid = p.message_sid()
    event = twilio_params.parse_status(form(p.status_callback(sid, "undelivered", "+51987654321", 30003)))
    assert (event.message_sid, event.status, event.error_code) == (sid, "undelivered", "30003")
    read = twilio_params.parse_status(form(p.status_callback(sid, "read", "whatsapp:+51987654321")))
    assert (read.status, read.error_code) == ("read", None)
    with pytest.raises(BadPayload):
        twilio_params.parse_status(form(p.status_callback(sid, "exploded", "+51987654321")))


def test_form_parsing_keeps_blank_values_and_rejects_bad_utf8():
    parsed = twilio_params.parse_form(b"Body=&NumMedia=1&MediaUrl0=https%3A%2F%2Fx")
    assert parsed["Body"] == [""] and parsed.first("MediaUrl0") == "https://x"
    with pytest.raises(BadPayload):
        twilio_params.parse_form(b"Body=\xff\xfe")
