"""What every Willakuy channel does with a webhook, once it has authenticated and parsed it.

Order of work for one message: de-duplicate and journal it (durable, in the database)
-> acknowledge the provider -> in the background, in the conversation's order: remember
the reply address, update the conversation's channel state, answer keywords, media and
options on the spot, otherwise hand the text to Rasa and send what it says through the
outbox -> mark the journal entry done. Entries a dead process left unfinished are
queued again by ``recover`` (see integrations.dedup).
"""
from __future__ import annotations

import asyncio
import dataclasses
import logging
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any, Awaitable, Callable, Optional

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy.exc import SQLAlchemyError

from bot.privacy.pseudonym import short
from integrations import addresses, dedup, inbound as kinds, outbox, replies, sms, state, texts
from integrations.formatting import guard_typed_text, match_option
from integrations.inbound import Inbound
from integrations.output import OUTPUTS, QueuedOutput
from integrations.runtime import Runtime, default

logger = logging.getLogger(__name__)

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]

# The acknowledgement path gets its own threads: behind the background work in the
# default executor, a webhook answer could wait for a slot while replies are written.
_ACK_THREADS = ThreadPoolExecutor(max_workers=4, thread_name_prefix="willakuy-ack")
ACK_BUDGET = 0.2  # seconds the answer may wait for the de-duplication row
RECOVER_BATCH = 100  # journaled messages taken over per channel and pass


