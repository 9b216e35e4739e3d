"""Sending on Telegram with python-telegram-bot's ``Bot``.

The bot is never "initialised" (that calls getMe): nothing here talks to the Bot API
except to send, answer a button press or register the webhook.
"""
from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, ChatMigrated, Forbidden, InvalidToken, RetryAfter, TelegramError
from telegram.request import HTTPXRequest

from integrations import outbox
from integrations.delivery import OPTED_OUT, PERMANENT, RATE_LIMITED, TRANSIENT, SendError, SendResult
from integrations.settings import TelegramConfig

# httpx logs every request URL at INFO, and Telegram URLs contain the bot token;
# python-telegram-bot logs every call's parameters (text, chat id) at DEBUG.
logging.getLogger("httpx").setLevel(logging.WARNING)
logging.getLogger("httpcore").setLevel(logging.WARNING)
logging.getLogger("telegram").setLevel(logging.INFO)

ALLOWED_UPDATES = ("message", "edited_message", "callback_query", "my_chat_member")


def retry_seconds(error: RetryAfter) -> float:
    value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def markup(extra: dict | None) -> InlineKeyboardMarkup | None:
    rows = (extra or {}).get("inline_keyboard")
    if not rows:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(button["text"], callback_data=button["callback_data"]) for button in row] for row in rows]
    )


def classify(error: Exception) -> SendError:
    if isinstance(error, RetryAfter):
        return SendError(RATE_LIMITED, "429", retry_after=retry_seconds(error))
    if isinstance(error, Forbidden):
        return SendError(OPTED_OUT, "403")
    if isinstance(error, (BadRequest, ChatMigrated)):  # BadRequest is a NetworkError: check it first
        return SendError(PERMANENT, "400")
    if isinstance(error, InvalidToken):
        # A configuration mistake: keep the message and retry, so fixing the token delivers it.
        return SendError(TRANSIENT, "invalid_token")
    return SendError(TRANSIENT, type(error).__name__)


class TelegramTransport:
    channel = "telegram"

    def __init__(self, config: TelegramConfig) -> None:
        self.config = config
        self._bots: dict[int, Bot] = {}

    def bot(self) -> Bot:
        """One Bot per event loop: its HTTP connections belong to the loop that opened them."""
        loop = asyncio.get_running_loop()
        bot = self._bots.get(id(loop))
        if bot is None:
            request = HTTPXRequest(connection_pool_size=16, connect_timeout=5.0, read_timeout=15.0,
                                   write_timeout=15.0, pool_timeout=5.0)
            bot = Bot(self.config.bot_token, base_url=self.config.api_base_url, request=request)
            self._bots = {id(loop): bot}  # an old loop's bot is not reusable
        return bot

    def template(self) -> dict | None:
        return None

    async def send(self, address: str, message: outbox.Claimed) -> SendResult:
        try:
            sent = await self.bot().send_message(
                chat_id=int(address), text=message.body or "", reply_markup=markup(message.extra)
            )
        except TelegramError as error:
            raise classify(error) from error
        except ValueError as error:  # a malformed stored address
            raise SendError(PERMANENT, "bad_address") from error
        return SendResult(str(sent.message_id), outbox.SENT)

    async def answer_callback(self, callback_id: str, text: str | None = None) -> bool:
        """Stop the button's spinner. Best effort: a missed answer only costs a spinner."""
        for _ in range(2):
            try:
                return bool(await self.bot().answer_callback_query(callback_id, text=text))
            except RetryAfter as error:
                wait = retry_seconds(error)
                if wait > 5:
                    return False
                await asyncio.sleep(wait)
            except TelegramError:
                return False
        return False

    async def set_webhook(self, url: str, *, drop_pending_updates: bool = False) -> bool:
        return bool(
            await self.bot().set_webhook(
                url=url,
                secret_token=self.config.webhook_secret,
                allowed_updates=list(ALLOWED_UPDATES),
                drop_pending_updates=drop_pending_updates,
            )
        )

    async def webhook_info(self) -> dict:
        info = await self.bot().get_webhook_info()
        return {
            "url": info.url,
            "pending_update_count": info.pending_update_count,
            "last_error_message": info.last_error_message,
            "allowed_updates": list(info.allowed_updates or ()),
        }

    async def close(self) -> None:
        for bot in list(self._bots.values()):
            try:
                await bot.shutdown()
            except Exception:  # noqa: BLE001 - closing is best effort
                pass
        self._bots = {}
