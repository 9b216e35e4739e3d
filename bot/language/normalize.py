"""Text normalisation before language identification and featurisation.

`normalize` is safe for any text (Spanish, Quechua, emoji, codes, URLs):

- Unicode NFC; fullwidth ASCII to ASCII; zero-width and control characters dropped;
- lowercase;
- accents stripped from Latin letters, except the tilde of ñ ("está" -> "esta",
  "arí" -> "ari", "año" stays) — people type accents inconsistently on phones;
- every apostrophe-like mark (’ ‘ ` ´ ʼ ʻ ′ ＇) becomes "'", curly quotes become '"',
  dashes become "-", "…" becomes "...";
- runs of whitespace (any kind) become one space; leading/trailing space removed.

Digits and punctuation are otherwise kept: case codes, numbers and "¿?" survive.

`normalize_quechua` also folds Quechua spelling variants (see
`bot.language.spelling` for the rules and why) in the words that look Quechua
(`bot.language.morphology.looks_quechua`); Spanish words in code-switched text
get only the generic normalisation: "trabajota maskachkani" -> "trabajota
maskachkani", "qosqo llaqtapi" -> "qusqu llaqtapi", "¿qué es?" -> "¿que es?".

The ``*_aligned`` variants also return, for each output character, the index of
the input character it came from, so that entity spans can follow the text.
"""
from __future__ import annotations

import re
import unicodedata

from bot.language.morphology import looks_quechua
from bot.language.spelling import fold_word, fold_word_aligned

APOSTROPHES = "'\u2019\u2018`\u00b4\u02bc\u02bb\u02b9\u2032\uff07\u02c8\u201b"

_TABLE: dict[int, str | None] = {ord(c): "'" for c in APOSTROPHES}
_TABLE.update({ord(c): '"' for c in "\u201c\u201d\u201e\u201f\u00ab\u00bb\uff02"})
_TABLE.update({ord(c): "-" for c in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"})
_TABLE[ord("\u2026")] = "..."
_TABLE[ord("\u03c2")] = "\u03c3"  # final sigma: per-character and whole-string lowercase agree
for _code in range(0xFF01, 0xFF5F):
    _TABLE.setdefault(_code, chr(_code - 0xFEE0))
for _code in (0x00AD, 0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0x2060, 0xFEFF,
              *range(0x202A, 0x202F), *range(0x2066, 0x206A)):
    _TABLE[_code] = None
for _code in (*range(0x00, 0x09), *range(0x0E, 0x1C), *range(0x7F, 0x85), *range(0x86, 0xA0)):
    _TABLE[_code] = None

_LATIN_MARKS = re.compile(r"([a-z])([\u0300-\u036f]+)")
_WORD_CORE = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)*(?:-[^\W\d_]+(?:'[^\W\d_]+)*)*")
_EDGE_PUNCT = "¿¡?!.,;:\"'()[]{}*_-~<>/\\|"
_WORD_PART = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)*")


def _strip_marks(match: re.Match[str]) -> str:
    letter, marks = match.group(1), match.group(2)
    if letter == "n" and "\u0303" in marks:
        return "n\u0303"
    return letter


def _strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFC", _LATIN_MARKS.sub(_strip_marks, decomposed))


def normalize(text: str) -> str:
    """Generic normalisation for any message (see module docstring)."""
    if not isinstance(text, str) or not text:
        return ""
    if text.isascii():
        return " ".join(text.lower().translate(_TABLE).split())
    text = unicodedata.normalize("NFC", text).lower().translate(_TABLE)
    return " ".join(_strip_accents(text).split())


def normalize_quechua(text: str) -> str:
    """`normalize` plus spelling folding of the words that look Quechua."""
    text = normalize(text)
    return _WORD_PART.sub(_fold_match, text) if text else text


def _fold_match(match: re.Match[str]) -> str:
    word = match.group(0)
    if not _is_free_word(match.string, match.start(), match.end()):
        return word
    return fold_word(word) if looks_quechua(word) else word


def _is_free_word(text: str, start: int, end: int) -> bool:
    """A word bounded by space or punctuation, not part of a code, URL or e-mail."""
    left = start
    while left > 0 and text[left - 1] != " ":
        left -= 1
    right = end
    while right < len(text) and text[right] != " ":
        right += 1
    core = text[left:right].strip(_EDGE_PUNCT)
    return _WORD_CORE.fullmatch(core) is not None


# --- aligned variants (for the Rasa component's entity spans) ---------------


def _normalize_cluster(cluster: str) -> str:
    piece = unicodedata.normalize("NFC", cluster).lower().translate(_TABLE)
    piece = "".join(" " if c.isspace() else c for c in piece)
    return _strip_accents(piece) if not piece.isascii() else piece


def normalize_aligned(text: str) -> tuple[str, list[int]]:
    """`normalize` plus, for each output character, its index in `text`."""
    if not isinstance(text, str) or not text:
        return "", []
    chars: list[str] = []
    sources: list[int] = []
    i, n = 0, len(text)
    while i < n:
        j = i + 1
        while j < n and unicodedata.combining(text[j]):
            j += 1
        for c in _normalize_cluster(text[i:j]):
            if c == " " and (not chars or chars[-1] == " "):
                continue
            chars.append(c)
            sources.append(i)
        i = j
    while chars and chars[-1] == " ":
        chars.pop()
        sources.pop()
    return "".join(chars), sources


def normalize_quechua_aligned(text: str) -> tuple[str, list[int]]:
    """`normalize_quechua` plus, for each output character, its index in `text`."""
    normalized, sources = normalize_aligned(text)
    out: list[str] = []
    out_sources: list[int] = []
    last = 0
    for match in _WORD_PART.finditer(normalized):
        word = match.group(0)
        if not (_is_free_word(normalized, match.start(), match.end()) and looks_quechua(word)):
            continue
        out.append(normalized[last:match.start()])
        out_sources.extend(sources[last:match.start()])
        folded, folded_sources = fold_word_aligned(word, sources[match.start():match.end()])
        out.append(folded)
        out_sources.extend(folded_sources)
        last = match.end()
    out.append(normalized[last:])
    out_sources.extend(sources[last:])
    return "".join(out), out_sources


def move_span(sources: list[int], start: int, end: int) -> tuple[int, int] | None:
    """Map a [start, end) span of the original text onto the normalised text.

    Returns None when nothing of the span survived normalisation.
    """
    new_start = next((k for k, s in enumerate(sources) if s >= start), None)
    if new_start is None:
        return None
    new_end = new_start
    for k in range(new_start, len(sources)):
        if sources[k] >= end:
            break
        new_end = k + 1
    if new_end <= new_start:
        return None
    return new_start, new_end
