"""Does a word look Quechua? Shape, letters and suffixes of one word.

Quechua is agglutinative: a Spanish noun inside a Quechua sentence still
carries Quechua suffixes ("denunciayta", "trabajokunata"), which is the best
single sign that the speaker is talking Quechua. Words here are already
normalised (`bot.language.normalize.normalize`): lowercase, no accents except
ñ, apostrophes as "'".
"""
from __future__ import annotations

import functools
import re
import unicodedata

from bot.language.lexicon import (
    ENGLISH_WORDS,
    PORTUGUESE_WORDS,
    NEUTRAL_WORDS,
    NOT_QUECHUA,
    QUECHUA_FORMULAS,
    QUECHUA_WORDS,
    SPANISH_FORMULAS,
    SPANISH_WORDS,
)
from bot.language.spelling import fold_word

# Suffixes in their folded (3-vowel) form. "Strong" ones do not end Spanish
# words and count as evidence; "weak" ones do (-ta in "puerta", -man in "toman",
# -lla in "amarilla"), so they are only peeled off to reach the suffixes before
# them ("llaqtanchikpi" -> -pi, -nchik).
STRONG_SUFFIXES = (
    "ykichik", "nkichik", "ykuway", "kuna", "manta", "nchik", "kama", "chkan",
    "chka", "rqan", "rqa", "sqan", "sqa", "yki", "nki", "paq", "taq", "wan", "raq",
    "chu", "chun", "saq", "nku", "yku", "way", "yta", "ykuy", "qa", "pi",
)
WEAK_SUFFIXES = (
    "puni", "ntin", "sapa", "yuq", "kaq", "lla", "pas", "man", "ta", "mi", "si",
    "ni", "pa", "ri", "ku", "ya", "na", "mu",
)
# Single letters (-n, -m, -s, -y, -p, -q) are peeled to reach the suffixes
# before them ("wasinpi") but never counted: Spanish plurals and verb endings
# would make every word look suffixed.
LETTER_SUFFIXES = ("m", "n", "s", "y", "p", "q")
# Stems must keep this many letters: "sopita", "papita" are Spanish diminutives,
# not "so-pi-ta"; "Limapi", "wasipi" have a longer stem before -pi.
MIN_STEM = {"pi": 3}
_SUFFIXES = sorted(
    [(s, 1, 0) for s in STRONG_SUFFIXES]
    + [(s, 0, 1) for s in WEAK_SUFFIXES]
    + [(s, 0, 0) for s in LETTER_SUFFIXES],
    key=lambda item: -len(item[0]),
)
# Word endings that Spanish words lack: the evidential -mi after a consonant and
# -m after a vowel ("oficialmi", "técnicom"), the genitive -q after a vowel
# ("Estadoq"), the possessive -nin after a consonant ("Nacionalnin"). "-um" is
# left out (álbum, referéndum); known exceptions are in lexicon.NOT_QUECHUA.
_FINAL_MARKER = re.compile(r"(?:[^aeiou'\W]mi|[aeio]m|[aeiou]q|[^aeiou'\W]nin)$")
# Inside a word these only occur in Quechua (progressive, past, participle).
_STRONG_INFIX = re.compile(r"chka|rqa|sqa")

# Spelling units of Quechua words, digraphs first.
_UNIT = re.compile(r"chh|ch'|ch|ll|ph|th|kh|qh|p'|t'|k'|q'|.", re.S)
_VOWELS = frozenset("aeiou")
_CONSONANTS = frozenset(
    "chh ch' ch ll ph th kh qh p' t' k' q' p t k q h l m n ñ r s w y".split()
)
_FINAL_CONSONANTS = frozenset("ch p t k q l m n ñ r s w y".split())
_CUE = re.compile(r"q(?!u[ei])|k|w|[ptkq]'|ch'|chh|kh|qh|ph")



def _plain(word: str) -> str:
    """Lowercase without accents (ñ kept), as `normalize` leaves words."""
    decomposed = unicodedata.normalize("NFD", word.lower())
    kept = "".join(c for c in decomposed if not unicodedata.combining(c) or c == "\u0303")
    return unicodedata.normalize("NFC", kept)


_QUECHUA_PLAIN = frozenset(_plain(w) for w in QUECHUA_WORDS + QUECHUA_FORMULAS)
_QUECHUA_FOLDED = frozenset(fold_word(w) for w in _QUECHUA_PLAIN)
_SPANISH = frozenset(_plain(w) for w in SPANISH_WORDS + SPANISH_FORMULAS)
_ENGLISH = frozenset(ENGLISH_WORDS)
_PORTUGUESE = frozenset(_plain(w) for w in PORTUGUESE_WORDS) - _SPANISH - _ENGLISH
_SPANISH_FORMULAS = frozenset(_plain(w) for w in SPANISH_FORMULAS)
_QUECHUA_FORMULAS = frozenset(fold_word(_plain(w)) for w in QUECHUA_FORMULAS)
_NEUTRAL = frozenset(NEUTRAL_WORDS)
_NOT_QUECHUA = frozenset(NOT_QUECHUA)


