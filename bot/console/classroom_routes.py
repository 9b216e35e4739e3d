"""Teachers' prevention sessions: create, project the code and QR, watch answers arrive, end, print.

Teachers see only their own sessions; an admin sees every session. Operators and
supervisors have no ``run_classroom`` permission. Only aggregates are ever shown:
joined and finished counts, answers per choice, the most common wrong answers.

``/aula/{code}`` is the students' web chat (no login): the QR code points there. Each
browser gets a random cookie; its Rasa sender id is a pseudonym of that cookie, so
nothing about the student's device or name reaches the assistant.
"""
from __future__ import annotations

import hashlib
import hmac
import math
import secrets

import segno
from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from markupsafe import Markup
from sqlalchemy.orm import Session

from bot import audit
from bot.classroom import codes, store
from bot.classroom.modules import LANGUAGE_NAMES, all_modules, get_module, text
from bot.config import get_settings, template_values
from bot.console import charts
from bot.console.auth import Actor, require, require_post
from bot.console.chat_routes import relay_chat_message
from bot.console.ratelimit import RateLimiter, client_address
from bot.console.session_routes import cookie_args
from bot.console.web import page, templates
from bot.db.models import ClassSession
from bot.db.session import session_scope
from bot.privacy.pseudonym import pseudonym

router = APIRouter(include_in_schema=False)
STUDENT_COOKIE = "wk_aula"


def class_text(texts, language: str = "es") -> str:
    """A module text for the teacher's pages, with the configured helpline numbers filled in."""
    return text(texts, language, template_values())


templates.env.globals["class_text"] = class_text


class NotFound(Exception):
    pass


def _own(db: Session, actor: Actor, session_id: int) -> ClassSession:
    """The session if this user may see it (its teacher, or an admin); else 404, never a hint."""
    session = db.get(ClassSession, session_id)
    if session is None or (session.teacher_id != actor.id and actor.role != "admin"):
        raise NotFound()
    return session


def _not_found(request: Request, actor: Actor):
    return page(request, actor, "error.html", status_code=404, title="No encontrada",
                message="Esa sesión no existe o no es tuya.")


def join_url(request: Request, code: str) -> str:
    base = get_settings().console_public_url or str(request.base_url).rstrip("/")
    return f"{base}/aula/{code}"


def qr_svg(data: str) -> Markup:
    """The QR code as inline SVG (segno, pure Python; presentation attributes only, so the CSP holds)."""
    svg = segno.make(data, error="m").svg_inline(scale=8, dark="#000000", light="#ffffff", omitsize=False)
    return Markup(svg.replace("<svg ", '<svg role="img" aria-label="Código QR para unirse a la clase" ', 1))


def live_data(db: Session, session: ClassSession) -> dict:
    """Everything the live view shows, as plain data (also the JSON the page polls)."""
    items = store.results(db, session)
    module = get_module(session.module_id)
    lang = session.language
    values = template_values()
    questions = []
    for n, r in enumerate(items, start=1):
        labels = [f"{c.id}) {_short(c.text.get('es', ''), values)}" + (" ✔" if c.correct else "")
                  for c in r.question.choices]
        questions.append({
            "id": r.question.id, "number": n, "counts": r.counts, "total": r.total,
            "correct": r.question.correct.id, "correct_percent": r.correct_percent,
            "chart": str(charts.hbar(f"Pregunta {n}: respuestas", list(zip(labels, r.counts.values())),
                                     chart_id=f"q{n}")),
        })
    wrong = [{"question": r.question.id, "number": items.index(r) + 1, "choice": cid, "count": n,
              "text": _short(r.question.choice(cid).text.get("es", ""), values)}
             for r, cid, n in store.common_wrong_answers(items)]
    return {
        "id": session.id, "status": session.status, "language": lang,
        "module": module.title["es"] if module else session.module_id,
        "joined": session.joined_count, "finished": session.finished_count,
        "in_class": store.active_count(db, session), "questions": questions, "wrong": wrong,
    }


def _short(raw: str, values: dict) -> str:
    try:
        return raw.format(**values)
    except (KeyError, IndexError, ValueError):
        return raw


# ---------------------------------------------------------------- teacher pages


@router.get("/classroom", response_class=HTMLResponse)
def classroom_home(request: Request, actor: Actor = Depends(require("run_classroom"))):
    with session_scope() as db:
        store.purge_expired(db)
        sessions = store.sessions_for(db, actor.id, all_teachers=actor.role == "admin")
    modules = all_modules()
    return page(request, actor, "classroom.html", sessions=sessions, modules=modules,
                language_names=LANGUAGE_NAMES, error=None)


@router.post("/classroom")
def classroom_create(request: Request, module_id: str = Form(...), language: str = Form(...),
                     minutes: int = Form(store.DEFAULT_MINUTES), actor: Actor = Depends(require_post("run_classroom"))):
    try:
        with session_scope() as db:
            session = store.create_session(db, actor.id, module_id, language, minutes=minutes)
            session_id = session.id
    except store.ClassroomError as exc:
        with session_scope() as db:
            sessions = store.sessions_for(db, actor.id, all_teachers=actor.role == "admin")
        return page(request, actor, "classroom.html", status_code=422, sessions=sessions, modules=all_modules(),
                    language_names=LANGUAGE_NAMES, error=str(exc))
    return RedirectResponse(f"/classroom/{session_id}", status_code=303)


