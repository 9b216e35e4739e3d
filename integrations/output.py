"""Rasa output channels that write to the outbox instead of calling a provider directly.

The provider call happens in the delivery worker, with retries; Rasa's turn is never
held up by a slow or failing provider. SMS collects the whole turn first, because an SMS
reply is composed as one message within a segment budget.
"""
from __future__ import annotations

import logging
from typing import Any, Dict, List, Text

from rasa.core.channels.channel import OutputChannel

from integrations.formatting import button_list
from integrations.replies import Reply

logger = logging.getLogger(__name__)


class QueuedOutput(OutputChannel):
    channel = ""

    def __init__(self, service, *, collect: bool = False) -> None:
        self.service = service
        self.collect = collect
        self._turn: dict[str, list[Reply]] = {}

    async def _add(self, recipient_id: Text, text: Text | None, buttons: Any = None) -> None:
        reply = Reply((text or "").strip(), tuple(button_list(buttons)))
        if not reply.text and not reply.buttons:
            return
        if self.collect:
            self._turn.setdefault(recipient_id, []).append(reply)
        else:
            await self.service.send_replies(self.channel, recipient_id, [reply])

    async def flush(self) -> None:
        """Send what a collecting channel gathered during the turn."""
        turn, self._turn = self._turn, {}
        for recipient_id, replies in turn.items():
            await self.service.send_replies(self.channel, recipient_id, replies)

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        await self._add(recipient_id, text)

    async def send_text_with_buttons(self, recipient_id: Text, text: Text, buttons: List[Dict[Text, Any]],
                                     **kwargs: Any) -> None:
        await self._add(recipient_id, text, buttons)

    async def send_quick_replies(self, recipient_id: Text, text: Text, quick_replies: List[Dict[Text, Any]],
                                 **kwargs: Any) -> None:
        await self._add(recipient_id, text, quick_replies)

    async def send_image_url(self, recipient_id: Text, image: Text, **kwargs: Any) -> None:
        await self._add(recipient_id, image)

    async def send_attachment(self, recipient_id: Text, attachment: Text, **kwargs: Any) -> None:
        await self._add(recipient_id, str(attachment))

    async def send_custom_json(self, recipient_id: Text, json_message: Dict[Text, Any], **kwargs: Any) -> None:
        if isinstance(json_message, dict) and isinstance(json_message.get("text"), str):
            await self._add(recipient_id, json_message["text"], json_message.get("buttons"))
        else:
            logger.debug("custom payload without text not sent on %s", self.channel)


class TelegramOutput(QueuedOutput):
    channel = "telegram"

    @classmethod
    def name(cls) -> Text:
        return "telegram"


class WhatsAppOutput(QueuedOutput):
    channel = "whatsapp"

    @classmethod
    def name(cls) -> Text:
        return "whatsapp"


class SmsOutput(QueuedOutput):
    channel = "sms"

    @classmethod
    def name(cls) -> Text:
        return "sms"


OUTPUTS = {cls.channel: cls for cls in (TelegramOutput, WhatsAppOutput, SmsOutput)}