class WebhookInput(InputChannel):
    """Base for Telegram, WhatsApp and SMS: routes, de-duplication, background processing."""

    channel = ""

    def __init__(self, config, runtime: Runtime | None = None, transport=None) -> None:
        self.config = config
        self.runtime = runtime or default()
        if config.enabled:
            self.runtime.add_transport(transport or self.make_transport())
        else:
            logger.warning("%s channel disabled: set %s (see docs/channels.md); its webhook answers 503",
                           self.channel, ", ".join(config.missing))

    @classmethod
    def name(cls) -> str:
        return cls.channel

    def make_transport(self):
        raise NotImplementedError

    @property
    def enabled(self) -> bool:
        return self.config.enabled

    # ------------------------------------------------------------------ Rasa interface

    def output(self, *, collect: bool = False) -> QueuedOutput:
        return OUTPUTS[self.channel](self.runtime.outbound, collect=collect)

    def get_output_channel(self) -> Optional[QueuedOutput]:
        # Used by Rasa for messages it starts itself (reminders, trigger_intent).
        return self.output() if self.enabled else None

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        bp = Blueprint(f"willakuy_{self.channel}", __name__)

        @bp.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok" if self.enabled else "disabled", "channel": self.channel})

        @bp.route("/webhook", methods=["POST"])
        async def webhook(request: Request) -> HTTPResponse:
            if not self.enabled:
                return response.json({"error": f"{self.channel} channel is not configured"}, status=503)
            return await self.receive(request, on_new_message)

        self.add_routes(bp)
        if self.enabled:
            self.runtime.add_recovery(self.channel, lambda: self.recover(on_new_message))

        @bp.listener("after_server_start")
        async def _start(app, loop) -> None:
            await self.runtime.start()

        @bp.listener("before_server_stop")
        async def _stop(app, loop) -> None:
            await self.runtime.stop()

        return bp

    def add_routes(self, bp: Blueprint) -> None:
        """Channel-specific routes (Twilio's delivery status callback)."""

    async def receive(self, request: Request, on_new_message: OnNewMessage) -> HTTPResponse:
        raise NotImplementedError

    # ------------------------------------------------------------------ shared steps

    async def accept(self, message: Inbound, on_new_message: OnNewMessage) -> str:
        """De-duplicate and queue; returns "queued", "duplicate" or "busy".

        The de-duplication row is written before answering, so a database that is down
        gets the provider a 503 and a retry later. A database that is merely slow does not
        hold the answer back beyond ``ACK_BUDGET``: the message is queued and its job waits
        for the verdict before doing anything.
        """
        if self.runtime.queue.full:
            return "busy"
        conversation = addresses.conversation_id(self.channel, message.user_id)
        # The message goes into the same row: once the provider has its answer, that row is
        # the only copy (encrypted; processed again by a recovery if this process dies).
        verdict = asyncio.get_running_loop().run_in_executor(
            _ACK_THREADS, lambda: dedup.first_time(self.channel, self.dedup_id(message),
                                                   payload=kinds.dumps(message)))
        try:
            first = await asyncio.wait_for(asyncio.shield(verdict), ACK_BUDGET)
        except asyncio.TimeoutError:
            self._submit(conversation, message, lambda: self._when_new(verdict, conversation, message,
                                                                      on_new_message))
            return "queued"
        if not first:
            logger.info("%s delivery %s already handled", self.channel, short(message.external_id))
            return "duplicate"
        self._submit(conversation, message, lambda: self.process(conversation, message, on_new_message))
        return "queued"

    async def _when_new(self, verdict: asyncio.Future, conversation: str, message: Inbound,
                        on_new_message: OnNewMessage) -> bool:
        try:
            first = await verdict
        except SQLAlchemyError as exc:
            logger.error("%s delivery %s could not be de-duplicated (%s); dropped", self.channel,
                         short(message.external_id), type(exc).__name__)
            return False
        if first:
            await self.process(conversation, message, on_new_message)
        return first  # a re-delivery's journal entry belongs to the first delivery

    def _submit(self, conversation: str, message: Inbound, run: Callable[[], Awaitable[Any]],
                attempts: int = 1) -> None:
        journal_key = dedup.key(self.channel, self.dedup_id(message))
        self.runtime.inflight[journal_key] += 1
        self.runtime.queue.submit(conversation, lambda: self._journaled(journal_key, attempts, run))

    async def _journaled(self, journal_key: str, attempts: int, run: Callable[[], Awaitable[Any]]) -> None:
        """Run one message's processing; its journal entry is done when it returns.

        When it raises, the entry stays and a recovery tries again after the grace period;
        the ``dedup.MAX_ATTEMPTS``-th failure gives up (the queue logs the exception's type).
        """
        try:
            try:
                finished = await run()
            except Exception:
                if attempts >= dedup.MAX_ATTEMPTS:
                    await asyncio.to_thread(dedup.give_up, journal_key, f"failed {attempts} times")
                raise
            if finished is not False:
                try:
                    await asyncio.to_thread(dedup.done, journal_key)
                except SQLAlchemyError as exc:
                    # Left pending: a recovery will process the message again (one repeated answer).
                    logger.error("%s journal entry %s not marked done (%s)", self.channel, short(journal_key),
                                 type(exc).__name__)
        finally:
            self.runtime.inflight[journal_key] -= 1
            if self.runtime.inflight[journal_key] <= 0:
                del self.runtime.inflight[journal_key]

    async def recover(self, on_new_message: OnNewMessage) -> int:
        """Queue again this channel's journaled messages that nobody finished; returns how many."""
        room = min(RECOVER_BATCH, self.runtime.queue.max_pending - self.runtime.queue.pending)
        if room <= 0:
            return 0
        claims = await asyncio.to_thread(
            dedup.claim_stale, dedup.key(self.channel, self.dedup_prefix()),
            grace=timedelta(seconds=self.runtime.recovery_grace), skip=set(self.runtime.inflight), limit=room)
        for claim in claims:
            try:
                # The button's spinner is long gone: not answered again.
                message = dataclasses.replace(kinds.loads(claim.payload), callback_id=None)
            except (ValueError, TypeError):
                await asyncio.to_thread(dedup.give_up, claim.key, "payload unreadable")
                continue
            conversation = addresses.conversation_id(self.channel, message.user_id)
            self._submit(conversation, message,
                         lambda c=conversation, m=message: self.process(c, m, on_new_message), claim.attempts)
        if claims:
            logger.info("%s: %d unfinished messages queued again", self.channel, len(claims))
        return len(claims)

    def dedup_id(self, message: Inbound) -> str:
        return message.external_id

    def dedup_prefix(self) -> str:
        """What every ``dedup_id`` of this channel starts with (recovery takes only these)."""
        return ""

    async def answer_button(self, message: Inbound) -> None:
        """Telegram answers the button press; other channels have nothing to answer."""

    async def say(self, conversation: str, key: str, language: str, *, bypass_opt_out: bool = False) -> None:
        """A text the channel sends on its own (media note, keyword answers)."""
        await self.runtime.outbound.send_replies(
            self.channel, conversation, [replies.Reply(texts.text(key, language))],
            origin="system", bypass_opt_out=bypass_opt_out,
        )

    async def process(self, conversation: str, message: Inbound, on_new_message: OnNewMessage) -> None:
        tag = short(conversation)
        if message.callback_id:
            await self.answer_button(message)  # first: the person is looking at a spinner
        await asyncio.to_thread(addresses.remember, conversation, self.channel, message.address, message.language_code)
        if message.kind in (kinds.BLOCKED, kinds.UNBLOCKED):
            blocked = message.kind == kinds.BLOCKED
            await asyncio.to_thread(state.set_opt_out, conversation, self.channel, blocked, "telegram_block")
            logger.info("%s %s the bot", tag, "blocked" if blocked else "unblocked")
            return
        if message.kind == kinds.EDITED:
            logger.info("%s edited a message; edits are not answered", tag)
            return
        before = await asyncio.to_thread(state.inbound, conversation, self.channel)
        if self.channel == "whatsapp" and await asyncio.to_thread(outbox.release_held, conversation):
            self.runtime.worker.notify()  # held operator messages go out before the assistant answers
        language = await asyncio.to_thread(addresses.language, conversation)

        if self.channel == "sms" and message.kind == kinds.TEXT:
            if await self.sms_keyword(conversation, message, before, language):
                return
        if before.opted_out:
            # The person wrote again: they want answers (a STOP was handled above).
            await asyncio.to_thread(state.set_opt_out, conversation, self.channel, False, f"{self.channel}_message")
        if message.kind == kinds.MEDIA:
            await self.say(conversation, "media_only", language)
            logger.info("%s sent %s; answered that only text is read", tag, ",".join(message.media) or "media")
            if not message.text.strip():
                return

        text = self.message_text(message, before)
        if text is None:
            await self.say(conversation, "option_expired", language)
            return
        if not text.strip():
            return
        output = self.output(collect=self.channel == "sms")
        metadata = {"channel": self.channel, "language_code": message.language_code}
        await on_new_message(
            UserMessage(text, output, conversation, input_channel=self.channel, metadata=metadata,
                        message_id=message.external_id)
        )
        await output.flush()

    def message_text(self, message: Inbound, before: state.ConversationState) -> str | None:
        """What Rasa reads: a payload for buttons and options, the typed text otherwise.

        None means a button from an old message whose options are gone.
        """
        if message.kind == kinds.PAYLOAD:
            if message.payload.startswith("opt:"):
                index = message.payload[4:]
                if index.isdigit() and 1 <= int(index) <= len(before.options):
                    return before.options[int(index) - 1]["payload"]
                return None
            return message.payload
        if self.channel in ("whatsapp", "sms"):
            chosen = match_option(message.text, before.options)
            if chosen:
                return chosen
        return guard_typed_text(message.text)

    async def sms_keyword(self, conversation: str, message: Inbound, before: state.ConversationState,
                          language: str) -> bool:
        """STOP, START, AYUDA/HELP and MÁS; True when the keyword was the whole answer."""
        word = sms.keyword(message.text)
        tag = short(conversation)
        if word == "stop":
            await self.say(conversation, "sms_stopped", language, bypass_opt_out=True)
            await asyncio.to_thread(state.set_opt_out, conversation, self.channel, True, "sms_stop")
            logger.info("%s opted out by SMS", tag)
            return True
        if word == "start":
            await asyncio.to_thread(state.set_opt_out, conversation, self.channel, False, "sms_start")
            await self.say(conversation, "sms_started", language)
            logger.info("%s opted in again by SMS", tag)
            return True
        if word == "help":
            await self.say(conversation, "sms_help", language, bypass_opt_out=True)
            return True
        if word == "more" and before.more_text:
            formatted = replies.continue_sms(before.more_text, language)
            await self.runtime.outbound.send_formatted(self.channel, conversation, formatted)
            return True
        return False


def bad_request(reason: str) -> HTTPResponse:
    return response.json({"error": reason}, status=400)


async def guarded(call: Callable[[], Awaitable[HTTPResponse]], channel: str) -> HTTPResponse:
    """Database trouble while accepting a webhook: 503, so the provider tries again later."""
    try:
        return await call()
    except SQLAlchemyError as exc:
        logger.error("%s webhook could not be recorded: %s", channel, type(exc).__name__)
        return response.json({"error": "temporarily unavailable"}, status=503)
