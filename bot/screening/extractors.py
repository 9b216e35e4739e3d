"""Signals that need a little arithmetic, not just a pattern: ages, pay, working hours.

Each extractor takes the plain text (see normalize.py) and the indicator's `params`
from indicators.yml, and returns the (start, end) spans, in the plain text, that
should count as evidence. They never see the original text and keep no state.
"""
from __future__ import annotations

import re
from typing import Any, Callable, Mapping

Span = tuple[int, int]

# ----------------------------------------------------------------------------- ages

_ES_NUMBERS = {
    "diez": 10, "once": 11, "doce": 12, "trece": 13, "catorce": 14, "quince": 15,
    "dieciseis": 16, "diez y seis": 16, "diecisiete": 17, "diez y siete": 17,
}
_QU_UNITS = {
    "huk": 1, "hoq": 1, "uk": 1, "iskay": 2, "kimsa": 3, "kinsa": 3, "tawa": 4,
    "pichqa": 5, "phisqa": 5, "pisqa": 5, "pichqa": 5, "suqta": 6, "soqta": 6,
    "qanchis": 7, "qanchik": 7, "pusaq": 8, "isqun": 9, "jisqun": 9, "hisqun": 9, "esqon": 9,
}
_ES_NUM = "|".join(sorted(_ES_NUMBERS, key=len, reverse=True))
_QU_UNIT = "|".join(sorted(_QU_UNITS, key=len, reverse=True))

_AGE = re.compile(rf"\b(?P<n>\d{{1,2}}|{_ES_NUM})\s?(?:anos|anitos|ano|anios|a\.)\w*")
_AGE_RANGE = re.compile(
    r"\b(?:de|entre|desde)?\s?(?P<a>\d{1,2})\s?(?:anos\s)?(?:a|y|-|hasta|al)\s?(?P<b>\d{1,2})\s?(?:anos|ano|wata(?:yuq|yoq|niyuq|niyoq)?)\b"
)
_AGE_FIELD = re.compile(
    r"\bedad\w*\W{0,3}(?:de |entre |desde |minima |min\.? |aprox\.? )?(?P<a>\d{1,2})(?:\s?(?:a|y|-|hasta|al)\s?(?P<b>\d{1,2}))?\b"
)
_BARE_AGE = re.compile(
    r"\b(?:tengo|tiene|tienes|tenia|cumpli|cumple|cumplo) (?:solo |apenas |recien |ya )?(?P<n>\d{1,2})(?=\s?(?:$|[.,;!?)]|y\b|e\b|pero\b|nomas\b|no mas\b))"
)
_RELATIVE_AGE = re.compile(
    r"\b(?:hermana|hermano|hermanita|hermanito|hija|hijo|prima|primo|sobrina|sobrino|nieta|nieto|chica|chico|amiga|amigo|enamorada|nana|vecina|vecino)(?: menor)? de (?P<n>\d{1,2})(?=\s?(?:$|[.,;!?)]|y\b|se\b|la\b|lo\b|le\b|que\b|quiere|va\b|vaya|viaje|trabaje|fue\b|ya\b|esta\b|tiene\b|a\b|con\b|para\b|en\b|le\b))"
)
_QU_AGE = re.compile(
    r"\b(?P<n>\d{1,2})\s?(?:wata|anos|ano)(?:lla)?(?:yuq|yoq|niyuq|niyoq|yuqmi|yoqmi|niyuqmi|niyoqmi)\w*"
    r"|\b(?P<m>\d{1,2})\s?wata\w* (?:kani|kanki|kan|kachkani|kachkan|kanku)\b"
)
# "chicos de 14 a 17 para vender": a range right after a word for people, without "años".
_PEOPLE_RANGE = re.compile(
    r"\b(?:chic[oa]s|chibol[oa]s|jovenes|jovencit[oa]s|senoritas|srtas|muchach[oa]s|adolescentes|menores|nin[oa]s|"
    r"personas|personal|mujeres|varones|hombres|damas|modelos)(?: \w+)? (?:de|entre) "
    r"(?P<a>\d{1,2})\s?(?:a|y|-|hasta|al)\s?(?P<b>\d{1,2})\b(?!\s?(?:soles|sol|horas|hrs|h\b|am|pm|%|dias|meses|\.\d|:\d|mil))"
)
_QU_WORD_AGE = re.compile(rf"\bchunka(?:\s(?P<u>{_QU_UNIT}))?(?:niyuq|niyoq|yuq|yoq)?\s?wata\w*")

