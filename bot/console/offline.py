"""The offline-contact form (a call or a visit) as a ``Report``: parsing is pure and tested.

Same fields as the assistant's report (``bot.cases.report.Report``); places are a
department plus free text matched against the ubigeo inside that department, so an
operator never needs to know INEI codes.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Mapping, Sequence

from bot.cases import places
from bot.cases.report import Location, Report, ReportError, Victim
from bot.console.labels import PERU

CHANNELS = ("telefono", "presencial")
TRISTATE = {"": None, "si": True, "no": False}
FLAG_FIELDS = ("ongoing_exploitation", "person_held", "danger_now", "travel_imminent", "abroad",
               "sexual_violence", "institutional_omission", "needs_health_care")
VICTIM_FLAGS = ("travelling_now", "unaccompanied", "without_documents")
VICTIM_SLOTS = 2
_COUNTRY = re.compile(r"^[A-Za-z]{2}$")

FIELD_NAMES = {
    "victims": "Persona", "channel": "Canal", "language": "Idioma", "purposes": "Finalidad",
    "control_means": "Medios de control", "origin": "Origen", "destination": "Destino",
    "contact_channel": "Canal de contacto", "victim_count": "Total de personas", "offer_type": "Tipo de oferta",
    "narrative": "Relato", "age_years": "edad", "age_band": "rango de edad", "is_minor": "menor de edad",
    "nationality": "nacionalidad",
}


@dataclass
class Parsed:
    report: Report | None
    received_at: datetime | None
    narrative: str
    contact_details: str
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _get(form: Mapping[str, str], key: str) -> str:
    value = form.get(key)
    return value.strip() if isinstance(value, str) else ""


def location(department: str, text: str, country: str, where: str, notes: list[str],
             problems: list[str]) -> Location | None:
    """A department (ubigeo), refined by a province or district name found inside it; or a country."""
    country = country.strip().upper()
    if country and country != "PE":
        if not _COUNTRY.match(country):
            problems.append(f"{where}: el país debe ser un código de dos letras (p. ej. AR, BO, CL).")
            return None
        return Location(country=country)
    if not department:
        if text:
            problems.append(f"{where}: elige el departamento para ubicar «{text}».")
        return None
    if places.lookup(department) is None or len(department) != 2:
        problems.append(f"{where}: departamento desconocido.")
        return None
    if not text:
        return Location(ubigeo=department)
    match = places.match_place(text, limit=20)
    inside = [c.place for c in match.candidates if c.place.ubigeo.startswith(department)]
    if not inside:
        notes.append(f"{where}: «{text}» no se encontró en el departamento elegido; se guardó solo el departamento.")
        return Location(ubigeo=department)
    best = inside[0]
    if len([p for p in inside if p.level == best.level]) > 1 and match.ambiguous:
        common = match.common if match.common and match.common.ubigeo.startswith(department) else None
        chosen = common or places.lookup(department)
        notes.append(f"{where}: «{text}» es ambiguo; se guardó {chosen.label}.")
        return Location(ubigeo=chosen.ubigeo)
    return Location(ubigeo=best.ubigeo)


def _victim(form: Mapping[str, str], n: int, notes: list[str], problems: list[str]) -> Victim | None:
    p = f"v{n}_"
    keys = ("sex", "age", "band", "nationality", "origin_dept", "origin_place", *VICTIM_FLAGS)
    if not any(_get(form, p + k) for k in keys):
        return None
    age_text = _get(form, p + "age")
    age = None
    if age_text:
        if not age_text.isdigit() or not 0 <= int(age_text) <= 120:
            problems.append(f"Persona {n}: la edad debe ser un número entero de 0 a 120.")
        else:
            age = int(age_text)
    nationality = _get(form, p + "nationality").upper() or None
    if nationality and not _COUNTRY.match(nationality):
        problems.append(f"Persona {n}: la nacionalidad es un código de dos letras (PE, VE, BO...).")
        nationality = None
    origin = location(_get(form, p + "origin_dept"), _get(form, p + "origin_place"), "", f"Persona {n}, procedencia",
                      notes, problems)
    return Victim(
        sex=_get(form, p + "sex") or "sin_dato",
        age_band=_get(form, p + "band") or "sin_dato",
        age_years=age,
        nationality=nationality,
        origin=origin,
        **{k: TRISTATE.get(_get(form, p + k)) for k in VICTIM_FLAGS},
    )


def _spanish(problem: str) -> str:
    head, _, rest = problem.partition(":")
    m = re.match(r"^([a-z_]+)(?:\[(\d+)\])?(?:\.([a-z_]+))?", head)
    if not m:
        return problem
    name = FIELD_NAMES.get(m.group(1), m.group(1))
    if m.group(2) is not None:
        name += f" {int(m.group(2)) + 1}"
    if m.group(3):
        name += f", {FIELD_NAMES.get(m.group(3), m.group(3))}"
    return f"{name}:{rest}"


def parse(form: Mapping[str, str], multi: Mapping[str, Sequence[str]]) -> Parsed:
    """Form fields (``multi`` holds the checkbox lists) -> Report, or the problems in Spanish."""
    problems: list[str] = []
    notes: list[str] = []
    channel = _get(form, "channel")
    if channel not in CHANNELS:
        problems.append("Canal: elige «Teléfono» o «En persona».")
    received_at = None
    when = _get(form, "received_at")
    if when:
        try:
            received_at = datetime.fromisoformat(when).replace(tzinfo=PERU)
        except ValueError:
            problems.append("Fecha y hora del contacto: formato no válido.")
        else:
            if received_at > datetime.now(PERU):
                problems.append("Fecha y hora del contacto: no puede estar en el futuro.")
    victims = [v for v in (_victim(form, n, notes, problems) for n in range(1, VICTIM_SLOTS + 1)) if v]
    count_text = _get(form, "victim_count")
    victim_count = int(count_text) if count_text.isdigit() else None
    if count_text and victim_count is None:
        problems.append("Total de personas: debe ser un número.")
    origin = location(_get(form, "origin_dept"), _get(form, "origin_place"), "", "Origen", notes, problems)
    destination = location(_get(form, "destination_dept"), _get(form, "destination_place"),
                           _get(form, "destination_country"), "Destino", notes, problems)
    contact_back = _get(form, "contact_back") == "1"
    narrative = _get(form, "narrative")
    contact_details = _get(form, "contact_details") if contact_back else ""
    category = _get(form, "category_hint") or None
    values = dict(
        channel=channel if channel in CHANNELS else "telefono",
        language=_get(form, "language") or "es",
        category_hint=category,
        offer_type=(_get(form, "offer_type") or None) if category == "orientacion_oferta" else None,
        victims=victims,
        victim_count=victim_count,
        purposes=list(multi.get("purposes") or []),
        recruitment=_get(form, "recruitment") or None,
        recruiter_relationship=_get(form, "recruiter_relationship") or None,
        control_means=list(multi.get("control_means") or []),
        origin=origin,
        destination=destination,
        reporter_role=_get(form, "reporter_role") or "sin_dato",
        anonymous=_get(form, "anonymous") == "1",
        contact_back=contact_back,
        contact_channel=(_get(form, "contact_channel") or None) if contact_back else None,
        narrative=narrative,
        **{k: TRISTATE.get(_get(form, k)) for k in FLAG_FIELDS},
    )
    report = None
    try:
        report = Report(**values)
    except ReportError as exc:
        problems.extend(_spanish(p) for p in exc.problems)
    except (TypeError, ValueError) as exc:
        problems.append(str(exc))
    return Parsed(report if not problems else None, received_at, narrative, contact_details, problems, notes)
