"""Text normalisation that remembers where every character came from.

Patterns are written against a plain form of the text (lower case, no accents, no
apostrophes, single spaces), so one pattern covers "Pto. Maldonado", "PUERTO MALDONADO"
and "puerto maldónado", and one Quechua pattern covers "llamk'ay", "llamk’ay" and
"llamkay". The evidence shown to a person must still be *their own words*, so each
character of the plain form keeps the index of the original character it came from.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Apostrophes and look-alikes people type in Quechua ejectives (k'/k’/k´/k`): dropped,
# so "llamk'ay" and "llamkay" are the same word.
_APOSTROPHES = set("'’‘`´ʼʻ′")
# Characters that separate words but carry no meaning for the patterns.
_SPACE_LIKE = set("\t\r\n\u00a0\u2007\u202f\u200b\ufeff")


@dataclass(frozen=True)
class Normalized:
    """The plain form of a text and, per plain character, its index in the original."""

    original: str
    text: str
    index: tuple[int, ...]
    # Plain-text positions of spaces that stand for a line break or an emoji: they end
    # a clause as a comma would ("NO SE REQUIERE EXPERIENCIA ✅ pasajes pagados").
    breaks: frozenset[int] = frozenset()

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original (start, end) for a span of the plain text."""
        if start >= end or not self.index:
            return (0, 0)
        a, b = self.index[start], self.index[end - 1] + 1
        # Give back letters folded away when a word was stretched ("pagadooo").
        while b < len(self.original) and self.original[b].isalpha() and \
                self.original[b].lower() == self.original[b - 1].lower():
            b += 1
        return a, b

    def quote(self, start: int, end: int, limit: int = 80) -> str:
        """The person's own words for a plain-text span, shortened if long."""
        a, b = self.span(start, end)
        return shorten(self.original[a:b], limit)


def shorten(text: str, limit: int = 80) -> str:
    """One line, at most `limit` characters; a cut is marked with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip(" ,;:.") + "…"


_CACHE: dict[str, str] = {}


def _plain_char(ch: str) -> str:
    cached = _CACHE.get(ch)
    if cached is None:
        cached = _CACHE[ch] = _plain_char_uncached(ch)
    return cached


def _plain_char_uncached(ch: str) -> str:
    if ch in _APOSTROPHES:
        return ""
    if ch in _SPACE_LIKE or ch.isspace():
        return " "
    decomposed = unicodedata.normalize("NFKD", ch)
    base = "".join(c for c in decomposed if not unicodedata.combining(c))
    if not base:
        return ""
    category = unicodedata.category(base[0])
    # Variation selectors and zero-width joiners inside emoji sequences: nothing.
    if category in ("Mn", "Me", "Cf"):
        return ""
    # Emojis and other pictographs separate words ("💰3000💰" -> " 3000 ").
    if category in ("So", "Sk", "Cs", "Co", "Cn") or category.startswith("C"):
        return " "
    return base.lower()


_REPEAT = re.compile(r"([a-z])\1{2,}")


def normalize(original: str) -> Normalized:
    """Lower-case, strip accents and apostrophes, collapse spaces and stretched letters.

    "URGENTEEE" -> "urgente", "Pto.  Maldonado 🚌" -> "pto. maldonado ", "ñ" -> "n".
    """
    out: list[str] = []
    index: list[int] = []
    brk: list[bool] = []
    for i, ch in enumerate(original):
        plain = _plain_char(ch)
        for p in plain:
            if p == " " and (not out or out[-1] == " "):
                if out and _is_break(ch):
                    brk[-1] = True
                continue
            out.append(p)
            index.append(i)
            brk.append(p == " " and _is_break(ch))
    # Collapse three or more repeated letters ("holaaaa", "urgenteee"): Spanish and
    # Quechua never write a letter three times, people stretch words for emphasis.
    text = "".join(out)
    if _REPEAT.search(text):
        keep = [True] * len(text)
        for m in _REPEAT.finditer(text):
            for k in range(m.start() + 1, m.end()):
                keep[k] = False
        text = "".join(c for c, k in zip(text, keep) if k)
        index = [ix for ix, k in zip(index, keep) if k]
        brk = [b for b, k in zip(brk, keep) if k]
    breaks = frozenset(p for p, b in enumerate(brk) if b)
    return Normalized(original=original, text=text, index=tuple(index), breaks=breaks)


def _is_break(ch: str) -> bool:
    return ch in "\n\r\u2028\u2029" or unicodedata.category(ch) in ("So", "Sk", "Cs", "Co", "Cn")


def plain(text: str) -> str:
    """Just the plain form (for patterns, answers and tests)."""
    return normalize(text).text
