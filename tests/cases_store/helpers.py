"""Helpers for the case-store tests: users and reports."""
from __future__ import annotations

import secrets
from dataclasses import dataclass

from bot.cases.report import Location, Report, Victim


@dataclass(frozen=True)
class Staff:
    operator: int
    operator2: int
    supervisor: int


def make_users(url: str, tag: str) -> Staff:
    from bot.db.models import User
    from bot.db.session import session_scope

    ids = {}
    with session_scope(url) as db:
        for name, role in (("operator", "operator"), ("operator2", "operator"), ("supervisor", "supervisor")):
            user = User(username=f"{name}-{tag}", display_name=f"{name.title()} {tag}", password_hash="x", role=role)
            db.add(user)
            db.flush()
            ids[name] = user.id
    return Staff(**ids)


def minor_report(**overrides) -> Report:
    """A P1 denuncia: a 15-year-old girl from Cusco exploited now in a bar in Mazuko."""
    values = dict(
        channel="whatsapp",
        language="es",
        category_hint="denuncia",
        victims=[Victim(sex="mujer", age_years=15, nationality="PE", origin=Location(ubigeo="0801"))],
        purposes=["explotacion_sexual"],
        recruitment="oferta_trabajo",
        recruiter_relationship="desconocido",
        control_means=["retencion_documentos"],
        origin=Location(ubigeo="080101"),
        destination=Location(ubigeo="170201"),
        ongoing_exploitation=True,
        reporter_role="familiar_o_cuidador",
        anonymous=False,
        contact_back=True,
        contact_channel="whatsapp",
        narrative="Mi hermana Rosa trabaja en un bar de Mazuko y no la dejan salir",
    )
    values.update(overrides)
    return Report(**values)


def question_report(**overrides) -> Report:
    values = dict(channel="telegram", language="qu", category_hint="consulta")
    values.update(overrides)
    return Report(**values)


def key() -> str:
    return "test:" + secrets.token_hex(8)
