"""Delivering an operator's reply to the person, on the channel they wrote from.

- Telegram, WhatsApp, SMS: through the outbound service ``integrations.outbound``
  (``send_to_conversation(conversation_id, text, *, buttons=None) -> OutboundResult``,
  and ``delivery_status(message_id)`` for later updates), when that package is installed.
- Web chat and other REST clients: nothing to send; the reply is in the conversation's
  tracker and the web chat polls for it (``/chat/poll``).
- Phone and in-person contacts have no conversation to write to.

The console only uses ``send`` and ``status`` below, so the outbound service can change
behind them. The service may be sync or async; both are handled.
"""
from __future__ import annotations

import importlib
import inspect
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

logger = logging.getLogger(__name__)

EXTERNAL = frozenset({"telegram", "whatsapp", "sms"})
WEB = frozenset({"web", "rest"})
# The outbound service's status while WhatsApp's 24-hour window is closed: it sends the
# approved template and holds the reply until the person writes again.
WINDOW_STATUSES = frozenset({"held", "outside_window"})

STATUS_LABELS = {
    "in_chat": "En la conversación (el chat web lo muestra)",
    "pending": "En cola de envío",
    "retrying": "Reintentando",
    "claimed": "Enviando",
    "held": "Retenido: ventana de 24 h cerrada",
    "outside_window": "Retenido: ventana de 24 h cerrada",
    "blocked": "No enviado: la persona bloqueó o se dio de baja",
    "accepted": "Aceptado por el proveedor",
    "sent": "Enviado",
    "delivered": "Entregado",
    "read": "Leído",
    "undelivered": "No entregado",
    "failed": "Falló",
    "unavailable": "No enviado: canal no disponible",
}


@dataclass(frozen=True)
class DeliveryResult:
    via: str                      # outbound | web
    status: str                   # see STATUS_LABELS
    message_id: str | None = None
    window_closed: bool = False   # WhatsApp: template sent, reply waits for the person
    error: str | None = None      # exception class name, never message text

    @property
    def delivered_or_queued(self) -> bool:
        return self.status not in ("failed", "unavailable", "blocked", "undelivered")


@dataclass(frozen=True)
class DeliveryStatus:
    message_id: str
    status: str
    history: tuple[tuple[str, datetime], ...] = ()


def reply_channel(case_channel: str | None, contact_channel: str | None) -> str | None:
    """The channel a reply goes out on: the contact's (what the channel layer knows), else the case's."""
    for channel in (contact_channel, case_channel):
        if channel in EXTERNAL or channel in WEB:
            return channel
    return None


def can_reply(channel: str | None) -> bool:
    return channel in EXTERNAL or channel in WEB


def load_outbound() -> Any | None:
    """The outbound service module, or None when the channels package is not installed."""
    try:
        return importlib.import_module("integrations.outbound")
    except ImportError:
        return None


async def send(conversation_id: str, channel: str, text: str) -> DeliveryResult:
    """Deliver ``text`` on ``channel``; web conversations need nothing more than the tracker."""
    if channel in WEB:
        return DeliveryResult("web", "in_chat")
    if channel not in EXTERNAL:
        return DeliveryResult("outbound", "unavailable", error="NoConversationChannel")
    outbound = load_outbound()
    if outbound is None or not hasattr(outbound, "send_to_conversation"):
        return DeliveryResult("outbound", "unavailable", error="OutboundServiceMissing")
    try:
        result = outbound.send_to_conversation(conversation_id, text)
        if inspect.isawaitable(result):
            result = await result
    except Exception as exc:  # noqa: BLE001 - shown to the operator; the reason is the class name
        logger.warning("operator reply not delivered (%s)", type(exc).__name__)
        return DeliveryResult("outbound", "failed", error=type(exc).__name__)
    status = str(getattr(result, "status", "") or "pending")
    window = bool(getattr(result, "window_closed", False)) or status in WINDOW_STATUSES
    return DeliveryResult("outbound", status, str(getattr(result, "message_id", "") or "") or None, window)


def status(message_id: str | None) -> DeliveryStatus | None:
    """The latest delivery status of an outbound message, when the service can tell."""
    if not message_id:
        return None
    outbound = load_outbound()
    if outbound is None or not hasattr(outbound, "delivery_status"):
        return None
    try:
        view = outbound.delivery_status(message_id)
    except Exception as exc:  # noqa: BLE001 - a status we cannot read is simply not shown
        logger.warning("delivery status unavailable (%s)", type(exc).__name__)
        return None
    if view is None:
        return None
    history = tuple((str(h[0]), h[1]) for h in getattr(view, "history", ()) or () if len(h) >= 2)
    return DeliveryStatus(message_id, str(getattr(view, "status", "")), history)


def status_label(code: str | None) -> str:
    return STATUS_LABELS.get(code or "", code or "—")
