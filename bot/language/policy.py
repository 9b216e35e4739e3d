"""Which language the assistant answers in: the conversation's language slot.

`decide` is pure: it takes what the detector found in the latest message and
what is known about the conversation, and returns the slot value.

- An explicit choice (a language menu button, "/idioma qu", "runasimipi
  rimay") wins and sticks. The caller keeps it (e.g. a `language_explicit`
  slot) and passes it on every turn; until the person chooses again, detection
  never overrides it.
- Telegram's `language_code` (the app's interface language) is a weak prior:
  it settles the first message only when the message itself says little.
- Once a language is established, short replies ("arí", "ok", "sí", "ya",
  "sulpayki", "👍") do not change it: bilinguals answer "gracias" in a Quechua
  conversation and "arí" in a Spanish one. A two-word reply changes it only when
  both words carry evidence beyond set phrases ("yanapaway kunan"); a longer
  message changes it when the detector is confident.
- With nothing to go on, the answer is Spanish.

Only Spanish and Quechua can fill the slot: the assistant speaks nothing else,
so an English or Portuguese message keeps the current language.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from bot.language.detect import Detection
from bot.language.normalize import normalize

SUPPORTED = ("es", "qu")
DEFAULT = "es"

FIRST_MESSAGE_CONFIDENCE = 0.6  # to set the language from a first message
SWITCH_CONFIDENCE = 0.9  # to change an established language (3+ words)
SHORT_SWITCH_CONFIDENCE = 0.99  # a two-word reply, both words marked


@dataclass(frozen=True)
class Decision:
    lang: str
    changed: bool
    reason: str


def decide(
    detection: Detection,
    *,
    current: str | None = None,
    explicit: str | None = None,
    channel_hint: str | None = None,
) -> Decision:
    """The conversation language after this message (see module docstring)."""
    current = _supported(current)
    explicit = _supported(explicit)
    if explicit:
        return Decision(explicit, explicit != current, "explicit")

    detected = detection.lang if detection.lang in SUPPORTED else None
    if current is None:
        hint = _supported(channel_hint)
        says_enough = detection.words >= 3 or detection.marked >= 1
        if detected and detection.confidence >= FIRST_MESSAGE_CONFIDENCE and (says_enough or not hint):
            return Decision(detected, True, "detected")
        if hint:
            return Decision(hint, True, "channel-hint")
        if detected and detection.confidence >= FIRST_MESSAGE_CONFIDENCE:
            return Decision(detected, True, "detected")
        return Decision(DEFAULT, True, "default")

    if detected is None:
        reason = "kept:undetermined" if detection.lang == "und" else "kept:unsupported-language"
        return Decision(current, False, reason)
    if detected == current:
        return Decision(current, False, "kept:same-language")
    if detection.words <= 1:
        return Decision(current, False, "kept:short-reply")
    if detection.words == 2:
        if detection.marked >= 2 and detection.confidence >= SHORT_SWITCH_CONFIDENCE:
            return Decision(detected, True, "switched:strong-short-reply")
        return Decision(current, False, "kept:short-reply")
    if detection.confidence >= SWITCH_CONFIDENCE:
        return Decision(detected, True, "switched")
    return Decision(current, False, "kept:weak-evidence")


def _supported(code: str | None) -> str | None:
    """"es", "es-PE", "quz", "que" -> "es" / "qu"; anything else -> None."""
    if not code or not isinstance(code, str):
        return None
    base = code.strip().lower().replace("_", "-").split("-")[0]
    if base in ("qu", "quz", "quy", "que", "qub", "quh", "qxp"):
        return "qu"
    if base in ("es", "spa"):
        return "es"
    return None


# --- explicit requests ------------------------------------------------------

_QUECHUA_NAMES = (
    "quechua", "quechwa", "qechua", "kechua", "kechwa", "quichua", "kichwa", "qichwa",
    "qhichwa", "qheswa", "keswa", "quechuwa", "runasimi",
)
_SPANISH_NAMES = (
    "castellano", "castellanu", "kastillanu", "castillano", "castillanu", "español",
    "espanol", "ispañul", "ispanyul", "spanish",
)
# A word before "en <language>" that makes it a request to the assistant.
_REQUEST_VERBS = frozenset(
    """
    hablame hableme hablemos hablar hablarme hablenme háblame habla escribe escribeme
    escribame escribir escribirme responde respondeme responder contesta contestame
    contestar atiendeme atender explicame explica explicar sigue sigamos seguir
    continua continuemos continuar cambia cambiar cambiame pon ponlo ponme quiero
    quisiera prefiero mejor puedes podrias podemos porfa favor solo
    """.split()
)
_FILLERS = frozenset(
    """
    en el la al a de por favor porfa porfavor pls please plis mejor solo idioma
    lengua ok okey ya si sí ari arí quiero prefiero yo pues nomas noma
    rimay rimaway rimaykuway rimasun rimasunchu rimanakusun rimayta munani
    willaway qillqaway kutichiway
    """.split()
)
# Questions about the assistant's languages are not requests to switch.
_CAPABILITY = frozenset(
    """
    hablas habla sabes entiendes conoces hay existe tienes manejas rimankichu
    yachankichu riqsinkichu entiendenkichu
    """.split()
)
_QUESTION_REQUEST = frozenset("puedes podrias podemos podria pueden me".split())
_COMMAND = re.compile(r"^/(?:idioma|lengua|lang|language|simi|rimay)(?:@\w+)?(?:\s+(\S+))?\s*$")
_BARE_COMMAND = re.compile(r"^/(\w+)(?:@\w+)?\s*$")


def _typo_distance(a: str, b: str) -> int:
    """Edit distance counting a swap of neighbours as one typo ("quechau")."""
    d = [[i + j if i * j == 0 else 0 for j in range(len(b) + 1)] for i in range(len(a) + 1)]
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[-1][-1]


def _name_language(word: str) -> str | None:
    """"quechua", "kichwa", "castellano", "españo" (typos too) -> "qu" / "es"."""
    if word in ("qu", "quechua"):
        return "qu"
    if word in ("es",):
        return "es"
    for lang, names in (("qu", _QUECHUA_NAMES), ("es", _SPANISH_NAMES)):
        for name in names:
            if word == name:
                return lang
            if len(word) >= 6 and len(name) >= 6 and _typo_distance(word, name) <= (1 if len(name) < 8 else 2):
                return lang
    return None


def _word_language(word: str) -> tuple[str, bool] | None:
    """(language, is_locative) for "quechua" or Quechua "quechuapi" / "castellanupi"."""
    lang = _name_language(word)
    if lang:
        return lang, False
    for suffix in ("pi", "manta", "man", "ta"):
        if word.endswith(suffix) and len(word) > len(suffix) + 3:
            lang = _name_language(word[: -len(suffix)])
            if lang:
                return lang, suffix == "pi"
    return None


def parse_language_request(text: str) -> str | None:
    """"es" or "qu" when the message asks the assistant to speak that language.

    Fires on: a language name alone or with fillers ("quechua", "kichwa",
    "en castellano por favor"); "en <language>" after a request verb
    ("háblame en español", "¿puedes hablarme en quechua?"); the Quechua
    locative ("runasimipi", "castellanopi rimaway", "quechuapi rimay");
    commands ("/idioma qu", "/quechua"). Does not fire on questions about the
    assistant's languages ("¿hablas quechua?", "¿sabes quechua?",
    "runasimita rimankichu?"), on messages that merely mention a language
    ("mi mamá habla quechua") or when two languages are named ambiguously.
    """
    t = normalize(text) if isinstance(text, str) else ""
    if not t or len(t) > 200:
        return None
    command = _COMMAND.match(t)
    if command:
        arg = command.group(1)
        return _name_language(arg.strip(".,!¡?¿")) if arg else None
    bare = _BARE_COMMAND.match(t)
    if bare:
        return _name_language(bare.group(1))

    words = re.findall(r"[^\W\d_]+", re.sub(r"\bruna\s+simi", "runasimi", t))
    found = [(i, _word_language(w)) for i, w in enumerate(words)]
    found = [(i, lw) for i, lw in found if lw]
    if not found:
        return None
    langs = {lw[0] for _, lw in found}
    if len(langs) > 1:
        return None
    lang = langs.pop()
    is_question = "?" in t or t.startswith("¿")
    if is_question and any(w in _CAPABILITY for w in words) and not any(
        w in _QUESTION_REQUEST or w.endswith("me") and w in _REQUEST_VERBS for w in words
    ):
        return None
    others = [w for i, w in enumerate(words) if i not in {j for j, _ in found}]
    if all(w in _FILLERS for w in others):
        return lang
    if any(lw[1] for _, lw in found):  # Quechua locative: "castellanopi rimaway"
        if not any(w.endswith(("nkichu", "nkichikchu")) for w in others):
            return lang
    for i, _ in found:
        if i > 0 and words[i - 1] == "en" and words[i + 1 : i + 2] in (["por"], ["porfa"], ["pls"], ["please"], ["plis"], ["porfavor"]):
            return lang  # "no entiendo, en castellano por favor"
        before = words[max(0, i - 3) : i]
        if i > 0 and words[i - 1] in ("en", "a", "al") and any(w in _REQUEST_VERBS for w in before):
            if "habla" in before and words[0] != "habla":
                continue  # "mi mamá habla en quechua": a statement, not an imperative
            return lang
    return None
