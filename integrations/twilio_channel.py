"""WhatsApp and SMS through Twilio as Rasa custom channels.

Register in credentials.yml as ``integrations.twilio_channel.WhatsAppInput`` and
``integrations.twilio_channel.SmsInput``. Webhooks (set them in the Twilio console):
``<WILLAKUY_PUBLIC_URL>/webhooks/{whatsapp,sms}/webhook`` for incoming messages and
``.../status`` for delivery status (we pass it with every message we send). Every request
must carry a valid X-Twilio-Signature for the public URL, or it gets 403. Twilio gets an
empty TwiML answer at once; the reply goes out through the outbox.
"""
from __future__ import annotations

import asyncio
import logging
from typing import Any, Dict, Optional, Text

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from twilio.request_validator import RequestValidator

from bot.privacy.pseudonym import short
from integrations import outbox, twilio_params
from integrations.channel import OnNewMessage, WebhookInput, bad_request, guarded
from integrations.inbound import BadPayload
from integrations.runtime import Runtime
from integrations.settings import TwilioConfig, twilio_config
from integrations.twilio_transport import TwilioTransport

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Twilio-Signature"
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


def twiml() -> HTTPResponse:
    return response.text(EMPTY_TWIML, content_type="text/xml")


class TwilioInput(WebhookInput):
    config: TwilioConfig

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "TwilioInput":
        return cls(twilio_config(cls.channel, credentials))

    def __init__(self, config: TwilioConfig, runtime: Runtime | None = None,
                 transport: TwilioTransport | None = None) -> None:
        super().__init__(config, runtime, transport)
        self.validator = RequestValidator(config.auth_token) if config.enabled else None

    def make_transport(self) -> TwilioTransport:
        return TwilioTransport(self.config)

    def public_url(self, request: Request) -> str:
        """The URL Twilio signed: our public address (not the proxy's internal one) + path + query."""
        url = self.config.public_url + request.path
        if request.query_string:
            url += "?" + request.query_string
        return url

    def signed(self, request: Request, form: twilio_params.FormParams) -> bool:
        signature = request.headers.get(SIGNATURE_HEADER)
        if not signature or self.validator is None:
            return False
        return self.validator.validate(self.public_url(request), form, signature)

    def _form(self, request: Request) -> twilio_params.FormParams | None:
        try:
            return twilio_params.parse_form(request.body or b"")
        except BadPayload:
            return None

    async def receive(self, request: Request, on_new_message: OnNewMessage) -> HTTPResponse:
        form = self._form(request)
        if form is None or not self.signed(request, form):
            logger.info("%s webhook refused: missing or invalid Twilio signature", self.channel)
            return response.json({"error": "forbidden"}, status=403)
        try:
            message = twilio_params.parse_inbound(form, self.channel)
        except BadPayload as exc:
            # Signed by Twilio but not a message we understand: answer 200 so it is not retried.
            logger.info("%s webhook: unusable message (%s)", self.channel, exc)
            return twiml()

        async def accept() -> HTTPResponse:
            outcome = await self.accept(message, on_new_message)
            if outcome == "busy":
                return response.json({"error": "busy"}, status=503)
            logger.debug("%s message %s %s", self.channel, short(message.external_id), outcome)
            return twiml()

        return await guarded(accept, self.channel)

    async def status(self, request: Request) -> HTTPResponse:
        if not self.enabled:
            return response.json({"error": f"{self.channel} channel is not configured"}, status=503)
        form = self._form(request)
        if form is None or not self.signed(request, form):
            logger.info("%s status callback refused: missing or invalid Twilio signature", self.channel)
            return response.json({"error": "forbidden"}, status=403)
        try:
            event = twilio_params.parse_status(form)
        except BadPayload:
            return bad_request("not a status callback")

        async def record() -> HTTPResponse:
            known = await asyncio.to_thread(outbox.record_callback, event.message_sid, event.status, event.error_code)
            if not known:
                logger.info("%s status %s for an unknown message", self.channel, event.status)
            return response.empty()

        return await guarded(record, self.channel)

    def add_routes(self, bp: Blueprint) -> None:
        @bp.route("/status", methods=["POST"])
        async def status(request: Request) -> HTTPResponse:
            return await self.status(request)


class WhatsAppInput(TwilioInput):
    channel = "whatsapp"


class SmsInput(TwilioInput):
    channel = "sms"
