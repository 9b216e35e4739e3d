"""The stored report as labelled sections in Spanish, for the case page and the API.

Works on the report's JSON (``Report.to_dict()`` as stored), so a report with keys the
``Report`` class does not know yet (e.g. ``screening`` from the offer screener) still
shows. Pure: data in, sections out.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any, Mapping

from bot.console.labels import label, subtype_label, yes_no

FLAGS = (
    ("ongoing_exploitation", "Explotación en curso"),
    ("person_held", "Persona retenida"),
    ("danger_now", "Peligro para la vida ahora"),
    ("travel_imminent", "Viaje inminente"),
    ("abroad", "Víctima en el extranjero"),
    ("sexual_violence", "Violencia sexual"),
    ("institutional_omission", "Omisión de una institución"),
    ("needs_health_care", "Necesita atención de salud"),
)

RISK_LABELS = {"high": "Riesgo alto", "medium": "Riesgo medio", "low": "Riesgo bajo"}


@dataclass(frozen=True)
class Section:
    title: str
    rows: list[tuple[str, str]]


def place(loc: Mapping[str, Any] | None) -> str:
    if not loc:
        return "—"
    if loc.get("country") and loc.get("country") != "PE":
        return f"Fuera del Perú ({loc['country']})"
    names = [loc.get(k) for k in ("distrito", "provincia", "departamento") if loc.get(k)]
    return ", ".join(names) if names else (loc.get("ubigeo") or "Perú")


def _list(vocab: str, codes: list | None, version: str) -> str:
    return ", ".join(label(vocab, c, version) for c in codes or []) or "—"


def victim_line(v: Mapping[str, Any], version: str) -> str:
    parts = [label("sex", v.get("sex") or "sin_dato", version)]
    if v.get("age_years") is not None:
        parts.append(f"{v['age_years']} años")
    elif v.get("age_band"):
        parts.append(label("age_bands", v["age_band"], version))
    if v.get("is_minor"):
        parts.append("MENOR DE EDAD")
    if v.get("nationality"):
        parts.append(f"nacionalidad {v['nationality']}")
    if v.get("origin"):
        parts.append(f"procede de {place(v['origin'])}")
    for key, text in (("travelling_now", "viajando ahora"), ("unaccompanied", "sin compañía"),
                      ("without_documents", "sin documentos")):
        if v.get(key):
            parts.append(text)
    return " · ".join(parts)


def sections(data: Mapping[str, Any] | None) -> list[Section]:
    if not data:
        return []
    version = data.get("definition_version") or "v1"
    victims = data.get("victims") or []
    people = [(f"Persona {i + 1}", victim_line(v, version)) for i, v in enumerate(victims)]
    if data.get("victim_count"):
        people.append(("Personas afectadas en total", str(data["victim_count"])))
    if not people:
        people.append(("Personas", "Sin datos de víctimas"))
    facts = [
        ("Finalidad", _list("purposes", data.get("purposes"), version)),
        ("Captación", label("recruitment", data.get("recruitment"), version)),
        ("Relación con quien captó", label("recruiter_relationship", data.get("recruiter_relationship"), version)),
        ("Medios de control", _list("control_means", data.get("control_means"), version)),
    ]
    places_rows = [("Origen / captación", place(data.get("origin")))]
    for i, stop in enumerate(data.get("transit") or []):
        places_rows.append((f"Tránsito {i + 1}", place(stop)))
    places_rows.append(("Destino / lugar de los hechos", place(data.get("destination"))))
    flags = [(text, yes_no(data.get(key))) for key, text in FLAGS]
    reporter = [
        ("Quién informa", label("reporter_roles", data.get("reporter_role") or "sin_dato", version)),
        ("Anónimo", yes_no(data.get("anonymous"))),
        ("Acepta que le contactemos", yes_no(data.get("contact_back"))
         + (f" (por {label('channels', data['contact_channel'], version)})" if data.get("contact_channel") else "")),
    ]
    conversation = [
        ("Idioma", label("languages", data.get("language"), version)),
        ("Canal", label("channels", data.get("channel"), version)),
        ("Tema de la conversación", label("categories", data.get("category_hint"), version)),
    ]
    if data.get("offer_type"):
        conversation.append(("Tipo de oferta", subtype_label("orientacion_oferta", data["offer_type"], version)))
    return [
        Section("Personas afectadas", people),
        Section("Hechos", facts),
        Section("Lugares", places_rows),
        Section("Situación", flags),
        Section("Quién informa", reporter),
        Section("Conversación", conversation),
    ]


@functools.lru_cache(maxsize=1)
def _indicator_labels() -> dict[str, str]:
    try:
        from bot.screening.catalog import load_catalog

        return {ind.id: ind.labels.get("es") or ind.id for ind in load_catalog().indicators}
    except Exception:  # noqa: BLE001 - labels are a nicety; the id is shown instead
        return {}


def screening(data: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The screener's result stored with the report, labelled: risk and indicators with evidence."""
    raw = (data or {}).get("screening")
    if not isinstance(raw, Mapping):
        return None
    names = _indicator_labels()
    indicators = []
    for item in raw.get("indicators") or []:
        if isinstance(item, Mapping) and item.get("id"):
            indicators.append({"id": str(item["id"]), "label": names.get(str(item["id"]), str(item["id"])),
                               "evidence": str(item.get("evidence") or "")})
        elif isinstance(item, str):
            indicators.append({"id": item, "label": names.get(item, item), "evidence": ""})
    risk = str(raw.get("risk") or "")
    return {"risk": risk, "risk_label": RISK_LABELS.get(risk, risk or "—"), "indicators": indicators}
