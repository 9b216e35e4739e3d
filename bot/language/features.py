"""Character n-grams in langdetect's format, for profiles and for detection.

The Quechua profile is built from text prepared exactly as messages are at
detection time, so the two always agree. Unlike `normalize`, accents are kept
here: "ó", "é" and "ción" are good evidence for Spanish.
"""
from __future__ import annotations

import unicodedata

from langdetect.utils.ngram import NGram

from bot.language.normalize import APOSTROPHES


class _CharMap(dict):
    """str.translate table computed lazily per character and cached."""

    def __missing__(self, code: int) -> str | None:
        ch = chr(code)
        if ch in APOSTROPHES:
            value = None  # "p'unchay", "p’unchay" and "punchay" give the same n-grams
        elif unicodedata.category(ch)[0] in "LM":
            value = NGram.normalize(ch)  # the mapping langdetect's own profiles use
        else:
            value = " "
        self[code] = value
        return value


_CHARS = _CharMap()


def prepare(text: str) -> str:
    """Lowercase NFC letters separated by single spaces; everything else is a gap."""
    text = unicodedata.normalize("NFC", text).lower().translate(_CHARS)
    return " ".join(text.split())


def ngrams(prepared: str) -> list[str]:
    """1-, 2- and 3-grams of each space-padded word, as langdetect counts them."""
    grams: list[str] = []
    for word in prepared.split():
        padded = f" {word} "
        grams.extend(word)
        grams.extend(padded[i : i + 2] for i in range(len(padded) - 1))
        grams.extend(padded[i : i + 3] for i in range(len(padded) - 2))
    return grams
