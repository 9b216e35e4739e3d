"""Triage of a report: category, priority (P1/P2/P3) and suggested derivations.

Pure rules over a ``Report``. Each rule has a name (kept in ``Triage.rules`` for the
audit trail and the tests) and a reason in Spanish for operators, with its grounding
(TB = tercer-balance digest, PN = plan-nacional digest, Lnnn = source lines). The
operator decides; these are suggestions that make the urgent cases impossible to miss.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from bot.cases.definitions import load
from bot.cases.report import Report

PRIORITIES = ("P1", "P2", "P3")
LABOUR_RECRUITMENT = frozenset({"oferta_trabajo", "agencia_empleo"})
SUBTYPE_FROM_RECRUITMENT = {
    "oferta_trabajo": "laboral", "agencia_empleo": "laboral",
    "oferta_estudio": "educativa", "oferta_matrimonio": "matrimonio",
}


@dataclass
class Triage:
    category: str
    subtype: str | None
    priority: str
    derivations: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    rules: list[str] = field(default_factory=list)


def _minor_travelling_unprotected(r: Report) -> bool:
    return any(v.is_minor and v.travelling_now and (v.unaccompanied or v.without_documents) for v in r.victims)


def _foreign_victim_in_peru(r: Report) -> bool:
    return not r.is_abroad and any(v.nationality not in (None, "PE") for v in r.victims)


def _labour(r: Report) -> bool:
    return "labour" in r.purpose_groups() or r.recruitment in LABOUR_RECRUITMENT


def _sexual(r: Report) -> bool:
    return "sexual" in r.purpose_groups() or bool(r.sexual_violence)


@dataclass(frozen=True)
class Rule:
    name: str
    applies: Callable[[Report], bool]
    reason: str
    priority: str | None = None
    targets: tuple[str, ...] = ()


PRIORITY_RULES = (
    Rule("p1_exploitation_now", lambda r: bool(r.ongoing_exploitation), priority="P1",
         reason="P1: la explotación está ocurriendo ahora [TB §7.5; L769, L1445]."),
    Rule("p1_person_held", lambda r: bool(r.person_held), priority="P1",
         reason="P1: la persona está retenida o no la dejan salir [TB §7.5; L769, L1445]."),
    Rule("p1_danger_to_life", lambda r: bool(r.danger_now), priority="P1",
         reason="P1: hay riesgo para la vida o la integridad de alguien [TB §7.5; Art. 29.1, L695; PNAVT L1117]."),
    Rule("p1_minor_victim", lambda r: r.has_minor, priority="P1",
         reason=("P1: hay una víctima menor de 18 años. Con menores no hace falta probar violencia ni engaño: "
                 "no pedirle pruebas de 'medios' [PN §1.5, L97, L105; TB §7.5, L122].")),
    Rule("p1_minor_travelling_unprotected", _minor_travelling_unprotected, priority="P1",
         reason="P1: una persona menor de edad está viajando ahora sola o sin documentos [TB §7.5, L1442]."),
    Rule("p2_travel_imminent", lambda r: bool(r.travel_imminent), priority="P2",
         reason="P2 (hoy mismo): el viaje por una oferta sospechosa es inminente [TB §7.5; L1022, L1445]."),
    Rule("p2_victim_abroad", lambda r: r.is_abroad, priority="P2",
         reason="P2 (hoy mismo): la víctima está fuera del Perú [TB §7.5; Art. 27, L876]."),
)

DERIVATION_RULES = (
    Rule("d_denuncia_pnp_mp", lambda r: True, targets=("pnp", "ministerio_publico"),
         reason="Derivar a la PNP y al Ministerio Público: toda denuncia recibida por teléfono o medio electrónico va a ellos [Art. 21, TB §1.4, L696]."),
    Rule("d_minor_family_prosecutor_mimp", lambda r: r.has_minor,
         targets=("mp_fiscalia_familia", "mimp_proteccion_especial"),
         reason="Víctima menor de edad: Fiscalía de Familia (entrevista única) y MIMP, Unidad de Protección Especial [TB §7.4; L1122, L549, L582]."),
    Rule("d_sexual_cem", _sexual, targets=("mimp_cem",),
         reason="Explotación sexual o violencia sexual: Centro Emergencia Mujer del MIMP [TB §7.4, Art. 30.3, L516; PN L1271]."),
    Rule("d_labour_inspection", _labour, targets=("mtpe_sunafil", "pnp", "ministerio_publico"),
         reason=("Explotación laboral, oferta de trabajo falsa o agencia de empleo: inspección de trabajo (MTPE/SUNAFIL) "
                 "además de la PNP y el Ministerio Público [TB §7.4, Art. 15b L1040, Art. 32.2 L1041; PN L1784-L1786].")),
    Rule("d_labour_never_cem_alone", lambda r: _labour(r) and _sexual(r), targets=("pnp", "ministerio_publico", "mtpe_sunafil"),
         reason=("Caso con explotación laboral: la guía del CEM excluye a víctimas de trata laboral, así que el CEM "
                 "nunca es la única derivación [PN §4.1, L1271].")),
    Rule("d_danger_protection", lambda r: bool(r.danger_now), targets=("mp_udavit",),
         reason="Riesgo para la vida o la integridad: pedir medidas de protección a la Unidad de Víctimas y Testigos del Ministerio Público [TB §7.4, Art. 34.1 L1097, Art. 29.1 L695]."),
    Rule("d_abroad_consulate", lambda r: r.is_abroad, targets=("rree_consulado",),
         reason="Víctima fuera del Perú: Cancillería, consulado del Perú [TB §7.4, Art. 22 y 27, L876-L877; PN L1755-L1757]."),
    Rule("d_foreign_victim_migraciones", _foreign_victim_in_peru, targets=("migraciones",),
         reason="Víctima extranjera en el Perú: Migraciones para su situación migratoria [TB §7.4, L1434; PN L1746]."),
    Rule("d_institutional_omission", lambda r: bool(r.institutional_omission), targets=("defensoria",),
         reason="Una autoridad no actuó o el caso está detenido: Defensoría del Pueblo [TB §7.4; L1442, L1448, L1459]."),
    Rule("d_health_care", lambda r: bool(r.needs_health_care), targets=("minsa",),
         reason="Necesita atención de salud o salud mental: establecimiento del MINSA [TB §7.4, Art. 31, L633; PN L1758]."),
)


def _category(r: Report, reasons: list[str], rules: list[str]) -> str:
    hint = r.category_hint
    labels = load(r.definition_version)["categories"]
    if (r.ongoing_exploitation or r.person_held) and hint != "denuncia":
        rules.append("category_exploitation_now_is_denuncia")
        was = f" (la conversación era '{labels.label(hint)}')" if hint else ""
        reasons.append(f"Categoría: Denuncia, porque hay explotación en curso o una persona retenida{was} [TB §1.2, L772].")
        return "denuncia"
    if hint is not None:
        rules.append("category_from_conversation")
        reasons.append(f"Categoría: {labels.label(hint)}, según el tema de la conversación [TB §1.2, L772].")
        return hint
    if r.victims or [p for p in r.purposes if p != "desconocida"]:
        rules.append("category_facts_make_denuncia")
        reasons.append("Categoría: Denuncia, porque el reporte describe víctimas o una finalidad de explotación [TB §1.2, L772].")
        return "denuncia"
    rules.append("category_default_consulta")
    reasons.append("Categoría: Consulta, porque el reporte no describe un caso [TB §1.2, L772].")
    return "consulta"


def _subtype(r: Report, category: str, reasons: list[str], rules: list[str]) -> str | None:
    if category != "orientacion_oferta":
        return None
    if r.offer_type:
        return r.offer_type
    inferred = SUBTYPE_FROM_RECRUITMENT.get(r.recruitment or "")
    if inferred:
        rules.append("subtype_from_recruitment")
        reasons.append(f"Tipo de oferta: {inferred}, por la forma de captación.")
    return inferred


def triage(report: Report) -> Triage:
    """Category, priority, derivations and the reasons for each, for one report."""
    reasons: list[str] = []
    rules: list[str] = []
    category = _category(report, reasons, rules)
    subtype = _subtype(report, category, reasons, rules)

    priority = "P3"
    for rule in PRIORITY_RULES:
        if rule.applies(report):
            rules.append(rule.name)
            reasons.append(rule.reason)
            if PRIORITIES.index(rule.priority) < PRIORITIES.index(priority):
                priority = rule.priority
    if priority == "P3":
        rules.append("p3_standard")
        reasons.append("P3: orientación, consulta o seguimiento sin señales de urgencia [TB §7.5].")

    targets: list[str] = []
    if category == "denuncia":
        for rule in DERIVATION_RULES:
            if rule.applies(report):
                rules.append(rule.name)
                reasons.append(rule.reason)
                targets.extend(rule.targets)
    else:
        rules.append("no_derivation_outside_denuncia")
        reasons.append("Sin derivación sugerida: solo las denuncias se derivan; si la conversación revela un caso, "
                       "reclasificar como denuncia [TB §7.3].")
    order = load(report.definition_version)["derivation_targets"].codes
    derivations = sorted(set(targets), key=order.index)
    return Triage(category=category, subtype=subtype, priority=priority,
                  derivations=derivations, reasons=reasons, rules=rules)
