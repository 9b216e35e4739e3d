"""Danger now, recognised without a learned model.

The intent classifier misses some cries for help ("sos", "llamen a la policía", "me
drogaron"); the cost of missing one is the emergency numbers not being sent. These
patterns are a deterministic floor under the classifier: when one matches, the message
is treated as an emergency whatever the classifier said. The job-offer screener's
"held / threatened / a minor leaving now" signals (bot.screening) count too, so the
two never disagree about what danger now means.
"""
from __future__ import annotations

import re
import unicodedata

_PATTERNS = [
    r"\b(auxilio|socorro)\b",
    r"\bllam(en|a|ar) a la polic",
    r"\bme (drogaron|violaron|estan (pegando|golpeando|siguiendo)|quieren matar|van a (matar|vender))\b",
    r"\b(me|nos|la|lo|las|los) (quieren|van a) (llevar|sacar) a la fuerza\b",
    r"\b(nos|la|lo|las|los) (quieren|van a) (vender|matar)\b",
    r"\bme (amenazan|estan amenazando|amenazaron con matar)",
    r"\b(ayuda|ayudenme|ayudame)\b.{0,40}\b(ahora|rapido|urgente|por favor)\b.{0,40}\b(encerrad|retenid|me llevan|peligro)",
    # A child being taken away right now (Plan Nacional: minors travelling now are P1).
    r"(se (la|lo) (llevan|llevaron|estan llevando)|(llevan|llevaron|estan llevando) a mi) .{0,40}"
    r"(hij[ao]|sobrin[ao]|herman[ao]|nin[ao]|menor)",
    r"(hij[ao]|sobrin[ao]|herman[ao]|nin[ao]|menor|\b1[0-7] anos).{0,60}"
    r"(en el bus|en (el|un) carro|ya (salio|partio)|esta viajando).{0,60}"
    r"con (un|una|el|la) (senor|senora|desconocid[oa]|tip[oa]|hombre|mujer)",
    r"(en el bus|ya (salio|partio)|esta viajando).{0,60}(hij[ao]|sobrin[ao]|nin[ao]|menor|\b1[0-7] anos).{0,60}"
    r"con (un|una|el|la) (senor|senora|desconocid[oa]|tip[oa]|hombre|mujer)",
    # Quechua: "help me now", "they will kill me", "locked in"
    r"\byanapaway(ku)?\b.{0,30}\bkunan",
    r"\bwanuchiwanqa|wañuchiwanqa|wanuchiwanku|wañuchiwanku",
    r"\bwichqasqa(m)? (kachkani|kachkayku|kachkan)\b",
]
_COMPILED = [re.compile(p) for p in _PATTERNS]


def _plain(text: str) -> str:
    text = unicodedata.normalize("NFKD", (text or "").lower())
    return "".join(ch for ch in text if not unicodedata.combining(ch))


# "SOS" in capitals or alone; lowercase "sos" is also Rioplatense "you are" ("sos un bot?").
_SOS = re.compile(r"^\W*s\.?o\.?s\W*$|^\W*sos\W+(ayuda|auxilio|help)", re.IGNORECASE | re.MULTILINE)
_SOS_CAPS = re.compile(r"\bS\.?O\.?S\b")


def danger_signals(text: str) -> list[str]:
    """Which danger patterns the message matches (empty: none). Looks at 2,000 characters."""
    plain = _plain(text[:2000])
    found = [p.pattern for p in _COMPILED if p.search(plain)]
    if _SOS_CAPS.search(text[:2000]) or _SOS.search(plain):
        found.append("sos")
    if not found:
        from bot.screening.screener import screen

        if screen(text[:2000]).danger_now:
            found.append("screening:danger_now")
    return found


def is_danger(text: str) -> bool:
    return bool(danger_signals(text))
