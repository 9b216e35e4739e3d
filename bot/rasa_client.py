"""Talking to the Rasa server: the REST channel (as a person would) and the HTTP API (as staff)."""
from __future__ import annotations

from typing import Any

import httpx

from bot.config import Settings, get_settings

REST_WEBHOOK = "/webhooks/rest/webhook"
TIMEOUT = httpx.Timeout(30.0, connect=5.0)


class RasaUnavailable(RuntimeError):
    """The Rasa server did not answer; the caller shows a kind message instead."""


def _webhook(settings: Settings) -> str:
    return settings.rasa_url + REST_WEBHOOK


def send(sender: str, text: str, metadata: dict[str, Any] | None = None, settings: Settings | None = None) -> list[dict]:
    settings = settings or get_settings()
    try:
        response = httpx.post(
            _webhook(settings), json={"sender": sender, "message": text, "metadata": metadata or {}}, timeout=TIMEOUT
        )
        response.raise_for_status()
    except httpx.HTTPError as exc:
        raise RasaUnavailable(str(exc.__class__.__name__)) from exc
    return response.json()


async def send_async(
    client: httpx.AsyncClient, sender: str, text: str, metadata: dict[str, Any] | None = None, settings: Settings | None = None
) -> list[dict]:
    settings = settings or get_settings()
    try:
        response = await client.post(
            _webhook(settings), json={"sender": sender, "message": text, "metadata": metadata or {}}, timeout=TIMEOUT
        )
        response.raise_for_status()
    except httpx.HTTPError as exc:
        raise RasaUnavailable(str(exc.__class__.__name__)) from exc
    return response.json()


async def status_async(client: httpx.AsyncClient, settings: Settings | None = None) -> bool:
    settings = settings or get_settings()
    try:
        response = await client.get(settings.rasa_url + "/status", params={"token": settings.rasa_token}, timeout=3.0)
        return response.status_code == 200 and bool(response.json().get("model_file"))
    except (httpx.HTTPError, ValueError):
        return False
