"""Sending WhatsApp and SMS messages through Twilio's Messages API (the ``twilio`` client).

The client is synchronous (requests), so each send runs in a worker thread. With
TWILIO_API_BASE_URL set, requests go to that address instead of api.twilio.com: the
local mode used by tests, benchmarks and demos against a fake Twilio.
"""
from __future__ import annotations

import asyncio
import json
import logging

from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from integrations import outbox
from integrations.delivery import OPTED_OUT, OUTSIDE_WINDOW, PERMANENT, RATE_LIMITED, TRANSIENT, SendError, SendResult
from integrations.settings import TwilioConfig

# The client logs request URLs and headers at INFO; bodies and numbers stay out of our logs.
logging.getLogger("twilio.http_client").setLevel(logging.WARNING)

TWILIO_API = "https://api.twilio.com"
OUTSIDE_WINDOW_CODES = {63016}  # freeform WhatsApp message outside the 24-hour window
OPTED_OUT_CODES = {21610}  # the recipient replied STOP
AUTH_CODES = {20003, 20005}  # credentials wrong or account suspended: keep the message, retry


class RedirectingHttpClient(TwilioHttpClient):
    """Sends Twilio API requests to another base URL (a local fake), same client code path."""

    def __init__(self, base_url: str, **kwargs) -> None:
        super().__init__(**kwargs)
        self.base_url = base_url.rstrip("/")

    def request(self, method, url, *args, **kwargs):
        for origin in (TWILIO_API, "https://messaging.twilio.com"):
            if url.startswith(origin):
                url = self.base_url + url[len(origin):]
                break
        return super().request(method, url, *args, **kwargs)


def classify(error: TwilioRestException) -> SendError:
    code = error.code
    label = str(code or error.status)
    if error.status == 429 or code == 20429:
        return SendError(RATE_LIMITED, label)
    if error.status >= 500 or code in AUTH_CODES:
        return SendError(TRANSIENT, label)
    if code in OUTSIDE_WINDOW_CODES:
        return SendError(OUTSIDE_WINDOW, label)
    if code in OPTED_OUT_CODES:
        return SendError(OPTED_OUT, label)
    return SendError(PERMANENT, label)


class TwilioTransport:
    def __init__(self, config: TwilioConfig, http_client=None) -> None:
        self.config = config
        self.channel = config.channel
        if http_client is None:
            http_client = (RedirectingHttpClient(config.api_base_url, timeout=15)
                           if config.api_base_url else TwilioHttpClient(timeout=15))
        self.client = Client(config.account_sid, config.auth_token, http_client=http_client)

    def template(self) -> dict | None:
        """The approved WhatsApp template that invites the person to write again, if configured."""
        if self.channel != "whatsapp" or not self.config.whatsapp_template_sid:
            return None
        extra = {"content_sid": self.config.whatsapp_template_sid}
        if self.config.whatsapp_template_variables:
            extra["content_variables"] = self.config.whatsapp_template_variables
        return extra

    def _params(self, address: str, message: outbox.Claimed) -> dict:
        params = {"to": address, "status_callback": self.config.url("status")}
        if self.config.messaging_service_sid:
            params["messaging_service_sid"] = self.config.messaging_service_sid
        else:
            params["from_"] = self.config.sender
        if message.kind == "template":
            extra = message.extra or {}
            params["content_sid"] = extra["content_sid"]
            if extra.get("content_variables"):
                variables = extra["content_variables"]
                params["content_variables"] = variables if isinstance(variables, str) else json.dumps(variables)
        else:
            params["body"] = message.body or ""
        return params

    def _create(self, params: dict):
        return self.client.messages.create(**params)

    async def send(self, address: str, message: outbox.Claimed) -> SendResult:
        params = self._params(address, message)
        try:
            created = await asyncio.to_thread(self._create, params)
        except TwilioRestException as error:
            raise classify(error) from error
        except (TwilioException, OSError) as error:  # requests' errors are OSErrors
            raise SendError(TRANSIENT, type(error).__name__) from error
        return SendResult(created.sid, outbox.ACCEPTED)
