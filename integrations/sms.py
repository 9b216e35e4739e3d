"""SMS: a composer that keeps each reply within a segment budget, and the keywords.

A reply is everything the assistant says in answer to one message. It goes out as one
SMS of at most ``MAX_SEGMENTS`` segments; what does not fit waits until the person
answers "MÁS". Texts are prepared for GSM-7 (see ``gsm.prepare``) before counting.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from integrations import gsm
from integrations.formatting import split_first

MAX_SEGMENTS = 3

STOP_WORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "PARAR", "BAJA"})
START_WORDS = frozenset({"START", "UNSTOP", "ALTA"})
HELP_WORDS = frozenset({"HELP", "AYUDA"})
MORE_WORDS = frozenset({"MAS", "MORE", "ASTAWAN"})


@dataclass(frozen=True)
class Composed:
    text: str  # what to send now, prepared for SMS
    encoding: str
    segments: int
    rest: str  # what waits for "MÁS" ("" when nothing does)


def compose(text: str, more_hint: str, *, max_segments: int = MAX_SEGMENTS, fold_accents: bool = True) -> Composed:
    """The first SMS of a reply and the rest, each part within ``max_segments``."""
    prepared = gsm.prepare(text, fold_accents=fold_accents)
    info = gsm.segment_info(prepared)
    if info.segments <= max_segments:
        return Composed(prepared, info.encoding, info.segments, "")

    def fits(prefix: str) -> bool:
        candidate = gsm.prepare(prefix.rstrip() + "\n" + more_hint, fold_accents=fold_accents)
        return gsm.segments(candidate) <= max_segments

    first, rest = split_first(text, fits)
    sent = gsm.prepare(first + "\n" + more_hint, fold_accents=fold_accents)
    info = gsm.segment_info(sent)
    return Composed(sent, info.encoding, info.segments, rest)


def _keyword_form(text: str) -> str:
    text = (text or "").strip().upper()
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


def keyword(text: str) -> str | None:
    """'stop' -> 'stop', ' Ayuda ' -> 'help', 'más' -> 'more'; anything else -> None.

    Only a message that is exactly the keyword counts: "¡Ayuda!" or "ayuda por favor"
    is a person asking for help and goes to the assistant.
    """
    word = _keyword_form(text)
    if word in STOP_WORDS:
        return "stop"
    if word in START_WORDS:
        return "start"
    if word in HELP_WORDS:
        return "help"
    if word in MORE_WORDS:
        return "more"
    return None
