"""Find the catalog's indicators in a text, each with the words that triggered it."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator

from bot.screening.catalog import Catalog, IndicatorDef, Pattern
from bot.screening.extractors import EXTRACTORS
from bot.screening.normalize import Normalized

_CLAUSE_END = re.compile(r"[.!?;,:\n]")
_WORD = re.compile(r"[a-z]+")
_CONDITION = re.compile(r"\bsi no \w+")
_CONJUNCTION = re.compile(r"\b(?:pero|porque|aunque|sino|y que|y dice|y dijo|y ahora|hinaspa|ichaqa)\b")
NEGATION_WINDOW = 30   # characters looked at before a match
NEGATION_WORDS = 4     # ... of which only the last few words count
UNLESS_WINDOW = 30


@dataclass(frozen=True)
class Hit:
    """One indicator found in the text: where, and which pattern groups matched."""

    id: str
    start: int
    end: int
    groups: tuple[str, ...]
    extra: tuple[int, int] | None = None   # second span for "amount … sin experiencia"


def _negated(text: str, start: int, end: int, gap: tuple[int, int] | None, negators: frozenset[str],
             breaks: frozenset[int] = frozenset()) -> bool:
    lo = max(0, start - NEGATION_WINDOW)
    lo = max([lo, *(b + 1 for b in breaks if lo <= b < start)])
    before = _CLAUSE_END.split(text[lo: start])[-1]
    # "me bota sin pagarme y que va a llamar a migraciones": a conjunction starts a new
    # clause, so the "sin" before it does not negate what follows.
    before = _CONJUNCTION.split(before)[-1]
    # "si no cumplen se les descuenta...", "si no pagas te quitamos el DNI": the "no" of a
    # condition does not negate its consequence.
    before = _CONDITION.sub(" ", before)
    words = _WORD.findall(before)[-NEGATION_WORDS:]
    if any(w in negators for w in words):
        return True
    # "la inscripción no tiene costo": the negator sits between the two halves.
    if gap and gap[1] > gap[0]:
        return any(w in negators for w in _WORD.findall(text[gap[0]: gap[1]]))
    return False


def _cancelled(text: str, start: int, end: int, ind: IndicatorDef) -> bool:
    if not ind.unless:
        return False
    lo, hi = max(0, start - UNLESS_WINDOW), min(len(text), end + UNLESS_WINDOW)
    for rx in ind.unless:
        for m in rx.finditer(text, lo, hi):
            return True
    return False


def _near(p: Pattern, text: str) -> Iterator[tuple[int, int, tuple[int, int]]]:
    """Pairs (a, b) at most `within` apart, in either order; yields span and gap."""
    a_hits = [m.span() for m in p.regexes[0].finditer(text)]
    if not a_hits:
        return
    b_hits = [m.span() for m in p.regexes[1].finditer(text)]
    for a in a_hits:
        for b in b_hits:
            first, second = (a, b) if a[0] <= b[0] else (b, a)
            gap = second[0] - first[1]
            if gap <= p.within:
                yield first[0], max(first[1], second[1]), (first[1], max(first[1], second[0]))


def _pattern_hits(p: Pattern, text: str) -> Iterator[tuple[int, int, tuple[int, int] | None]]:
    if p.is_near:
        yield from _near(p, text)
    else:
        for m in p.regexes[0].finditer(text):
            yield m.start(), m.end(), None


def find_hit(ind: IndicatorDef, text: str, catalog: Catalog, breaks: frozenset[int] = frozenset()) -> Hit | None:
    """The first surviving match of one indicator, or None."""
    best: tuple[int, int] | None = None
    extra = None
    groups: list[str] = []
    for gname, patterns in ind.groups.items():
        found = None
        for p in patterns:
            for start, end, gap in _pattern_hits(p, text):
                if p.negation and _negated(text, start, end, gap, catalog.negators, breaks):
                    continue
                if _cancelled(text, start, end, ind):
                    continue
                if found is None or start < found[0]:
                    found = (start, end)
                break
        if found:
            groups.append(gname)
            if best is None or found[0] < best[0]:
                best = found
    if ind.extractor:
        spans = [
            s for s in EXTRACTORS[ind.extractor](text, ind.params)
            if not (ind.negation and _negated(text, s[0], s[1], None, catalog.negators, breaks))
            and not _cancelled(text, s[0], s[1], ind)
        ]
        required = None
        if spans and ind.extractor_requires:
            for rx in ind.extractor_requires:
                m = rx.search(text)
                if m and (required is None or m.start() < required[0]):
                    required = m.span()
            if required is None:
                spans = []
        if spans:
            groups.append(ind.extractor)
            if best is None or spans[0][0] < best[0]:
                best = spans[0]
                extra = required
    if best is None:
        return None
    return Hit(ind.id, best[0], best[1], tuple(groups), extra)


def find_hits(norm: Normalized, catalog: Catalog) -> list[Hit]:
    text = _mask_warnings(_mask_urls(norm.text))
    return [h for ind in catalog.indicators if (h := find_hit(ind, text, catalog, norm.breaks))]


# Web addresses carry no words of the offer ("...?edad=15", "bit.ly/2500soles"); they
# are blanked out, keeping positions, so evidence still points at the right place.
# E-mail domains are kept: a company address is a (weak) formality signal.
_URL = re.compile(r"(?:https?://|www\.)\S+|(?<![@\w.])[a-z0-9-]+\.(?:com|pe|ly|me|net|org|info|link|site|co)(?:\.[a-z]{2})?/\S*")


def _mask_urls(text: str) -> str:
    return _URL.sub(lambda m: " " * len(m.group()), text)


# A notice that quotes red flags to warn ("si alguien te dice 'te pago el pasaje y te lo
# descuento', denúncialo"; "Sichus pipas '...' nisunki chayqa, 0800...-man waqyay") is not
# making the offer. The quoted part is blanked when a report-or-refuse directive follows.
# Only a third party ("alguien", "pipas") opens it, and calling or telling someone in
# general does not close it: "si te dicen algo en el control, me llamas" is coaching.
_WARNING = re.compile(
    r"\b(?:si (?:alguien|alguna persona|una persona|un tercero|cualquier persona|cualquiera) (?:te )?"
    r"(?:dice|dicen|ofrece|ofrecen|pide|piden|cobra|cobran|solicita|solicitan|promete|prometen)"
    r"|sichus (?:pipas|mayqinpas|huk runa|pipas huk))\b")
_DIRECTIVE = re.compile(
    r"\b(?:denuncia\w*|reporta\w*|no (?:aceptes|acepte|acepten|vayas|vaya)|es (?:una )?estafa|es trata|"
    r"0800|1818|llam\w* (?:al|a la) (?:policia|linea|comisaria|fiscalia)|"
    r"avis\w* (?:a la|al|a tus|a un|a una) (?:policia|linea|comisaria|papas|padres|adulto|profesor\w*|docente)|"
    r"denunciay\w*|policiaman willa\w*|ama (?:chaskiychu|riychu|rinkichu))")
WARNING_REACH = 250


def _mask_warnings(text: str) -> str:
    for m in _WARNING.finditer(text):
        d = _DIRECTIVE.search(text, m.end(), m.end() + WARNING_REACH)
        if d:
            text = text[: m.start()] + " " * (d.end() - m.start()) + text[d.end():]
    return text
