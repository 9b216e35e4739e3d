"""Local stand-ins for the Telegram Bot API and Twilio's Messages API.

For tests, benchmarks and demos without network: point python-telegram-bot at
``FakeTelegram.base_url`` (TELEGRAM_API_BASE_URL) and the twilio client at
``FakeTwilio.base_url`` (TWILIO_API_BASE_URL). Each runs an HTTP server on a free local
port in its own thread, records every call, answers like the real API, and can be told
to fail the next calls (429 with retry_after, 5xx, a blocked user, WhatsApp's 24-hour
window...).
"""
from __future__ import annotations

import base64
import itertools
import json
import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlparse

import httpx
from twilio.request_validator import RequestValidator


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    at: float = field(default_factory=time.monotonic)


class _Server:
    """A threading HTTP server whose handler calls ``self.handle(method, path, headers, body)``."""

    def __init__(self) -> None:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                if self.path == "/_calls":  # for benchmarks running the fake in another process
                    status, payload, headers = 200, {"calls": len(owner.calls)}, {}
                else:
                    status, payload, headers = owner.handle(self.command, self.path, dict(self.headers), body)
                raw = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                for key, value in headers.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(raw)

            do_GET = do_POST

            def log_message(self, *args: Any) -> None:  # quiet
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self.lock = threading.Lock()
        self.calls: list[Call] = []
        self._failures: list[tuple[int, dict, dict]] = []

    def start(self) -> "_Server":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def fail_next(self, count: int, status: int, payload: dict, headers: dict | None = None) -> None:
        with self.lock:
            self._failures.extend([(status, payload, headers or {})] * count)

    def _take_failure(self) -> tuple[int, dict, dict] | None:
        with self.lock:
            return self._failures.pop(0) if self._failures else None

    def record(self, method: str, params: dict) -> None:
        with self.lock:
            self.calls.append(Call(method, params))

    def calls_to(self, method: str) -> list[Call]:
        with self.lock:
            return [call for call in self.calls if call.method == method]

    def handle(self, method: str, path: str, headers: dict, body: bytes) -> tuple[int, Any, dict]:
        raise NotImplementedError


def _decode_params(headers: dict, body: bytes) -> dict[str, Any]:
    content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
    if "json" in content_type:
        data = json.loads(body or b"{}")
        return data if isinstance(data, dict) else {}
    params: dict[str, Any] = {}
    for key, value in parse_qsl(body.decode("utf-8"), keep_blank_values=True):
        try:
            params[key] = json.loads(value) if value[:1] in ("{", "[") else value
        except ValueError:
            params[key] = value
    return params


class FakeTelegram(_Server):
    """sendMessage, answerCallbackQuery, setWebhook, getWebhookInfo, getMe, deleteWebhook."""

    def __init__(self, token: str = "123456:TEST-token") -> None:
        super().__init__()
        self.token = token
        self._message_ids = itertools.count(100)
        self.webhook: dict[str, Any] = {}

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    def rate_limit_next(self, count: int = 1, retry_after: int = 1) -> None:
        self.fail_next(count, 429, {"ok": False, "error_code": 429,
                                    "description": f"Too Many Requests: retry after {retry_after}",
                                    "parameters": {"retry_after": retry_after}})

    def server_error_next(self, count: int = 1) -> None:
        self.fail_next(count, 502, {"ok": False, "error_code": 502, "description": "Bad Gateway"})

    def blocked_next(self, count: int = 1) -> None:
        self.fail_next(count, 403, {"ok": False, "error_code": 403,
                                    "description": "Forbidden: bot was blocked by the user"})

    def sent_texts(self, chat_id: int | str | None = None) -> list[str]:
        return [c.params.get("text", "") for c in self.calls_to("sendMessage")
                if chat_id is None or str(c.params.get("chat_id")) == str(chat_id)]

    def handle(self, method: str, path: str, headers: dict, body: bytes) -> tuple[int, Any, dict]:
        match = re.match(r"^/bot(?P<token>[^/]+)/(?P<method>\w+)$", urlparse(path).path)
        if not match or match["token"] != self.token:
            return 404, {"ok": False, "error_code": 404, "description": "Not Found"}, {}
        api_method = match["method"]
        params = _decode_params(headers, body)
        self.record(api_method, params)
        if api_method != "getMe":
            failure = self._take_failure()
            if failure is not None:
                return failure
        now = int(time.time())
        if api_method == "sendMessage":
            chat_id = int(params["chat_id"])
            result = {
                "message_id": next(self._message_ids),
                "from": {"id": int(self.token.split(":")[0]), "is_bot": True, "first_name": "Willakuy",
                         "username": "WillakuyBot"},
                "chat": {"id": chat_id, "type": "private", "first_name": "Persona"},
                "date": now,
                "text": params.get("text", ""),
            }
            if params.get("reply_markup"):
                result["reply_markup"] = params["reply_markup"]
            return 200, {"ok": True, "result": result}, {}
        if api_method == "answerCallbackQuery":
            return 200, {"ok": True, "result": True}, {}
        if api_method == "setWebhook":
            self.webhook = params
            return 200, {"ok": True, "result": True, "description": "Webhook was set"}, {}
        if api_method == "deleteWebhook":
            self.webhook = {}
            return 200, {"ok": True, "result": True}, {}
        if api_method == "getWebhookInfo":
            return 200, {"ok": True, "result": {
                "url": self.webhook.get("url", ""), "has_custom_certificate": False,
                "pending_update_count": 0, "allowed_updates": self.webhook.get("allowed_updates", []),
            }}, {}
        if api_method == "getMe":
            return 200, {"ok": True, "result": {"id": int(self.token.split(":")[0]), "is_bot": True,
                                                "first_name": "Willakuy", "username": "WillakuyBot"}}, {}
        return 404, {"ok": False, "error_code": 404, "description": "Not Found: method not found"}, {}


