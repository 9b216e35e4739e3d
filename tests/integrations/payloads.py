"""Webhook payloads in the exact shapes Telegram and Twilio send (field names from their docs).

Telegram: Update objects (Bot API), JSON. Twilio: form fields of the incoming-message
webhook (SMS and WhatsApp) and of the StatusCallback. Numbers and ids are invented.
"""
from __future__ import annotations

import itertools
import secrets
import time

from tests.integrations.conftest import ACCOUNT_SID, SMS_FROM, TOKEN, WHATSAPP_FROM

BOT_ID = int(TOKEN.split(":")[0])
_update_ids = itertools.count(int(time.time()) % 10_000_000 * 100)
_message_ids = itertools.count(1300)


def new_chat_id() -> int:
    return 5_000_000_000 + secrets.randbelow(1_000_000_000)


def tg_user(chat_id: int, language_code: str | None = "es") -> dict:
    user = {"id": chat_id, "is_bot": False, "first_name": "Rosa", "last_name": "Quispe", "username": "rosa_q"}
    if language_code:
        user["language_code"] = language_code
    return user


def tg_chat(chat_id: int) -> dict:
    return {"id": chat_id, "first_name": "Rosa", "last_name": "Quispe", "username": "rosa_q", "type": "private"}


def tg_bot_user() -> dict:
    return {"id": BOT_ID, "is_bot": True, "first_name": "Willakuy", "username": "WillakuyBot"}


def _message(chat_id: int, language_code: str | None = "es", **fields) -> dict:
    return {"message_id": next(_message_ids), "from": tg_user(chat_id, language_code), "chat": tg_chat(chat_id),
            "date": int(time.time()), **fields}


def tg_text(chat_id: int, text: str, language_code: str | None = "es", update_id: int | None = None) -> dict:
    message = _message(chat_id, language_code, text=text)
    if text.startswith("/"):
        length = len(text.split(" ", 1)[0])
        message["entities"] = [{"offset": 0, "length": length, "type": "bot_command"}]
    return {"update_id": update_id or next(_update_ids), "message": message}


def tg_callback(chat_id: int, data: str, language_code: str | None = "es") -> dict:
    bot_message = {
        "message_id": next(_message_ids), "from": tg_bot_user(), "chat": tg_chat(chat_id),
        "date": int(time.time()) - 5, "text": "¿En qué idioma prefieres conversar?",
        "reply_markup": {"inline_keyboard": [[{"text": "Castellano", "callback_data": data}]]},
    }
    return {"update_id": next(_update_ids), "callback_query": {
        "id": str(secrets.randbelow(10**18)), "from": tg_user(chat_id, language_code), "message": bot_message,
        "chat_instance": str(-secrets.randbelow(10**18)), "data": data,
    }}


def tg_edited(chat_id: int, text: str) -> dict:
    message = _message(chat_id, text=text)
    message["edit_date"] = message["date"] + 30
    return {"update_id": next(_update_ids), "edited_message": message}


def tg_photo(chat_id: int, caption: str | None = None, language_code: str | None = "es") -> dict:
    sizes = [
        {"file_id": "AgACAgEAAxkBAAIBZ2" + secrets.token_hex(8), "file_unique_id": "AQADx" + secrets.token_hex(4),
         "file_size": size, "width": width, "height": height}
        for size, width, height in ((1520, 90, 67), (21630, 320, 240), (91077, 800, 600))
    ]
    fields = {"photo": sizes}
    if caption:
        fields["caption"] = caption
    return {"update_id": next(_update_ids), "message": _message(chat_id, language_code, **fields)}


def tg_voice(chat_id: int, language_code: str | None = "es") -> dict:
    voice = {"duration": 4, "mime_type": "audio/ogg", "file_id": "AwACAgEAAxkBAAIBa2" + secrets.token_hex(8),
             "file_unique_id": "AgADpQ" + secrets.token_hex(4), "file_size": 10342}
    return {"update_id": next(_update_ids), "message": _message(chat_id, language_code, voice=voice)}


def tg_sticker(chat_id: int) -> dict:
    sticker = {"width": 512, "height": 512, "emoji": "🙏", "set_name": "HotCherry", "is_animated": False,
               "is_video": False, "type": "regular",
               "thumbnail": {"file_id": "AAMCAgADGQEAAgF" + secrets.token_hex(6), "file_unique_id": "AQADAw",
                             "file_size": 4800, "width": 128, "height": 128},
               "file_id": "CAACAgIAAxkBAAIBb2" + secrets.token_hex(8), "file_unique_id": "AgADAw" + secrets.token_hex(3),
               "file_size": 21000}
    return {"update_id": next(_update_ids), "message": _message(chat_id, sticker=sticker)}


