"""GSM 03.38 (GSM-7) and UCS-2 segment arithmetic for SMS.

An SMS segment carries 160 GSM-7 septets or 70 UCS-2 code units; a message split in
several segments loses room to the concatenation header (153 and 67 per segment). One
character outside GSM-7 (an emoji, a curly apostrophe, "á") turns the whole message into
UCS-2, which more than doubles the number of segments, and the person or the project
pays per segment. ``prepare`` therefore folds what can be folded without losing meaning.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass

# The basic character set, in table order (0x00-0x7F); "\x1b" is the escape to the
# extension table and is never a character of its own.
BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ"
    " !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# The extension table: each costs two septets (escape + character).
EXTENSION = "\f^{}\\[~]|€"

_BASIC_SET = frozenset(BASIC) - {"\x1b"}
_EXTENSION_SET = frozenset(EXTENSION)

GSM7 = "GSM-7"
UCS2 = "UCS-2"

SINGLE = {GSM7: 160, UCS2: 70}
MULTI = {GSM7: 153, UCS2: 67}

# Typography phones and word processors add; plain equivalents exist in GSM-7.
_TYPOGRAPHY = {
    "‘": "'", "’": "'", "‚": "'", "‛": "'", "′": "'", "´": "'", "`": "'",
    "“": '"', "”": '"', "„": '"', "‟": '"', "″": '"', "«": '"', "»": '"',
    "–": "-", "—": "-", "‒": "-", "―": "-", "−": "-", "‐": "-", "‑": "-",
    "…": "...", "•": "-", "·": "-", "‣": "-",
    "°": "o", "º": "o", "ª": "a",  # "Ley N° 28950" -> "Ley No 28950"
    "\u00a0": " ", "\u2007": " ", "\u2009": " ", "\u202f": " ", "\u2002": " ", "\u2003": " ",
    "\t": " ",
}
# Invisible characters that only cost space.
_INVISIBLE = {"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\ufe0e", "\ufe0f"}


def is_gsm7(text: str) -> bool:
    return all(ch in _BASIC_SET or ch in _EXTENSION_SET for ch in text)


def septets(text: str) -> int:
    """Length in GSM-7 septets (extension characters count twice); text must be GSM-7."""
    return sum(2 if ch in _EXTENSION_SET else 1 for ch in text)


def ucs2_units(text: str) -> int:
    """Length in UTF-16 code units: characters outside the BMP (most emoji) count twice."""
    return len(text.encode("utf-16-le")) // 2


@dataclass(frozen=True)
class SegmentInfo:
    encoding: str
    units: int  # septets for GSM-7, UTF-16 code units for UCS-2
    segments: int


def segment_info(text: str) -> SegmentInfo:
    if is_gsm7(text):
        encoding, units = GSM7, septets(text)
        widths = [2 if ch in _EXTENSION_SET else 1 for ch in text]
    else:
        encoding, units = UCS2, ucs2_units(text)
        widths = [2 if ord(ch) > 0xFFFF else 1 for ch in text]
    if units <= SINGLE[encoding]:
        return SegmentInfo(encoding, units, 1 if units else 0)
    # Count by filling segments: an escape pair or a surrogate pair never straddles two.
    size, segments, used = MULTI[encoding], 1, 0
    for width in widths:
        if used + width > size:
            segments += 1
            used = 0
        used += width
    return SegmentInfo(encoding, units, segments)


def segments(text: str) -> int:
    return segment_info(text).segments


def _is_emoji(ch: str) -> bool:
    code = ord(ch)
    return (
        0x1F000 <= code <= 0x1FAFF  # pictographs, emoticons, transport, symbols
        or 0x2600 <= code <= 0x27BF  # miscellaneous symbols, dingbats
        or 0x2B00 <= code <= 0x2BFF  # arrows and stars used as emoji
        or 0x1F1E6 <= code <= 0x1F1FF  # flags
        or code == 0x20E3  # keycap
    )


def _fold_letter(ch: str) -> str:
    """'á' -> 'a', 'Í' -> 'I'; letters already in GSM-7 (é, ñ, ü, à) stay."""
    if ch in _BASIC_SET or ch in _EXTENSION_SET:
        return ch
    base = "".join(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c))
    return base if base and all(c in _BASIC_SET for c in base) else ch


def clean(text: str) -> str:
    """Typography to plain ASCII equivalents, emoji and invisible characters removed."""
    out = []
    for ch in text:
        if ch in _INVISIBLE or _is_emoji(ch):
            continue
        out.append(_TYPOGRAPHY.get(ch, ch))
    # Emoji often sat between words; do not leave double spaces or a space before a line end.
    joined = "".join(out)
    lines = [" ".join(part for part in line.split(" ") if part) for line in joined.split("\n")]
    return "\n".join(lines).strip()


def prepare(text: str, *, fold_accents: bool = True) -> str:
    """The text as it should go out by SMS: GSM-7 whenever folding makes that possible.

    Accents outside GSM-7 (á, í, ó, ú) are folded only if that makes the whole text
    GSM-7; if something else forces UCS-2 anyway, the accents stay.
    """
    cleaned = clean(text)
    if is_gsm7(cleaned) or not fold_accents:
        return cleaned
    folded = "".join(_fold_letter(ch) for ch in cleaned)
    return folded if is_gsm7(folded) else cleaned