_NOT_AGE_AFTER = re.compile(
    r"^\W{0,3}(?:de |en (?:el|la) )?(?:experiencia|servicio|trabajo|contrato|garantia|antiguedad|estudios|carrera|rubro|puesto|trabajando|laborando|vigencia|funcionamiento)"
)
_NOT_AGE_BEFORE = re.compile(
    r"\b(?:experiencia|hace|durante|contrato|con mas de|minimo|minima|por|cada|tiempo|garantia|antiguedad|despues de|luego de|dentro de|plazo|fiesta|cumpleanos|aniversario)\b"
)
_CLAUSE = re.compile(r"[.,;:!?\n]")
# A teacher or carer describing pupils or patients ("para alumnos de 13 a 16 años").
_TEACHER_BEFORE = re.compile(
    r"\b(?:para|a|con|de|ensenar|ensenarle|atender|cuidar) (?:a )?(?:mis |los |las |sus |unos |unas )?(?:alumn|estudiant|escolar|pacient)\w*\W{0,3}(?:de |entre )?$"
)
# A parent or carer describing small children ("para mis hijos de 6 y 8 años").
_CAREGIVER_BEFORE = re.compile(
    r"\b(?:tengo|tenemos|mantener|mantengo|para|con|cuidar|cuide|cuido|atender|ensenar|ensenarle) (?:a )?(?:mis |mi |los |las |sus |su |un |una |unos |unas |dos |tres |\d )?(?:hij|bebe|nin|alumn|wawa|guagua|niet|sobrin|chiquit|pequen)\w*\W{0,3}(?:de |entre )?$"
    # "cuidado de casa y 2 niños (6 y 9 años)": a few words between the care word and the children.
    r"|\b(?:cuidar|cuidado|cuide|cuido|atender|atencion)(?: \w+){1,4} (?:\d |dos |tres |sus |los |las )?(?:hij|bebe|nin|wawa|guagua|niet|chiquit|pequen)\w*\W{0,3}(?:de |entre )?$"
)


# A coach, dance or course teacher describing the group ("divisiones menores de 12 a 16 años",
# "clases para adolescentes de 13 a 17 años").
_CLASS_BEFORE = re.compile(r"\b(?:clases|talleres?|cursos?|divisiones|categorias|academia|entrenamientos?|catequesis)\b")


def _num(token: str) -> int:
    return int(token) if token.isdigit() else _ES_NUMBERS.get(token, -1)


def minor_age(text: str, params: Mapping[str, Any]) -> list[Span]:
    """Ages under 18 stated or asked for: "tengo 16 años", "de 15 a 22 años", "15 watayuq"."""
    top = int(params.get("max_minor_age", 17))
    low = int(params.get("min_age", 5))
    spans: list[Span] = []
    taken: list[Span] = []

    def add(span: Span, age: int) -> None:
        taken.append(span)
        if low <= age <= top:
            spans.append(span)

    for rx in (_AGE_FIELD, _AGE_RANGE):
        for m in rx.finditer(text):
            a = int(m.group("a"))
            b = m.group("b")
            if b is not None and int(b) < a:
                continue
            if rx is _AGE_FIELD and b is None and a < 10:
                continue
            before = _CLAUSE.split(text[max(0, m.start() - 40): m.start()])[-1]
            if (a <= 12 and _CAREGIVER_BEFORE.search(before)) or _TEACHER_BEFORE.search(before) \
                    or _CLASS_BEFORE.search(before):
                taken.append(m.span())
                continue
            add(m.span(), a)
    for m in _PEOPLE_RANGE.finditer(text):
        a, b = int(m.group("a")), int(m.group("b"))
        if b >= a and not any(s <= m.start("a") < e for s, e in taken):
            add(m.span(), a)
    for m in _AGE.finditer(text):
        if any(s <= m.start() < e for s, e in taken):
            continue
        before = _CLAUSE.split(text[max(0, m.start() - 40): m.start()])[-1]
        after = _CLAUSE.split(text[m.end(): m.end() + 30])[0]
        if _NOT_AGE_AFTER.search(after) or _NOT_AGE_BEFORE.search(before):
            continue
        # "empresa con 15 años en Loreto": how long something has existed, not a person's age.
        if before.endswith(" con ") and after.startswith(" en "):
            continue
        age = _num(m.group("n"))
        # "tengo un hijo de 3 años" is a parent talking about a small child, not a
        # minor being recruited; a 15-year-old daughter may well be the one at risk.
        if (age <= 12 and _CAREGIVER_BEFORE.search(before)) or _TEACHER_BEFORE.search(before):
            continue
        add(m.span(), age)
    for m in _RELATIVE_AGE.finditer(text):
        if not any(s <= m.start("n") < e for s, e in taken):
            add(m.span(), int(m.group("n")))
    for m in _BARE_AGE.finditer(text):
        if not any(s <= m.start("n") < e for s, e in taken):
            add(m.span(), int(m.group("n")))
    for m in _QU_AGE.finditer(text):
        add(m.span(), int(m.group("n") or m.group("m")))
    for m in _QU_WORD_AGE.finditer(text):
        add(m.span(), 10 + _QU_UNITS.get(m.group("u") or "", 0))
    return sorted(set(spans))


