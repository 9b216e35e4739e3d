"""The test web chat: a person's side of a conversation, relayed to the assistant's REST channel.

Used in demos and by the browser tests as "the person". ``/chat/poll`` brings in the
replies an operator writes from the case page (bot events with ``metadata.operator``
in the conversation's tracker), so the chat shows them without reloading.
"""
from __future__ import annotations

import asyncio
import secrets

import httpx
from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse

from bot import rasa_client
from bot.config import get_settings
from bot.console import transcripts
from bot.console.auth import Actor, check_csrf, require
from bot.console.session_routes import cookie_args
from bot.console.web import page
from bot.privacy.pseudonym import pseudonym

CHAT_COOKIE = "wk_chat"
MAX_CHAT_CHARS = 4000

router = APIRouter(include_in_schema=False)


def conversation_id(chat_cookie: str) -> str:
    """The Rasa sender id of a browser's test chat (a pseudonym of its random cookie)."""
    return "web-" + pseudonym("web", chat_cookie)


@router.get("/chat", response_class=HTMLResponse)
def chat_page(request: Request, actor: Actor = Depends(require("use_chat"))):
    response = page(request, actor, "chat.html")
    if not request.cookies.get(CHAT_COOKIE):
        response.set_cookie(CHAT_COOKIE, secrets.token_urlsafe(16), **cookie_args())
    return response


@router.post("/chat/send")
async def chat_send(request: Request, actor: Actor = Depends(require("use_chat"))):
    if not check_csrf(actor, request.headers.get("X-CSRF-Token")):
        return JSONResponse({"error": "csrf"}, status_code=400)
    chat_id = request.cookies.get(CHAT_COOKIE)
    if not chat_id:
        return JSONResponse({"error": "no_chat"}, status_code=400)
    return await relay_chat_message(request, conversation_id(chat_id))


async def relay_chat_message(request: Request, conversation: str) -> JSONResponse:
    """Pass the browser's ``{"message": ...}`` to the assistant as ``conversation``; its replies."""
    try:
        body = await request.json()
    except ValueError:
        return JSONResponse({"error": "bad_json"}, status_code=400)
    message = body.get("message") if isinstance(body, dict) else None
    if not isinstance(message, str):
        return JSONResponse({"error": "message must be text"}, status_code=422)
    async with httpx.AsyncClient() as client:
        try:
            replies = await rasa_client.send_async(client, conversation, message[:MAX_CHAT_CHARS],
                                                   {"channel": "web"}, get_settings())
        except rasa_client.RasaUnavailable:
            return JSONResponse(
                {"messages": [{"text": "El asistente no está disponible en este momento. Intenta de nuevo en unos minutos."}],
                 "error": "assistant_unavailable"},
                status_code=503,
            )
    return JSONResponse({"messages": [_chat_message(r) for r in replies]})


@router.get("/chat/poll")
async def chat_poll(request: Request, actor: Actor = Depends(require("use_chat", touch=False))):
    """Operator replies in this browser's conversation after event index ``after``."""
    chat_id = request.cookies.get(CHAT_COOKIE)
    if not chat_id:
        return JSONResponse({"error": "no_chat"}, status_code=400)
    raw = request.query_params.get("after")
    after = int(raw) if raw and raw.isdigit() else None
    try:
        tracker = await asyncio.to_thread(transcripts.fetch, conversation_id(chat_id))
    except transcripts.TranscriptUnavailable:
        return JSONResponse({"messages": [], "next": after, "error": "assistant_unavailable"}, status_code=503)
    messages, next_index = transcripts.operator_messages_after(tracker, after)
    return JSONResponse({"messages": messages, "next": next_index})


def _chat_message(reply: dict) -> dict:
    return {
        "text": reply.get("text") or "",
        "buttons": [
            {"title": b.get("title", ""), "payload": b.get("payload", "")}
            for b in reply.get("buttons") or []
            if isinstance(b, dict)
        ],
    }
