"""Telegram, WhatsApp and SMS through the real Rasa server and action server, with local
fake provider APIs (nothing leaves 127.0.0.1). Payload shapes are the providers' own."""
import time
from urllib.parse import urlencode

import httpx
import pytest
from twilio.request_validator import RequestValidator

from tests.integrations import payloads

pytestmark = pytest.mark.stack


def wait_for(predicate, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    return predicate()


def post_telegram(stack, update):
    import os

    return httpx.post(f"{stack.rasa_url}/webhooks/telegram/webhook", json=update, timeout=30,
                      headers={"X-Telegram-Bot-Api-Secret-Token": os.environ["TELEGRAM_WEBHOOK_SECRET"]})


def post_twilio(stack, kind, params, auth_token):
    url = f"{stack.settings.public_base_url}/webhooks/{kind}/webhook"
    signature = RequestValidator(auth_token).compute_signature(url, params)
    return httpx.post(f"{stack.rasa_url}/webhooks/{kind}/webhook", content=urlencode(params), timeout=30,
                      headers={"X-Twilio-Signature": signature,
                               "Content-Type": "application/x-www-form-urlencoded"})


def test_telegram_greeting_in_quechua_reaches_the_person(stack, providers):
    telegram, _ = providers
    chat_id = payloads.new_chat_id()
    response = post_telegram(stack, payloads.tg_text(chat_id, "allinllachu", language_code="qu"))
    assert response.status_code == 200
    texts = wait_for(lambda: telegram.sent_texts(chat_id))
    assert any("Willakuy kani" in t for t in texts), texts


def test_telegram_wrong_secret_is_refused_and_nothing_is_sent(stack, providers):
    telegram, _ = providers
    chat_id = payloads.new_chat_id()
    response = httpx.post(f"{stack.rasa_url}/webhooks/telegram/webhook", json=payloads.tg_text(chat_id, "hola"),
                          headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"}, timeout=30)
    assert response.status_code == 403
    time.sleep(2)
    assert telegram.sent_texts(chat_id) == []


def test_sms_emergency_gives_the_numbers_and_keeps_the_exclamation(stack, providers):
    from bot.config import template_values

    _, twilio = providers
    phone = payloads.new_phone()
    response = post_twilio(stack, "sms", payloads.sms(phone, "¡Ayuda! me tienen encerrada"), twilio.auth_token)
    assert response.status_code == 200
    bodies = wait_for(lambda: twilio.bodies(phone))
    assert bodies and template_values()["police_number"] in bodies[0]
    # The text reached Rasa exactly as written: "¡" was not turned into "@".
    assert stack_events_with_text(stack, "¡Ayuda! me tienen encerrada")
    # Neither the number nor the text reached any log line of the stack.
    logs = stack.logs()
    assert phone not in logs and phone.lstrip("+") not in logs and "me tienen encerrada" not in logs


def stack_events_with_text(stack, text):
    from sqlalchemy import text as sql

    from bot.db.session import get_engine
    from bot.rasa_stores import decode_event

    with get_engine().connect() as conn:
        rows = conn.execute(sql("SELECT data FROM events WHERE type_name = 'user'")).scalars().all()
    return [e for e in map(decode_event, rows) if e.get("text") == text]


def test_whatsapp_job_offer_check_is_answered(stack, providers):
    _, twilio = providers
    phone = payloads.new_phone()
    offer = "Se busca señoritas para atender en bar en La Pampa, pasaje pagado, no le cuentes a tu familia"
    response = post_twilio(stack, "whatsapp", payloads.whatsapp(phone, offer), twilio.auth_token)
    assert response.status_code == 200
    bodies = wait_for(lambda: twilio.bodies("whatsapp:" + phone) or twilio.bodies(phone))
    joined = "\n".join(bodies)
    assert "La Pampa" in joined or "alto" in joined.lower(), joined