def has_quechua_shape(word: str, *, strict_vowels: bool = True) -> bool:
    """Spelled with Quechua letters and syllables (CV(C), no vowel pairs).

    With `strict_vowels`, e and o must come with a q: the 5-vowel spelling
    writes them only next to q, so "qosqo" passes while "take", "como" or
    "okey" do not.
    """
    if not word or word[0] == "'" or word[-1] == "'":
        return False
    units = _UNIT.findall(word)
    if any(u not in _VOWELS and u not in _CONSONANTS for u in units):
        return False
    if strict_vowels and ("e" in word or "o" in word) and "q" not in word:
        return False
    run = 0  # consonant units since the last vowel
    previous_vowel = ""
    seen_vowel = False
    for index, unit in enumerate(units):
        if unit in _VOWELS:
            if previous_vowel and previous_vowel + unit not in ("au", "ua"):
                return False
            if previous_vowel == "u" and unit == "a" and not (index == 2 and units[0] == "h"):
                return False
            if run > (2 if seen_vowel else 1):
                return False
            previous_vowel, run, seen_vowel = unit, 0, True
        else:
            previous_vowel = ""
            run += 1
    if not seen_vowel or run > 1:
        return False
    return run == 0 or units[-1] in _FINAL_CONSONANTS


def suffix_counts(word: str) -> tuple[int, int, str]:
    """(strong, weak, stem) after peeling Quechua suffixes off a folded word."""
    strong = weak = 0
    stem = word
    peeled = True
    while peeled:
        peeled = False
        for suffix, strong_count, weak_count in _SUFFIXES:
            if stem.endswith(suffix) and len(stem) - len(suffix) >= MIN_STEM.get(suffix, 2):
                stem = stem[: -len(suffix)]
                strong += strong_count
                weak += weak_count
                peeled = True
                break
    if _STRONG_INFIX.search(stem[1:]):
        strong += 1
    return strong, weak, stem


def is_quechua_word(word: str) -> bool:
    """In the chat lexicon, in any spelling ("ñoqa", "ñuqa"; "manam", "manan")."""
    if word in _QUECHUA_PLAIN:
        return True
    return has_quechua_shape(word, strict_vowels=False) and fold_word(word) in _QUECHUA_FOLDED


def is_spanish_word(word: str) -> bool:
    return word in _SPANISH


def is_neutral_word(word: str) -> bool:
    return word in _NEUTRAL or _is_laughter(word)


def _is_laughter(word: str) -> bool:
    return len(word) >= 4 and re.fullmatch(r"(?:j[aeiou]){2,}j?|(?:h[aeiou]){2,}h?|x+d+", word) is not None


@functools.lru_cache(maxsize=65536)
def looks_quechua(word: str) -> bool:
    """True when the word should get Quechua spelling folding.

    It needs a Quechua shape and some sign beyond the shape (k, w, q, an
    ejective or aspirate, a known word, a suffix that Spanish words lack).
    Spanish words, known loans ("ok", "kilo", "wasap") and anything with digits
    are left alone.
    """
    if word in _SPANISH or word in _NOT_QUECHUA or word in _NEUTRAL or word in _ENGLISH:
        return False
    if word in _PORTUGUESE:
        return False
    if is_quechua_word(word):
        return True
    if not has_quechua_shape(word):
        return False
    if _CUE.search(word):
        return True
    strong, _, _ = suffix_counts(fold_word(word))
    return strong > 0


@functools.lru_cache(maxsize=65536)
def word_evidence(word: str) -> tuple[str, str] | None:
    """Language evidence from one normalised word: (lang, kind) or None.

    kind is "formula" (yes, no, thanks, greetings), "lexicon" (other chat
    words), "spelling" (Quechua shape plus k/q/w/apostrophe),
    "suffix" (a Quechua suffix on a Quechua-shaped word), "loan" (a Quechua
    suffix on a Spanish stem: "denunciayta", "trabajokunata") or "neutral"
    (ok, jaja).
    """
    if not word:
        return None
    if is_neutral_word(word):
        return ("und", "neutral")
    if word in _SPANISH:
        return ("es", "formula" if word in _SPANISH_FORMULAS else "lexicon")
    if word in _ENGLISH:
        return ("en", "lexicon")
    if word in _PORTUGUESE:
        return ("pt", "lexicon")
    if word in _NOT_QUECHUA:
        return None
    if is_quechua_word(word):
        return ("qu", "formula" if fold_word(word) in _QUECHUA_FORMULAS else "lexicon")
    shaped = has_quechua_shape(word)
    if shaped and _CUE.search(word):
        return ("qu", "spelling")
    if len(word) >= 5 and _FINAL_MARKER.search(word):
        return ("qu", "suffix" if shaped else "loan")
    strong, weak, stem = suffix_counts(fold_word(word) if shaped else word.replace("'", ""))
    if strong and len(stem) >= 2:
        return ("qu", "suffix" if shaped else "loan")
    return None