# ----------------------------------------------------------------------------- pay

_NUM = r"(?P<num>\d{1,3}(?:[.,' ]\d{3})+|\d{1,6})(?:[.,]\d{1,2})?"
_MULT = r"(?:\s?(?P<mult>mil|k|palos?)\b)?"
_CUR_PRE = r"(?P<pre>s/\.?|s\.|us\$|\$|usd|pen)\s?"
_CUR_POST = r"\s?(?P<post>soles|sol|s/|lucas?|palos?|dolares|usd|verdes|euros?|solesta|solesniyuq)\w*"
_MONEY = [
    re.compile(_CUR_PRE + _NUM + _MULT),
    re.compile(r"\b" + _NUM + _MULT + _CUR_POST),
    re.compile(r"(?:gana\w*|sueldo\w*|pago|paga\w*|ingresos?|remuneracion|salario|ganancias?)\W{1,12}(?:de |hasta |desde |entre |aprox\.? |mas de )?" + r"(?P<num>\d{1,2}(?:[.,]\d)?)\s?(?P<mult>mil|k)\b"),
    re.compile(r"(?:sueldo\w*|pago|remuneracion|salario|ganancias?|ganaras|ganas|ingresos?)(?:\s(?:diari[oa]s?|semanal(?:es)?|mensual(?:es)?|quincenal(?:es)?|fijo))?\W{1,12}(?:de |hasta |desde |entre |aprox\.? |mas de )?" + r"(?P<num>\d{3,5})\b(?!\s?(?:am|pm|horas|hrs|anos))"),
    re.compile(r"\b(?P<num>\d{3,5})\s(?:x|por|al|a la|cada)\s(?:mes|semana|dia|quincena)\b"),
    re.compile(r"\b(?P<num>\d{3,5})\s(?:mensual|mensuales|semanal|semanales|diario|diarios|quincenal|quincenales)\b"),
    # "2 mil quincenal": thousands and a period, no currency
    re.compile(r"\b(?P<num>\d{1,2}(?:[.,]\d)?)\s?(?P<mult>mil|k)\s(?:mensual(?:es)?|semanal(?:es)?|diari[oa]s?|quincenal(?:es)?|x mes|al mes|por mes|x semana|por semana)\b"),
    # "2500 + propinas": a bare figure followed by what comes on top of the pay
    re.compile(r"\b(?P<num>\d{3,5})\s?\+\s?(?:propinas|comisiones|bonos|fichas|alojamiento|comida|movilidad)\b"),
]
_PERIODS = [
    ("day", re.compile(r"\b(?:diari[oa]s?|al dia|x dia|por dia|el dia|cada dia|por noche|x noche|la noche|cada noche|jornal|p/d|punchawpi|punchaypi|sapa punchaw|sapa punchay|punchawnin|punchaynin)\b")),
    ("week", re.compile(r"\b(?:semanal(?:es)?|x semana|por semana|a la semana|cada semana|semana)\b")),
    ("fortnight", re.compile(r"\b(?:quincenal(?:es)?|x quincena|por quincena|quincena)\b")),
    ("month", re.compile(r"\b(?:mensual(?:es)?|x mes|por mes|al mes|cada mes|mes|killa\w*)\b")),
]


