"""The complaint intake form's answers: parsing what people type or tap, and the Report.

The Rasa form (actions/report_form.py) asks one question at a time; this module turns
each answer into a value, recognises the form commands (skip, stop, correct) and builds
the structured `Report` at the end. Button payloads are plain tokens ("opt:victima"),
so a tap and a typed word go through the same parser, on every channel.

Never asked, on purpose: proof of violence, threats or deception. For a child it is
trata without any "means" (Plan Nacional L97, L105), and for adults the operator, not
a form, is the right place for that conversation.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from bot.cases import places
from bot.cases.report import Location, Report, Victim

SKIP = "skip"
OPTION_PREFIX = "opt:"

# The form's questions, in order. `report_now` comes early: danger is handled at once.
QUESTIONS = (
    "report_what",
    "report_now",
    "report_where",
    "report_who",
    "report_age",
    "report_purposes",
    "report_recruitment",
    "report_contact",
)
CONFIRM = "report_confirm"
FIX = "report_fix"


def plain(text: str) -> str:
    """Lowercase, no accents (ñ kept), apostrophes dropped, single spaces."""
    text = unicodedata.normalize("NFC", text or "").lower().replace("ñ", "\0")
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).replace("\0", "ñ")
    text = re.sub(r"['’‘`´ʼ]", "", text)
    return re.sub(r"\s+", " ", text).strip()


def _has(text: str, *patterns: str) -> bool:
    return any(re.search(p, text) for p in patterns)


# --- form commands -----------------------------------------------------------------

_SKIP = (
    r"^(saltar|salta|paso|pasar|siguiente|skip|omitir|-+|\.+)$",
    r"^(prefiero no (decir|decirlo|responder|contestar))",
    r"^no (quiero|puedo) (decir|decirlo|responder|contestar)",
    r"^(mana|manam) (willayta|kutichiyta|niyta) (munanichu|atinichu)",
    r"^(no se|nose|no lo se|ni idea|no estoy segur[oa])[.!]*$",
    r"^(mana|manam) yachanichu[.!]*$",
)
_STOP = (
    r"^(cancelar|cancela|cancelo|salir|parar|para|detener|basta|stop|terminar|anular)\b",
    r"^ya no (quiero|deseo)( seguir| continuar)?",
    r"^(no quiero seguir|mejor no sigo|dejalo|dejemoslo)",
    r"^(sayay|amaña|amana|manaña munanichu)",
)
_FIX = (r"^(corregir|corrijo|cambiar|cambio|editar|me equivoque|correccion|allichay|allichasaq)\b",)


def is_skip(text: str) -> bool:
    value = plain(text)
    return value == OPTION_PREFIX + SKIP or _has(value, *_SKIP)


def is_stop(text: str) -> bool:
    return _has(plain(text), *_STOP)


def is_fix(text: str) -> bool:
    return _has(plain(text), *_FIX) or plain(text) == OPTION_PREFIX + "fix"


def _option(text: str) -> str | None:
    value = plain(text)
    return value[len(OPTION_PREFIX):] if value.startswith(OPTION_PREFIX) else None


def _number(text: str) -> int | None:
    m = re.fullmatch(r"\s*(\d{1,2})\s*[.)]?\s*", text or "")
    return int(m.group(1)) if m else None


# --- answers ------------------------------------------------------------------------

NOW_OPTIONS = ("danger", "ongoing", "past", "unknown")
WHO_OPTIONS = ("victima", "familiar_o_cuidador", "testigo")
AGE_OPTIONS = ("menor_13", "13_17", "adulto", "sin_dato")
PURPOSE_OPTIONS = (
    "explotacion_sexual", "explotacion_laboral", "explotacion_domestica", "mendicidad",
    "matrimonio_forzado", "otra", "desconocida",
)
RECRUITMENT_OPTIONS = (
    "oferta_trabajo", "agencia_empleo", "internet_redes", "familiar_conocido",
    "oferta_estudio", "oferta_matrimonio", "otra", "desconocida",
)
CONTACT_OPTIONS = ("yes", "no")


def _by_number(text: str, options: tuple[str, ...]) -> str | None:
    n = _number(text)
    return options[n - 1] if n and 1 <= n <= len(options) else None


def parse_now(text: str) -> str | None:
    """Is it happening now, is someone in danger? -> danger | ongoing | past | unknown."""
    opt = _option(text) or _by_number(text, NOW_OPTIONS)
    if opt in NOW_OPTIONS:
        return opt
    value = plain(text)
    if _has(value, r"peligro", r"ahora mismo", r"encerrad", r"no (la|lo|me|nos|les) dejan salir", r"amenaz",
            r"kunan(lla)?n? (pacha)?", r"wichqasqa", r"yanapaway", r"pilligru|peligru"):
        return "danger"
    if _has(value, r"^(si|sí|claro|ari|arí|aja)\b", r"sigue", r"todavia", r"aun (esta|estan|trabaja)",
            r"esta pasando", r"kachkan", r"hinallam"):
        return "ongoing"
    if _has(value, r"no se\b|no sabemos|mana yachanichu|manam yachanichu"):
        return "unknown"
    if _has(value, r"^no\b", r"ya paso", r"antes", r"hace (un|una|unos|dos|tres|mucho)", r"^(mana|manam)\b",
            r"ña pasarqa|pasarqanña|ñam"):
        return "past"
    return None


def parse_who(text: str) -> str | None:
    opt = _option(text) or _by_number(text, WHO_OPTIONS)
    if opt in WHO_OPTIONS:
        return opt
    value = plain(text)
    if _has(value, r"^(yo|a mi|soy yo|mi persona|ñuqa|noqa|ñoqa|nuqa)\b", r"\bme (paso|pasa|tienen|obligan)"):
        return "victima"
    if _has(value, r"\bmi (hij|herman|prim|sobrin|tia|tio|mama|papa|madre|padre|espos|pareja|nieta|nieto|ahijad)",
            r"familia", r"ñañay|turiy|panay|wawa(y|ypa)|churiy|ususiy|mamay|taytay|ayllu"):
        return "familiar_o_cuidador"
    if _has(value, r"amig|vecin|conocid|compañer|alumn|estudiante|otra persona|alguien|una chica|un chico",
            r"huk runa|riqsisqay|masiy|wayqiy"):
        return "testigo"
    return None


def parse_age(text: str) -> tuple[str, int | None] | None:
    """-> (age band code, age in years or None). Bands follow the taxonomy (0_6, 7_12, 13_17...)."""
    opt = _option(text) or _by_number(text, AGE_OPTIONS)
    if opt == "menor_13":
        return "menor_sin_edad", None
    if opt == "13_17":
        return "13_17", None
    if opt == "adulto":
        return "adulto_sin_edad", None
    if opt == "sin_dato":
        return "sin_dato", None
    value = plain(text)
    m = re.search(r"\b(\d{1,2})\s*(anos|años|año|ano|wata|watayuq|\b)", value)
    if m and not _number(text):
        age = int(m.group(1))
        return _band_for(age), age
    if m and _number(text) and int(m.group(1)) > len(AGE_OPTIONS):
        age = int(m.group(1))
        return _band_for(age), age
    if _has(value, r"menor|niñ[oa]|chiquit|adolescente|colegio|escolar|wawa|warma|irqi|huch'uy"):
        return "menor_sin_edad", None
    if _has(value, r"mayor de edad|adult|señor|señora|mayor|kuraq|machu|paya"):
        return "adulto_sin_edad", None
    return None


def _band_for(age: int) -> str:
    if age <= 6:
        return "0_6"
    if age <= 12:
        return "7_12"
    if age <= 17:
        return "13_17"
    if age <= 24:
        return "18_24"
    return "25_mas"


_PURPOSE_WORDS = {
    "explotacion_sexual": r"sexual|prostitu|bar|karaoke|night|club|dama(s)? de compañia|acompañante|burdel|prostibulo",
    "explotacion_laboral": r"trabaj|laboral|mina|mineria|chamba|sin pago|no le pagan|no me pagan|castaña|tala|llamk",
    "explotacion_domestica": r"domestic|casa|cama adentro|empleada|limpieza|wasi",
    "mendicidad": r"mendig|pedir (plata|limosna)|limosna|mañakuy",
    "matrimonio_forzado": r"matrimonio|casar|casamiento|esposa|convivir|warmichakuy|casarachi",
}


def parse_purposes(text: str) -> list[str] | None:
    """Several purposes: numbers ("1 y 3"), option tokens or words."""
    opt = _option(text)
    if opt in PURPOSE_OPTIONS:
        return [opt]
    value = plain(text)
    numbers = [int(n) for n in re.findall(r"\b(\d{1,2})\b", value)]
    if numbers and re.fullmatch(r"[\d\s,;.y&+-]+|[\d\s,;.]+(y|e|and|hinaspa)?[\d\s,;.]*", value):
        chosen = [PURPOSE_OPTIONS[n - 1] for n in numbers if 1 <= n <= len(PURPOSE_OPTIONS)]
        return _clean_purposes(chosen) if chosen else None
    chosen = [code for code, pattern in _PURPOSE_WORDS.items() if re.search(pattern, value)]
    if not chosen and _has(value, r"no se|no sabemos|mana yachanichu|manam yachanichu"):
        return ["desconocida"]
    return _clean_purposes(chosen) if chosen else None


def _clean_purposes(chosen: list[str]) -> list[str]:
    unique = list(dict.fromkeys(chosen))
    known = [p for p in unique if p != "desconocida"]
    return known or ["desconocida"]


_RECRUITMENT_WORDS = (
    ("agencia_empleo", r"agencia"),
    ("internet_redes", r"facebook|face|whats|wasap|tiktok|instagram|internet|red(es)? social|por chat|messenger"),
    ("oferta_estudio", r"estudi|beca|colegio|universidad|instituto|yachay"),
    ("oferta_matrimonio", r"matrimonio|casar|novi[oa]|enamorad|pareja"),
    ("familiar_conocido", r"familiar|tio|tia|prim[oa]|padrino|madrina|conocid|amig|vecin|ayllu|riqsisqa"),
    ("oferta_trabajo", r"trabajo|chamba|empleo|oferta|aviso|anuncio|llamk"),
)


def parse_recruitment(text: str) -> str | None:
    opt = _option(text) or _by_number(text, RECRUITMENT_OPTIONS)
    if opt in RECRUITMENT_OPTIONS:
        return opt
    value = plain(text)
    for code, pattern in _RECRUITMENT_WORDS:
        if re.search(pattern, value):
            return code
    if _has(value, r"no se|no sabemos|mana yachanichu|manam yachanichu"):
        return "desconocida"
    return None


def parse_contact(text: str) -> str | None:
    opt = _option(text) or _by_number(text, CONTACT_OPTIONS)
    if opt in CONTACT_OPTIONS:
        return opt
    value = plain(text)
    if _has(value, r"^(si|sí|claro|ya|ok|bueno|dale|ari|arí|aja)\b", r"pueden (escribir|contact)", r"escribanme"):
        return "yes"
    if _has(value, r"^no\b", r"anonim", r"^(mana|manam)\b", r"prefiero que no"):
        return "no"
    return None


@dataclass(frozen=True)
class PlaceAnswer:
    ubigeo: str | None              # the place, as precise as the answer allows
    label: str | None
    choices: tuple[tuple[str, str], ...] = ()   # (ubigeo, label) to ask about when ambiguous
    abroad: bool = False


_ABROAD = r"chile|argentina|bolivia|brasil|ecuador|colombia|espana|españa|italia|estados unidos|extranjero|otro pais|hawa suyu"


def parse_place(text: str) -> PlaceAnswer | None:
    """A place in Peru, forgiving of spelling; ambiguity yields choices to ask about."""
    opt = _option(text)
    if opt and opt.startswith("ubigeo:"):
        place = places.lookup(opt.split(":", 1)[1])
        return PlaceAnswer(place.ubigeo, place.label) if place else None
    value = plain(text)
    if _has(value, _ABROAD):
        return PlaceAnswer(None, None, abroad=True)
    found = places.match_place(text)
    best = found.best
    if best is None or best.confidence < 0.6:
        return None
    if not found.ambiguous:
        return PlaceAnswer(best.place.ubigeo, best.place.label)
    choices = tuple((c.place.ubigeo, c.place.label) for c in found.candidates[:4])
    common = found.common
    return PlaceAnswer(common.ubigeo if common else None, common.label if common else None, choices=choices)


# --- the report -----------------------------------------------------------------------


def build_report(answers: dict[str, Any], *, channel: str, language: str, emergency: bool = False) -> Report:
    """The structured report from the form's answers ("skip" or None = not known)."""

    def given(name: str) -> Any:
        value = answers.get(name)
        return None if value in (None, SKIP, "") else value

    now = given("report_now")
    if emergency:
        now = "danger"
    victim = Victim()
    age = given("report_age")
    if isinstance(age, str) and age:
        band, _, years = age.partition(":")
        victim = Victim(age_band=band, age_years=int(years) if years else None)
    place = given("report_where")
    destination = None
    abroad = None
    if isinstance(place, str):
        if place == "abroad":
            abroad = True
        elif places.lookup(place):
            destination = Location(ubigeo=place)
    purposes = given("report_purposes")
    contact = given("report_contact")
    return Report(
        channel=report_channel(channel),
        language=language if language in ("es", "qu") else "es",
        category_hint="denuncia",
        victims=[victim],
        purposes=list(purposes.split(",")) if isinstance(purposes, str) else [],
        recruitment=given("report_recruitment"),
        destination=destination,
        abroad=abroad,
        ongoing_exploitation=True if now in ("danger", "ongoing") else (False if now == "past" else None),
        danger_now=True if now == "danger" else None,
        reporter_role=given("report_who") or "sin_dato",
        anonymous=contact != "yes",
        contact_back=contact == "yes",
        contact_channel=report_channel(channel) if contact == "yes" else None,
    )


