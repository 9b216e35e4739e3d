"""The outbound service: one way to write to a person, for the assistant and for operators.

``send_to_conversation`` is what the console calls for an operator's reply: it applies
the same formatting as the assistant's messages on that channel (Telegram keyboards,
numbered options, SMS segment budget), writes to the outbox, tries to deliver at once
and returns the message id and its status. Delivery callbacks keep updating the status;
``delivery_status`` reads it back.
"""
from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Mapping, Sequence

from bot.privacy.pseudonym import short
from integrations import addresses, outbox, replies, state
from integrations.formatting import button_list

logger = logging.getLogger(__name__)


class UnknownConversation(LookupError):
    """No contact with a channel address for this conversation id."""


class ChannelNotAvailable(RuntimeError):
    """The conversation's channel is not one we send on, or it is not configured."""


@dataclass(frozen=True)
class OutboundResult:
    message_id: str
    status: str


class OutboundService:
    def __init__(self, worker) -> None:
        self.worker = worker

    def _write(self, channel: str, conversation_id: str, formatted: replies.Formatted, *, origin: str,
               bypass_opt_out: bool) -> tuple[str, list[int]]:
        if formatted.options:
            state.set_options(conversation_id, channel, formatted.options)
        if channel == "sms" and formatted.more:
            state.set_more(conversation_id, channel, formatted.more)
        return outbox.enqueue(conversation_id, channel, formatted.parts, origin=origin, bypass_opt_out=bypass_opt_out)

    async def send_formatted(self, channel: str, conversation_id: str, formatted: replies.Formatted, *,
                             origin: str = "bot", bypass_opt_out: bool = False,
                             deliver_now: bool = False) -> OutboundResult:
        if not formatted.parts:
            return OutboundResult("", outbox.SENT)
        batch_id, ids = await asyncio.to_thread(
            self._write, channel, conversation_id, formatted, origin=origin, bypass_opt_out=bypass_opt_out
        )
        if deliver_now:
            await self.worker.deliver_now(batch_id, ids)
            view = await asyncio.to_thread(outbox.batch, batch_id)
            return OutboundResult(batch_id, view.status if view else outbox.PENDING)
        self.worker.notify()
        return OutboundResult(batch_id, outbox.PENDING)

    async def send_replies(self, channel: str, conversation_id: str, messages: Sequence[replies.Reply], *,
                           origin: str = "bot", bypass_opt_out: bool = False,
                           deliver_now: bool = False) -> OutboundResult:
        language = await asyncio.to_thread(addresses.language, conversation_id)
        formatted = replies.format_replies(channel, messages, language)
        return await self.send_formatted(channel, conversation_id, formatted, origin=origin,
                                         bypass_opt_out=bypass_opt_out, deliver_now=deliver_now)

    async def send_to_conversation(self, conversation_id: str, text: str, *,
                                   buttons: Sequence[Mapping] | None = None,
                                   origin: str = "operator") -> OutboundResult:
        found = await asyncio.to_thread(addresses.lookup, conversation_id)
        if found is None:
            raise UnknownConversation(f"no channel address for conversation {short(conversation_id)}")
        channel = found[0]
        if channel not in replies.CHANNELS:
            raise ChannelNotAvailable(f"channel {channel!r} has no outbound service")
        if channel not in self.worker.transports:
            raise ChannelNotAvailable(f"channel {channel!r} is not configured (see docs/channels.md)")
        reply = replies.Reply((text or "").strip(), tuple(button_list(buttons)))
        if not reply.text and not reply.buttons:
            raise ValueError("an empty message cannot be sent")
        result = await self.send_replies(channel, conversation_id, [reply], origin=origin, deliver_now=True)
        logger.info("%s message %s for %s: %s", origin, result.message_id, short(conversation_id), result.status)
        return result


async def send_to_conversation(conversation_id: str, text: str, *, buttons: Sequence[Mapping] | None = None
                               ) -> OutboundResult:
    """Send an operator's reply to a conversation on its channel (see the module docstring)."""
    from integrations import runtime

    return await runtime.default().outbound.send_to_conversation(conversation_id, text, buttons=buttons)


def delivery_status(message_id: str) -> outbox.BatchView | None:
    """The message's current status and its history (worker results and provider callbacks)."""
    return outbox.batch(message_id)