def twilio_error(status: int, code: int, message: str) -> dict:
    return {"code": code, "message": message, "more_info": f"https://www.twilio.com/docs/errors/{code}",
            "status": status}


class FakeTwilio(_Server):
    """POST /2010-04-01/Accounts/{AccountSid}/Messages.json, with status callbacks on demand."""

    def __init__(self, account_sid: str = "AC" + "0" * 32, auth_token: str = "test-auth-token") -> None:
        super().__init__()
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.messages: dict[str, dict[str, Any]] = {}

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def rate_limit_next(self, count: int = 1) -> None:
        self.fail_next(count, 429, twilio_error(429, 20429, "Too Many Requests"))

    def server_error_next(self, count: int = 1) -> None:
        self.fail_next(count, 503, twilio_error(503, 20503, "Service Unavailable"))

    def outside_window_next(self, count: int = 1) -> None:
        self.fail_next(count, 400, twilio_error(
            400, 63016, "Failed to send freeform message because you are outside the allowed window."))

    def unsubscribed_next(self, count: int = 1) -> None:
        self.fail_next(count, 400, twilio_error(
            400, 21610, "Attempt to send to unsubscribed recipient"))

    def sent_to(self, to: str) -> list[Call]:
        return [c for c in self.calls_to("Messages.create") if c.params.get("To") == to]

    def bodies(self, to: str | None = None) -> list[str]:
        return [c.params.get("Body", "") for c in self.calls_to("Messages.create")
                if to is None or c.params.get("To") == to]

    def handle(self, method: str, path: str, headers: dict, body: bytes) -> tuple[int, Any, dict]:
        match = re.match(r"^/2010-04-01/Accounts/(?P<sid>AC\w+)/Messages\.json$", urlparse(path).path)
        if method != "POST" or not match:
            return 404, twilio_error(404, 20404, "The requested resource was not found"), {}
        auth = next((v for k, v in headers.items() if k.lower() == "authorization"), "")
        expected = "Basic " + base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        if match["sid"] != self.account_sid or auth != expected:
            return 401, twilio_error(401, 20003, "Authenticate"), {}
        params = dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
        self.record("Messages.create", params)
        failure = self._take_failure()
        if failure is not None:
            return failure
        if not params.get("To") or not (params.get("From") or params.get("MessagingServiceSid")):
            return 400, twilio_error(400, 21604, "A 'To' phone number is required."), {}
        if not params.get("Body") and not params.get("ContentSid") and not params.get("MediaUrl"):
            return 400, twilio_error(400, 21602, "Message body is required."), {}
        sid = "SM" + secrets.token_hex(16)
        now = formatdate(usegmt=True)
        message = {
            "account_sid": self.account_sid,
            "api_version": "2010-04-01",
            "body": params.get("Body", ""),
            "date_created": now,
            "date_sent": None,
            "date_updated": now,
            "direction": "outbound-api",
            "error_code": None,
            "error_message": None,
            "from": params.get("From"),
            "messaging_service_sid": params.get("MessagingServiceSid"),
            "num_media": "0",
            "num_segments": "1",
            "price": None,
            "price_unit": "USD",
            "sid": sid,
            "status": "queued" if params.get("From") else "accepted",
            "subresource_uris": {"media": f"/2010-04-01/Accounts/{self.account_sid}/Messages/{sid}/Media.json"},
            "to": params.get("To"),
            "uri": f"/2010-04-01/Accounts/{self.account_sid}/Messages/{sid}.json",
        }
        self.messages[sid] = {**message, "status_callback": params.get("StatusCallback")}
        return 201, message, {}

    def status_callback(self, sid: str, status: str, error_code: int | None = None, *,
                        via: str | None = None, sign: bool = True) -> httpx.Response:
        """POST a delivery status for a sent message to its StatusCallback, signed like Twilio.

        ``via`` replaces the public origin when posting (a reverse proxy's view): the
        signature is still computed over the public StatusCallback URL, as Twilio does.
        """
        message = self.messages[sid]
        target = message["status_callback"]
        params = {
            "AccountSid": self.account_sid, "ApiVersion": "2010-04-01", "From": message["from"] or "",
            "To": message["to"], "MessageSid": sid, "SmsSid": sid, "MessageStatus": status, "SmsStatus": status,
        }
        if message["to"].startswith("whatsapp:"):
            params.update({"ChannelPrefix": "whatsapp", "ChannelToAddress": message["to"][len("whatsapp:"):]})
        if error_code is not None:
            params["ErrorCode"] = str(error_code)
        headers = {}
        if sign:
            headers["X-Twilio-Signature"] = RequestValidator(self.auth_token).compute_signature(target, params)
        if via:
            parsed = urlparse(target)
            target = via.rstrip("/") + parsed.path + (f"?{parsed.query}" if parsed.query else "")
        return httpx.post(target, data=params, headers=headers, timeout=10)
