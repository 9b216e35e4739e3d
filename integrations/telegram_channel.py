"""Telegram as a Rasa custom channel (python-telegram-bot types and Bot).

Register in credentials.yml as ``integrations.telegram_channel.TelegramInput``; the
webhook is ``<WILLAKUY_PUBLIC_URL>/webhooks/telegram/webhook``, registered with
``willakuy telegram set-webhook``. Every request must carry the secret token Telegram
was given (X-Telegram-Bot-Api-Secret-Token), compared in constant time; anything else
gets 403.
"""
from __future__ import annotations

import hmac
import json
import logging
from typing import Any, Dict, Optional, Text

from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.privacy.pseudonym import short
from integrations import telegram_updates
from integrations.channel import OnNewMessage, WebhookInput, guarded
from integrations.inbound import BadPayload, Inbound
from integrations.runtime import Runtime
from integrations.settings import TelegramConfig, telegram_config
from integrations.telegram_transport import TelegramTransport

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def secret_matches(supplied: str | None, expected: str) -> bool:
    if not supplied or not expected:
        return False
    return hmac.compare_digest(supplied.encode("utf-8", "replace"), expected.encode("utf-8"))


class TelegramInput(WebhookInput):
    channel = "telegram"
    config: TelegramConfig

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "TelegramInput":
        return cls(telegram_config(credentials))

    def __init__(self, config: TelegramConfig, runtime: Runtime | None = None,
                 transport: TelegramTransport | None = None) -> None:
        super().__init__(config, runtime, transport)

    def make_transport(self) -> TelegramTransport:
        return TelegramTransport(self.config)

    def dedup_id(self, message: Inbound) -> str:
        # update_id counts per bot; the bot id keeps two bots on one database apart.
        return f"{self.config.bot_id}:{message.external_id}"

    def dedup_prefix(self) -> str:
        return f"{self.config.bot_id}:"  # another bot's messages are not ours to answer

    async def answer_button(self, message: Inbound) -> None:
        transport = self.runtime.transport(self.channel)
        if transport is not None and message.callback_id:
            await transport.answer_callback(message.callback_id)

    async def receive(self, request: Request, on_new_message: OnNewMessage) -> HTTPResponse:
        if not secret_matches(request.headers.get(SECRET_HEADER), self.config.webhook_secret):
            logger.info("telegram webhook refused: missing or wrong secret token")
            return response.json({"error": "forbidden"}, status=403)
        try:
            data = json.loads(request.body or b"")
            message = telegram_updates.parse(data, self.config.bot_id)
        except (ValueError, BadPayload) as exc:  # JSONDecodeError is a ValueError
            # Authenticated, so it came from Telegram: a non-2xx answer would only make
            # Telegram send the same unreadable update again and again.
            logger.warning("telegram webhook: unreadable update (%s) ignored", type(exc).__name__)
            return response.json({"status": "unreadable"})
        if message is None:
            return response.json({"status": "ignored"})

        async def accept() -> HTTPResponse:
            outcome = await self.accept(message, on_new_message)
            if outcome == "busy":
                return response.json({"error": "busy"}, status=503)
            logger.debug("telegram update %s %s (%s)", short(message.external_id), outcome, message.kind)
            return response.json({"status": outcome})

        return await guarded(accept, self.channel)