def report_channel(channel: str | None) -> str:
    """Rasa's input channel name -> the taxonomy's channel code (REST, CLI and web chat are 'web')."""
    known = {"whatsapp", "telegram", "sms", "web", "telefono", "presencial", "email"}
    return channel if channel in known else "web"


# --- texts (bot/cases/intake.yml) ---------------------------------------------------

import functools  # noqa: E402
from pathlib import Path  # noqa: E402

import yaml  # noqa: E402

TEXTS = Path(__file__).resolve().parent / "intake.yml"
LANGS = ("es", "qu")


class IntakeTextError(ValueError):
    pass


@functools.lru_cache(maxsize=1)
def texts() -> dict[str, Any]:
    data = yaml.safe_load(TEXTS.read_text(encoding="utf-8"))
    problems = []
    for key, entry in data["messages"].items():
        problems += [f"messages.{key}.{lang}" for lang in LANGS if not entry.get(lang)]
    for slot in (*QUESTIONS, CONFIRM, FIX):
        entry = data["questions"].get(slot)
        if entry is None:
            problems.append(f"questions.{slot}: missing")
            continue
        problems += [f"questions.{slot}.{lang}" for lang in LANGS if not entry.get(lang)]
        for i, option in enumerate(entry.get("options", [])):
            problems += [f"questions.{slot}.options[{i}].{lang}" for lang in ("value", *LANGS) if not option.get(lang)]
    if problems:
        raise IntakeTextError(f"{TEXTS.name}: missing " + ", ".join(problems))
    return data


