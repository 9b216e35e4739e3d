"""The derivation directory: every operator can read it; supervisors and admins edit it."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from bot.console import directory, labels
from bot.console.auth import Actor, require, require_post
from bot.console.permissions import allowed
from bot.console.web import page

router = APIRouter(include_in_schema=False)


def _page(request: Request, actor: Actor, *, error: str | None = None, form: dict | None = None,
          status_code: int = 200, edit: int | None = None):
    entries = directory.entries()
    return page(request, actor, "directory.html", status_code=status_code, entries=entries, error=error,
                form=form or {}, edit=edit, targets=labels.options("derivation_targets"),
                regions=[(c, n) for c, n in labels.regions() if c != "extranjero"],
                may_edit=allowed(actor.role, "manage_directory"),
                saved=request.query_params.get("hecho") == "1")


@router.get("/directory", response_class=HTMLResponse)
def directory_page(request: Request, actor: Actor = Depends(require("view_directory"))):
    edit = request.query_params.get("editar")
    return _page(request, actor, edit=int(edit) if edit and edit.isdigit() else None)


@router.post("/directory")
def save_entry(request: Request, entry_id: str = Form(""), target: str = Form(""), region: str = Form(""),
               name: str = Form(""), phone: str = Form(""), email: str = Form(""), notes: str = Form(""),
               active: str = Form("1"), actor: Actor = Depends(require_post("manage_directory"))):
    form = {"entry_id": entry_id, "target": target, "region": region, "name": name, "phone": phone,
            "email": email, "notes": notes, "active": active}
    try:
        directory.save(actor_id=actor.id, entry_id=int(entry_id) if entry_id.isdigit() else None, target=target,
                       region=region, name=name, phone=phone, email=email, notes=notes, active=active == "1")
    except directory.DirectoryError as exc:
        return _page(request, actor, error=str(exc), form=form, status_code=422,
                     edit=int(entry_id) if entry_id.isdigit() else None)
    return RedirectResponse("/directory?hecho=1", status_code=303)
