"""Join codes a class types from the projector: ``K4M 7P2`` (letter, digit, letter, digit...).

Six symbols alternating letter and digit. The shape never occurs in Spanish or Quechua
words, plain numbers or case codes (eight symbols, ``K7M4-9QXT``), so a message holding
one can be routed to the classroom without a trained model. Letters and digits that are
easily confused on a projector or a phone keyboard (I, L, O, S, Z, B; 0, 1, 5, 8) are left
out of generated codes; typed codes are read with any letter and digit, so a mistyped
code gets a kind "I do not find that class" instead of being ignored.
"""
from __future__ import annotations

import re
import secrets

LETTERS = "ACDEFGHJKMNPQRTUVWXY"
DIGITS = "2345679"
_CODE = re.compile(r"(?<![A-Z0-9])([A-Z][0-9][A-Z])[\s.\-]?([0-9][A-Z][0-9])(?![A-Z0-9])")


def new_code() -> str:
    return "".join(secrets.choice(LETTERS if i % 2 == 0 else DIGITS) for i in range(6))


def find_code(text: str | None) -> str | None:
    """The join code in a message ("clase k4m-7p2" -> "K4M7P2"), or None."""
    if not text or not isinstance(text, str):
        return None
    match = _CODE.search(text.upper()[:500])
    return match.group(1) + match.group(2) if match else None


def display(code: str) -> str:
    return f"{code[:3]} {code[3:]}"