@router.get("/classroom/{session_id}", response_class=HTMLResponse)
def classroom_live(request: Request, session_id: int, actor: Actor = Depends(require("run_classroom"))):
    try:
        with session_scope() as db:
            store.purge_expired(db)
            session = _own(db, actor, session_id)
            data = live_data(db, session)
            code = session.join_code
            expires_at = session.expires_at
            module = get_module(session.module_id)
    except NotFound:
        return _not_found(request, actor)
    link = join_url(request, code) if code else None
    return page(request, actor, "classroom_live.html", data=data, module=module, code=code,
                code_display=codes.display(code) if code else None, link=link,
                qr=qr_svg(link) if link else None, expires_at=expires_at,
                language_name=LANGUAGE_NAMES[data["language"]])


@router.get("/classroom/{session_id}/live.json")
def classroom_live_json(session_id: int, actor: Actor = Depends(require("run_classroom", touch=False))):
    """Polled by the live view every few seconds. Like the queue's poll, it does not keep the
    console session alive: a projected page alone never does (the idle warning asks)."""
    try:
        with session_scope() as db:
            store.purge_expired(db)
            data = live_data(db, _own(db, actor, session_id))
    except NotFound:
        return JSONResponse({"error": "not_found"}, status_code=404)
    html = templates.env.get_template("_classroom_results.html").render(data=data)
    return JSONResponse({**{k: v for k, v in data.items() if k != "questions"},
                         "questions": [{k: v for k, v in q.items() if k != "chart"} for q in data["questions"]],
                         "html": html})


@router.post("/classroom/{session_id}/end")
def classroom_end(request: Request, session_id: int, actor: Actor = Depends(require_post("run_classroom"))):
    try:
        with session_scope() as db:
            session = _own(db, actor, session_id)
            store.end_session(db, session, actor_id=actor.id, reason="teacher")
    except NotFound:
        return _not_found(request, actor)
    return RedirectResponse(f"/classroom/{session_id}/summary", status_code=303)


@router.get("/classroom/{session_id}/summary", response_class=HTMLResponse)
def classroom_summary(request: Request, session_id: int, actor: Actor = Depends(require("run_classroom"))):
    try:
        with session_scope() as db:
            session = _own(db, actor, session_id)
            data = live_data(db, session)
            created_at, ended_at = session.created_at, session.ended_at
            module = get_module(session.module_id)
            audit.record(db, "class_summary_viewed", actor_id=actor.id, object_type="class_session",
                               object_id=session_id)
    except NotFound:
        return _not_found(request, actor)
    return page(request, actor, "classroom_summary.html", data=data, module=module, created_at=created_at,
                ended_at=ended_at, language_name=LANGUAGE_NAMES[data["language"]])


# ---------------------------------------------------------------- students' web chat (no login)


def _student_csrf(cookie: str) -> str:
    key = get_settings().pseudonym_key.encode("utf-8")
    return hmac.new(key, f"aula-csrf:{cookie}".encode("utf-8"), hashlib.sha256).hexdigest()


def student_conversation_id(cookie: str) -> str:
    return "aula-" + pseudonym("aula", cookie)


@router.get("/aula/{code}", response_class=HTMLResponse)
def student_chat(request: Request, code: str):
    cookie = request.cookies.get(STUDENT_COOKIE) or secrets.token_urlsafe(16)
    found = codes.find_code(code)
    response = templates.TemplateResponse(request, "classroom_student.html", {
        "csrf": _student_csrf(cookie),
        "first_message": f"CLASE {codes.display(found)}" if found else "",
    })
    if not request.cookies.get(STUDENT_COOKIE):
        response.set_cookie(STUDENT_COOKIE, cookie, **cookie_args())
    return response


# Thirty students answering together come from one school address: stop floods, not a class.
STUDENT_CHAT_LIMIT = RateLimiter(per_minute=300, burst=120, name="aula-send")


@router.post("/aula/send")
async def student_send(request: Request):
    allowed, retry_after = STUDENT_CHAT_LIMIT.allow(client_address(request))
    if not allowed:
        return JSONResponse(
            {"messages": [{"text": "Llegan demasiados mensajes desde esta red. Espera unos segundos y vuelve a "
                                   "intentarlo."}], "error": "rate_limited"},
            status_code=429, headers={"Retry-After": str(max(1, math.ceil(retry_after)))},
        )
    cookie = request.cookies.get(STUDENT_COOKIE)
    supplied = request.headers.get("X-CSRF-Token") or ""
    if not cookie or not hmac.compare_digest(_student_csrf(cookie), supplied):
        return JSONResponse({"error": "csrf"}, status_code=400)
    return await relay_chat_message(request, student_conversation_id(cookie))