# Before a figure only the unambiguous forms count: "semana" in "salida fines de
# semana, 1400 soles" says nothing about the pay period.
_PERIODS_BEFORE = [
    ("day", re.compile(r"\b(?:diari[oa]|por dia|al dia|x dia|jornal|punchawpi|punchaypi|sapa punchaw|sapa punchay)\W*(?:de )?(?:\d{2,4} (?:a|y|-|hasta) )?$")),
    ("week", re.compile(r"\b(?:semanal|por semana|x semana)\W*(?:de )?$")),
    ("fortnight", re.compile(r"\b(?:quincenal|por quincena)\W*(?:de )?$")),
    ("month", re.compile(r"\b(?:mensual|por mes|x mes|al mes|killapi|sapa killa)\W*(?:de )?$")),
]


def _amount(m: re.Match) -> float:
    raw = m.group("num")
    if re.fullmatch(r"\d{1,3}(?:[.,' ]\d{3})+", raw):
        value = float(re.sub(r"[.,' ]", "", raw))
    else:
        value = float(raw.replace(",", "."))
    mult = (m.groupdict().get("mult") or "").strip()
    post = (m.groupdict().get("post") or "")
    if mult in ("mil", "k") or mult.startswith("palo") or post.startswith("palo"):
        value *= 1000
    elif post.startswith("luca") and value < 100:   # "5 lucas": Peruvian slang for thousands of soles
        value *= 1000
    return value


def _is_usd(m: re.Match) -> bool:
    pre = m.groupdict().get("pre") or ""
    post = m.groupdict().get("post") or ""
    return "$" in pre or pre == "usd" or post.startswith(("dolar", "usd", "verde"))


def _is_eur(m: re.Match) -> bool:
    return (m.groupdict().get("post") or "").startswith("euro")


_LATER_NUMBER = re.compile(r"\d")
_CLAUSE_MARK = re.compile(r"[,;.]")


def _period(text: str, start: int, end: int) -> str | None:
    after = text[start: end + 25]   # the match itself may hold the unit: "150 diarios"
    # A later figure in another clause has its own unit: in "1130 soles, 8 horas p'unchawpi"
    # the "per day" belongs to the hours ("150 soles x 8 horas diarias" is still a day rate).
    later = _LATER_NUMBER.search(after, end - start)
    if later and _CLAUSE_MARK.search(after, end - start, later.start()):
        after = after[: later.start()]
    before = text[max(0, start - 25): start]
    best: tuple[int, str] | None = None
    for name, rx in _PERIODS:
        m = rx.search(after)
        if m and (best is None or m.start() < best[0]):
            best = (m.start(), name)
    if best:
        return best[1]
    near_before = before[-22:]
    for name, rx in _PERIODS_BEFORE:
        if rx.search(near_before):
            return name
    return None


# The nearest money word before an amount says what it is: a cost the worker pays
# ("paga examen médico, curso y visa (aprox. S/2,500)") or pay ("sueldo S/ 2,500").
_COST_OR_PAY = re.compile(
    r"\b(?P<cost>costo|costos|cuesta|cuestan|costara|inversion|precio|tarifa|cobr\w+|paga examen|"
    r"el postulante paga|usted paga|pagas tu|pagar tu|derecho de|inscripcion|tramite|visa|pasaje)\b"
    r"|\b(?P<pay>sueldo\w*|salario\w*|remuneracion\w*|gana\w*|ingreso\w*|pago mensual|te pagan|pagamos|paga(?:n)? (?:desde|hasta|de))\b"
)


def _is_cost(text: str, start: int) -> bool:
    last = None
    for m in _COST_OR_PAY.finditer(text, max(0, start - 60), start):
        last = m
    return last is not None and last.group("cost") is not None