def tg_member(chat_id: int, new_status: str, old_status: str = "member") -> dict:
    """my_chat_member: "kicked" when the person blocks the bot, "member" when they unblock it."""
    def member(status: str) -> dict:
        entry = {"user": tg_bot_user(), "status": status}
        if status == "kicked":
            entry["until_date"] = 0
        return entry

    return {"update_id": next(_update_ids), "my_chat_member": {
        "chat": tg_chat(chat_id), "from": tg_user(chat_id), "date": int(time.time()),
        "old_chat_member": member(old_status), "new_chat_member": member(new_status),
    }}


def tg_group_text(chat_id: int, text: str) -> dict:
    message = _message(chat_id, text=text)
    message["chat"] = {"id": -100123456789, "title": "Promo 2026", "type": "supergroup"}
    return {"update_id": next(_update_ids), "message": message}


# ---------------------------------------------------------------- Twilio


def new_phone() -> str:
    return "+519" + "".join(str(secrets.randbelow(10)) for _ in range(8))


def message_sid(media: bool = False) -> str:
    return ("MM" if media else "SM") + secrets.token_hex(16)


def sms(phone: str, body: str, sid: str | None = None) -> dict:
    """The fields of Twilio's incoming SMS webhook, as Twilio posts them."""
    sid = sid or message_sid()
    return {
        "ToCountry": "US", "ToState": "CA", "SmsMessageSid": sid, "NumMedia": "0", "ToCity": "", "FromZip": "",
        "SmsSid": sid, "FromState": "", "SmsStatus": "received", "FromCity": "", "Body": body, "FromCountry": "PE",
        "To": SMS_FROM, "ToZip": "", "NumSegments": "1", "MessageSid": sid, "AccountSid": ACCOUNT_SID,
        "From": phone, "ApiVersion": "2010-04-01",
    }


def whatsapp(phone: str, body: str, sid: str | None = None, profile_name: str = "Rosa") -> dict:
    """The fields of Twilio's incoming WhatsApp webhook."""
    sid = sid or message_sid()
    return {
        "SmsMessageSid": sid, "NumMedia": "0", "ProfileName": profile_name, "MessageType": "text",
        "SmsSid": sid, "WaId": phone.lstrip("+"), "SmsStatus": "received", "Body": body, "To": WHATSAPP_FROM,
        "NumSegments": "1", "ReferralNumMedia": "0", "MessageSid": sid, "AccountSid": ACCOUNT_SID,
        "From": f"whatsapp:{phone}", "ApiVersion": "2010-04-01",
    }


def whatsapp_media(phone: str, content_type: str = "image/jpeg", body: str = "") -> dict:
    sid = message_sid(media=True)
    params = whatsapp(phone, body, sid)
    params.update({
        "NumMedia": "1", "MessageType": "image" if content_type.startswith("image") else "audio",
        "MediaContentType0": content_type,
        "MediaUrl0": f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/{sid}/Media/ME{secrets.token_hex(16)}",
    })
    return params


def sms_media(phone: str, content_type: str = "image/jpeg") -> dict:
    sid = message_sid(media=True)
    params = sms(phone, "", sid)
    params.update({
        "NumMedia": "1", "MediaContentType0": content_type,
        "MediaUrl0": f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/{sid}/Media/ME{secrets.token_hex(16)}",
    })
    return params


def status_callback(sid: str, status: str, to: str, error_code: int | None = None) -> dict:
    """StatusCallback fields (SMS; WhatsApp adds the Channel* fields)."""
    params = {
        "SmsSid": sid, "SmsStatus": status, "MessageStatus": status, "To": to, "MessageSid": sid,
        "AccountSid": ACCOUNT_SID, "From": WHATSAPP_FROM if to.startswith("whatsapp:") else SMS_FROM,
        "ApiVersion": "2010-04-01",
    }
    if to.startswith("whatsapp:"):
        params.update({"ChannelInstallSid": "XE" + "c3" * 16, "ChannelPrefix": "whatsapp",
                       "ChannelToAddress": to[len("whatsapp:"):]})
    if error_code is not None:
        params["ErrorCode"] = str(error_code)
    return params
