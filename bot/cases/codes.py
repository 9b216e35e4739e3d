"""Short case codes a person can type later to ask for news: ``K7M4-9QXT``.

Eight symbols from ``23456789ABCDEFGHJKLMNPQRSTUVWXYZ`` (no 0/O/1/I), shown as two
groups of four. Seven are random (32**7, about 3.4e10 codes, before the rule below);
the eighth is a check symbol.

Check symbol: each symbol is read as an element of the field GF(32) (its index in the
alphabet, as a 5-bit polynomial modulo x^5 + x^2 + 1), and the code is valid when
    sum(w_i * v_i) == T  with weights w_i = x^(7-i), i = 0..7,
and T a fixed field element (chosen so the project's example code K7M4-9QXT is valid;
any constant keeps the properties below, which depend only on differences).
The weights are distinct and non-zero, and a field has no zero divisors, so
  - changing one symbol v -> v' changes the sum by w_i * (v - v') != 0, and
  - swapping two different symbols a, b at positions i, j changes it by
    (w_i - w_j) * (a - b) != 0,
hence every single substitution and every transposition (adjacent or not) is caught.
(Plain mod-32 weighted sums cannot catch both: 32 is even.) tests/cases checks this
for every position and every pair of symbols.

Each half of a generated code holds at least one digit and one letter. Spanish and
Quechua words and plain numbers never look like that, so ``parse_code`` does not mistake
"TRABAJAR" or "casa 2345" for a code (an 8-letter word would otherwise pass the check
1 time in 32).

Typed confusables: 0, O, 1 and I are not in the alphabet at all, so there is no single
"nearest" symbol to map them to (O could be D or Q; 1 could be L, 7, J or T). Mapping
them, or trying each option against the check symbol, would turn the check into a
corrector and let wrong codes through. They are therefore not mapped:
``examine_code`` reports them so the bot can say "los códigos no tienen 0, O, 1 ni I".
Lowercase is uppercased; spaces, dashes and dots between the two halves are ignored.
"""
from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from typing import Any

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
DIGITS = frozenset("23456789")
LENGTH = 8
CONFUSABLE = frozenset("0O1I")
_POLY = 0b100101          # x^5 + x^2 + 1, primitive over GF(2)
_INDEX = {c: i for i, c in enumerate(ALPHABET)}


def _mul(a: int, b: int) -> int:
    """Multiply in GF(32)."""
    out = 0
    while b:
        if b & 1:
            out ^= a
        b >>= 1
        a <<= 1
        if a & 0b100000:
            a ^= _POLY
    return out


def _pow_x(n: int) -> int:
    out = 1
    for _ in range(n):
        out = _mul(out, 2)
    return out


WEIGHTS = tuple(_pow_x(LENGTH - 1 - i) for i in range(LENGTH))   # x^7 ... x^1, 1
TARGET = 13   # sum for valid codes; makes the documented example K7M4-9QXT valid


def _syndrome(symbols: str) -> int:
    total = 0
    for w, c in zip(WEIGHTS, symbols):
        total ^= _mul(w, _INDEX[c])
    return total


def check_symbol(data: str) -> str:
    """The eighth symbol for seven data symbols (its weight is 1, so it is the sum)."""
    if len(data) != LENGTH - 1 or any(c not in _INDEX for c in data):
        raise ValueError("need 7 symbols from the code alphabet")
    return ALPHABET[_syndrome(data + ALPHABET[0]) ^ TARGET]


def _well_formed(compact: str) -> bool:
    halves = (compact[:4], compact[4:])
    return all(any(c in DIGITS for c in h) and any(c not in DIGITS for c in h) for h in halves)


def format_code(compact: str) -> str:
    return f"{compact[:4]}-{compact[4:]}"


def new_code(rng: Any = secrets) -> str:
    """A fresh code in display form (``XXXX-XXXX``); ``rng`` needs ``choice``."""
    while True:
        data = "".join(rng.choice(ALPHABET) for _ in range(LENGTH - 1))
        compact = data + check_symbol(data)
        if _well_formed(compact):
            return format_code(compact)


def _compact(text: str) -> str:
    return re.sub(r"[\s\-\.–—_]", "", str(text)).upper()


def has_valid_check(code: str) -> bool:
    """Only the check symbol: True when the 8 symbols satisfy the checksum."""
    compact = _compact(code)
    return len(compact) == LENGTH and all(c in _INDEX for c in compact) and _syndrome(compact) == TARGET


def is_valid(code: str) -> bool:
    """True for a well-formed code with a correct check symbol, in any case, dash or not."""
    compact = _compact(code)
    return (
        len(compact) == LENGTH
        and all(c in _INDEX for c in compact)
        and _well_formed(compact)
        and has_valid_check(compact)
    )


@dataclass(frozen=True)
class CodeParse:
    code: str | None       # display form, when exactly one valid code was found
    problem: str | None    # None, "none", "check", "confusable" or "several"


_TOKEN = re.compile(r"[A-Z0-9]+")
_GAP = re.compile(r"^[ \t]*[-–—.]?[ \t]*$")


def _candidates(upper: str) -> list[str]:
    """8-symbol runs, and two 4-symbol runs separated by a space, dash or dot.

    Pairs overlap on purpose: in "CASO K7M4 9QXT" both "CASO K7M4" and "K7M4 9QXT"
    are tried.
    """
    tokens = list(_TOKEN.finditer(upper))
    out = [t.group() for t in tokens if len(t.group()) == LENGTH]
    for left, right in zip(tokens, tokens[1:]):
        if len(left.group()) == 4 and len(right.group()) == 4 and _GAP.match(upper[left.end():right.start()]):
            out.append(left.group() + right.group())
    return out


def examine_code(text: str) -> CodeParse:
    """Find a case code inside a message and say what is wrong when none is valid.

    problem: "none" (nothing code-like), "check" (code-like but a symbol is wrong),
    "confusable" (has 0, O, 1 or I, which codes never contain), "several" (more than
    one valid code; ask which).
    """
    upper = str(text).upper()
    valid: list[str] = []
    problem = "none"
    for compact in _candidates(upper):
        if all(c in _INDEX for c in compact):
            if not _well_formed(compact):
                continue
            if _syndrome(compact) == TARGET:
                if format_code(compact) not in valid:
                    valid.append(format_code(compact))
            else:
                problem = "check"
        elif (
            any(c in CONFUSABLE for c in compact)
            and all(c in _INDEX or c in CONFUSABLE for c in compact)
            and any(c.isdigit() for c in compact)
            and any(c.isalpha() for c in compact)
        ):
            if problem == "none":
                problem = "confusable"
    if len(valid) == 1:
        return CodeParse(valid[0], None)
    if len(valid) > 1:
        return CodeParse(None, "several")
    return CodeParse(None, problem)


def parse_code(text: str) -> str | None:
    """The one valid case code in ``text`` (display form), or None."""
    return examine_code(text).code