def high_pay(text: str, params: Mapping[str, Any]) -> list[Span]:
    """Pay stated at or above `monthly_threshold_pen` soles a month, whatever the unit."""
    threshold = float(params.get("monthly_threshold_pen", 2500))
    usd = float(params.get("usd_to_pen", 3.7))
    eur = float(params.get("eur_to_pen", 4.0))
    days = float(params.get("days_per_month", 26))
    weeks = float(params.get("weeks_per_month", 4.3))
    spans: list[Span] = []
    seen: list[Span] = []
    for rx in _MONEY:
        for m in rx.finditer(text):
            span = m.span("num")
            if any(s <= span[0] < e for s, e in seen):
                continue
            seen.append(span)
            if _is_cost(text, span[0]):
                continue
            value = _amount(m) * (usd if _is_usd(m) else eur if _is_eur(m) else 1.0)
            period = _period(text, m.start(), m.end())
            if period is None:
                # "S/ 200" alone is too ambiguous (a day? a fee?); a large sum is monthly.
                if value < 700:
                    continue
                period = "month"
            monthly = value * {"day": days, "week": weeks, "fortnight": 2, "month": 1}[period]
            if monthly >= threshold:
                spans.append(m.span())
    return sorted(set(spans))


# ----------------------------------------------------------------------------- hours

_HOURS = re.compile(r"\b(?P<n>\d{1,2})\s?(?:horas|hrs|hr|h)\b(?P<tail>\s(?:diarias|al dia|x dia|por dia|seguidas|de trabajo|diario|de jornada|trabajando|continuas))?")
_WORK_BEFORE = re.compile(r"(?:trabaj\w*|jornada\w*|turno\w*|horario\w*|labor\w*)\W{1,4}(?:\w+\W{1,3}){0,2}$")
# the rest word right before the figure, in the same clause ("día libre, 16 horas diarias" is work)
_REST_BEFORE = re.compile(r"\b(?:descans\w*|samay\w*|libres?|franco)\b[^,;.\d]{0,20}$")
_MARK = r"(?:am|a\.m\.?|pm|p\.m\.?|de la manana|de la tarde|de la noche|de la madrugada|hrs|h)"
_RANGE = re.compile(
    rf"\bde (?:las )?(?P<s>\d{{1,2}})(?::(?P<sm>\d{{2}}))?\s?(?P<smark>{_MARK})?\s(?:a|hasta)\s(?:las )?(?P<e>\d{{1,2}})(?::(?P<em>\d{{2}}))?\s?(?P<emark>{_MARK})?(?!\w)"
)


def _clock(hour: int, mark: str | None) -> int:
    mark = (mark or "").replace(".", "")
    if mark in ("pm", "de la tarde", "de la noche") and hour < 12:
        return hour + 12
    if mark in ("am", "de la madrugada", "de la manana") and hour == 12:
        return 0
    return hour


def long_hours(text: str, params: Mapping[str, Any]) -> list[Span]:
    """Working days of `min_hours` or more: "16 horas diarias", "de 6am a 11pm"."""
    minimum = float(params.get("min_hours", 14))
    spans: list[Span] = []
    for m in _HOURS.finditer(text):
        n = int(m.group("n"))
        if not minimum <= n <= 24:
            continue
        before = text[max(0, m.start() - 30): m.start()]
        if _REST_BEFORE.search(before):   # "descanso semanal de 24 horas continuas" is rest
            continue
        if m.group("tail") or _WORK_BEFORE.search(before):
            spans.append(m.span())
    for m in _RANGE.finditer(text):
        marked = m.group("smark") or m.group("emark") or m.group("sm") or m.group("em")
        context = _WORK_BEFORE.search(text[max(0, m.start() - 30): m.start()])
        if not (marked or context):
            continue
        s, e = int(m.group("s")), int(m.group("e"))
        if s > 24 or e > 24:
            continue
        start = _clock(s, m.group("smark"))
        end = _clock(e, m.group("emark"))
        if end <= start:
            end += 12 if not m.group("emark") and end + 12 > start else 24
        minutes = (int(m.group("em") or 0) - int(m.group("sm") or 0)) / 60
        if end - start + minutes >= minimum:
            spans.append(m.span())
    return sorted(set(spans))


EXTRACTORS: dict[str, Callable[[str, Mapping[str, Any]], list[Span]]] = {
    "minor_age": minor_age,
    "high_pay": high_pay,
    "long_hours": long_hours,
}
