"""1,000 randomised and malformed webhook payloads, correctly authenticated: never a 500.

Mutations of real payloads (keys dropped, wrong types, huge values, deep nesting, odd
Unicode, duplicated form fields) plus raw garbage bodies. The seed is fixed, so a
failure names a reproducible case.
"""
from __future__ import annotations

import json
import logging
import random

from tests.integrations import payloads as p
from tests.integrations.conftest import wait_for

SEED = 20261127
CASES = 1000
ODD_STRINGS = ["", " ", "\x00", "\ud7ff", "👋" * 3, "ñ" * 5, "/restart", '/greet{"x":', "\u202e", "a" * 70_000,
               "<script>", "%00", "whatsapp:", "whatsapp:+", "+", "+" + "9" * 40, "NaN", "-1", "1e309"]
ODD_VALUES = [None, True, False, 0, -1, 2**70, 3.14, [], {}, [1, 2], {"a": {"b": {"c": []}}}, "x", "12"]


def mutate_json(rng: random.Random, value, depth: int = 0):
    if isinstance(value, dict) and value:
        value = dict(value)
        for key in list(value):
            roll = rng.random()
            if roll < 0.12:
                del value[key]
            elif roll < 0.24:
                value[key] = rng.choice(ODD_VALUES + ODD_STRINGS)
            elif roll < 0.6 and depth < 6:
                value[key] = mutate_json(rng, value[key], depth + 1)
        if rng.random() < 0.1:
            value[rng.choice(["message", "callback_query", "edited_message", "my_chat_member", "zzz"])] = \
                rng.choice(ODD_VALUES)
        return value
    if isinstance(value, list) and value:
        return [mutate_json(rng, item, depth + 1) for item in value if rng.random() > 0.2]
    if isinstance(value, str):
        return rng.choice([value, value * rng.randint(2, 50), rng.choice(ODD_STRINGS), value[: rng.randint(0, 3)]])
    if isinstance(value, int) and not isinstance(value, bool):
        return rng.choice([value, -value, 0, 2**63, 2**70, str(value), None])
    return value


def telegram_case(rng: random.Random) -> tuple[bytes | None, dict | None]:
    chat = p.new_chat_id()
    base = rng.choice([
        lambda: p.tg_text(chat, rng.choice(["hola", "/start", "/idioma x", "¿qué es la trata?"])),
        lambda: p.tg_callback(chat, rng.choice(["/greet", "opt:1", "opt:999", "x" * 64])),
        lambda: p.tg_edited(chat, "corrijo"), lambda: p.tg_photo(chat, "leyenda"), lambda: p.tg_voice(chat),
        lambda: p.tg_sticker(chat), lambda: p.tg_member(chat, "kicked"), lambda: p.tg_group_text(chat, "hola"),
    ])()
    roll = rng.random()
    if roll < 0.08:
        return rng.choice([b"", b"null", b"[]", b"{", b"\xff\xfe", b'"texto"', b"1" * 5000,
                           json.dumps([[[[[[[[]]]]]]]] * 100).encode()]), None
    if roll < 0.12:
        nested = {"update_id": 1}
        cursor = nested
        for _ in range(rng.randint(50, 400)):
            cursor["message"] = {}
            cursor = cursor["message"]
        return None, nested
    return None, mutate_json(rng, base)


def twilio_case(rng: random.Random) -> tuple[str, str, list[tuple[str, str]]]:
    phone = p.new_phone()
    channel = rng.choice(["sms", "whatsapp"])
    route = "webhook" if rng.random() < 0.8 else "status"
    if route == "status":
        params = p.status_callback(p.message_sid(), rng.choice(["sent", "delivered", "read", "failed", "boom", ""]),
                                   f"whatsapp:{phone}" if channel == "whatsapp" else phone,
                                   rng.choice([None, 30003, 63016]))
    else:
        params = rng.choice([p.sms, p.whatsapp])(phone, rng.choice(["hola", "STOP", "más", "1", "¡Ayuda!", ""]))
        if rng.random() < 0.3:
            params.update({"NumMedia": rng.choice(["1", "0", "-3", "abc", "99999999999", ""]),
                           "MediaContentType0": rng.choice(["image/jpeg", "", "x" * 300]),
                           "MediaUrl0": "https://api.twilio.com/media/" + "z" * rng.randint(0, 2000)})
    pairs = []
    for key, value in params.items():
        roll = rng.random()
        if roll < 0.1:
            continue
        if roll < 0.25:
            value = rng.choice(ODD_STRINGS).replace("\ud7ff", "?")
        pairs.append((key, value))
        if rng.random() < 0.05:
            pairs.append((key, rng.choice(ODD_STRINGS[:8])))  # duplicated field
    for _ in range(rng.randint(0, 3)):
        pairs.append((rng.choice(["Extra", "Body", "From", "ñandú", ""]), rng.choice(ODD_STRINGS[:10])))
    return channel, route, pairs


async def test_a_thousand_malformed_payloads_never_produce_a_500(harness, caplog):
    caplog.set_level(logging.WARNING)
    rng = random.Random(SEED)
    statuses: dict[int, int] = {}
    for case in range(CASES):
        if rng.random() < 0.5:
            raw, update = telegram_case(rng)
            if raw is not None:
                response = await harness.telegram_update({}, raw=raw)
            else:
                response = await harness.telegram_update(update)
        else:
            channel, route, pairs = twilio_case(rng)
            if rng.random() < 0.03:
                response = await harness.client.post(
                    f"/webhooks/{channel}/{route}", content=b"Body=\xff\xfe&From=%2B519",
                    headers={"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": "x"})
            else:
                response = await harness.post_twilio(channel, pairs, route=route)
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
        assert response.status_code < 500, (case, response.status_code, response.text[:200])
    assert set(statuses) <= {200, 204, 400, 403}, statuses
    assert statuses.get(200, 0) > CASES / 3  # most cases got past authentication and parsing
    # Still healthy: a normal message afterwards is answered.
    await harness.settle(timeout=60)
    chat = p.new_chat_id()
    assert (await harness.telegram_update(p.tg_text(chat, "¿sigues ahí?"))).status_code == 200
    await wait_for(lambda: harness.telegram.sent_texts(chat) == ["Recibí: ¿sigues ahí?"], timeout=30)
    failures = [r.getMessage() for r in caplog.records if "processing failed" in r.getMessage()
                or "unexpectedly" in r.getMessage() or r.name.startswith("sanic.error")]
    assert failures == []