def _lang(lang: str | None) -> str:
    return lang if lang in LANGS else "es"


def message(key: str, lang: str | None, **values: str) -> str:
    return texts()["messages"][key][_lang(lang)].format(**values)


def question(slot: str, lang: str | None, **values: str) -> tuple[str, list[dict[str, str]]]:
    """The question's text and its buttons (payloads are option tokens parsed above)."""
    entry = texts()["questions"][slot]
    lang = _lang(lang)
    buttons = [{"title": o[lang], "payload": OPTION_PREFIX + str(o["value"])} for o in entry.get("options", [])]
    if slot in ("report_purposes",):
        # Several answers: numbers are typed; list the options in the text itself.
        listing = "\n".join(f"{i}. {o[lang]}" for i, o in enumerate(entry["options"], 1))
        return entry[lang].format(**values) + "\n" + listing, []
    return entry[lang].format(**values), buttons


def option_label(slot: str, value: str, lang: str | None) -> str | None:
    for option in texts()["questions"].get(slot, {}).get("options", []):
        if str(option["value"]) == value:
            return option[_lang(lang)]
    return None


def summary(answers: dict[str, Any], lang: str | None) -> str:
    """One line per answer, for the person to check before sending."""
    lang = _lang(lang)
    labels = texts()["summary_labels"]
    lines = []
    for slot in QUESTIONS:
        value = answers.get(slot)
        if value in (None, "", SKIP):
            shown = labels["skipped"][lang]
        elif slot == "report_what":
            shown = value if len(value) <= 80 else value[:77] + "…"
        elif slot == "report_where":
            place = places.lookup(value) if value != "abroad" else None
            shown = labels["abroad"][lang] if value == "abroad" else (place.label if place else value)
        elif slot == "report_age":
            band, _, years = value.partition(":")
            shown = years or _age_label(band, lang)
        elif slot == "report_purposes":
            shown = ", ".join(option_label(slot, p, lang) or p for p in value.split(","))
        elif slot == "report_contact":
            shown = labels[value][lang]
        else:
            shown = option_label(slot, value, lang) or value
        lines.append(f"• {labels[slot][lang]}: {shown}")
    return "\n".join(lines)


def _age_label(band: str, lang: str) -> str:
    back = {"menor_sin_edad": "menor_13", "adulto_sin_edad": "adulto"}
    return option_label("report_age", back.get(band, band), lang) or band
