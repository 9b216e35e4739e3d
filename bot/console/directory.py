"""The derivation directory: offices of each derivation target, by region, with phone and e-mail.

Seeded once with one national entry per derivation target of the taxonomy (names from
``derivation_targets.yml``; phone and e-mail left empty, because the sources give none
and a wrong number in a directory is worse than a blank). Supervisors complete and
extend it in the console. Entries are deactivated, never deleted, so past derivations
keep their meaning.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from bot import audit
from bot.cases import places
from bot.cases.definitions import load
from bot.db.models import Institution
from bot.db.session import session_scope
from bot.db.types import utcnow

NATIONAL = ""
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^[0-9 +()\-/,.a-zA-Záéíóúñ]{3,64}$")


class DirectoryError(ValueError):
    pass


@dataclass(frozen=True)
class Entry:
    id: int
    target: str
    region: str          # department ubigeo, or "" for national
    name: str
    phone: str | None
    email: str | None
    notes: str | None
    active: bool
    updated_at: datetime


def _view(row: Institution) -> Entry:
    return Entry(row.id, row.target, row.region, row.name, row.phone, row.email, row.notes, row.active,
                 row.updated_at)


def ensure_seeded() -> int:
    """Add the national entry of each derivation target that has no entry at all; returns how many."""
    targets = load()["derivation_targets"]
    added = 0
    with session_scope() as db:
        present = set(db.execute(select(Institution.target).distinct()).scalars())
    for value in targets:
        if value.code in present:
            continue
        try:
            with session_scope() as db:
                db.add(Institution(target=value.code, region=NATIONAL, name=value.text("es"),
                                   notes=value.extra.get("scope"), active=True, updated_at=utcnow()))
            added += 1
        except IntegrityError:
            pass  # another process seeded it at the same moment
    return added


def entries(*, target: str | None = None, region: str | None = None, active_only: bool = False) -> list[Entry]:
    query = select(Institution).order_by(Institution.target, Institution.region, Institution.name)
    if target:
        query = query.where(Institution.target == target)
    if region is not None:
        query = query.where(Institution.region.in_([region, NATIONAL]))
    if active_only:
        query = query.where(Institution.active.is_(True))
    with session_scope() as db:
        return [_view(r) for r in db.execute(query).scalars()]


def get(entry_id: int) -> Entry:
    with session_scope() as db:
        row = db.get(Institution, entry_id)
        if row is None:
            raise DirectoryError("Esa institución no existe en el directorio.")
        return _view(row)


def _clean(target: str, region: str, name: str, phone: str | None, email: str | None,
           notes: str | None) -> dict:
    if target not in load()["derivation_targets"]:
        raise DirectoryError("Elige una institución de la lista de derivación.")
    region = (region or "").strip()
    if region and (len(region) != 2 or places.lookup(region) is None):
        raise DirectoryError("La región debe ser un departamento del Perú o «nacional».")
    name = (name or "").strip()
    if not 3 <= len(name) <= 200:
        raise DirectoryError("El nombre debe tener entre 3 y 200 caracteres.")
    phone = (phone or "").strip() or None
    if phone and not _PHONE.match(phone):
        raise DirectoryError("El teléfono solo puede tener números, espacios y + ( ) - / , .")
    email = (email or "").strip() or None
    if email and (len(email) > 200 or not _EMAIL.match(email)):
        raise DirectoryError("El correo electrónico no parece válido.")
    notes = (notes or "").strip() or None
    if notes and len(notes) > 500:
        raise DirectoryError("Las notas tienen como máximo 500 caracteres.")
    return {"target": target, "region": region, "name": name, "phone": phone, "email": email, "notes": notes}


def save(*, actor_id: int, entry_id: int | None = None, target: str, region: str, name: str,
         phone: str | None = None, email: str | None = None, notes: str | None = None,
         active: bool = True) -> Entry:
    """Create (``entry_id=None``) or update an entry; audited."""
    values = _clean(target, region, name, phone, email, notes)
    try:
        with session_scope() as db:
            if entry_id is None:
                row = Institution(**values, active=active, updated_at=utcnow(), updated_by_id=actor_id)
                db.add(row)
            else:
                row = db.get(Institution, entry_id)
                if row is None:
                    raise DirectoryError("Esa institución no existe en el directorio.")
                for key, value in values.items():
                    setattr(row, key, value)
                row.active = active
                row.updated_at = utcnow()
                row.updated_by_id = actor_id
            db.flush()
            audit.record(db, "directory.changed", actor_id=actor_id, object_type="institution", object_id=row.id,
                         details={"new": "created" if entry_id is None else ("active" if active else "inactive")})
            return _view(row)
    except IntegrityError:
        raise DirectoryError("Ya hay una entrada con ese nombre para esa institución y región.") from None
