"""Peru's departments, provinces and districts, and forgiving matching of what people type.

People write "pto maldonado", "Qosqo", "madre de dios", "lima" (the city? the province?
the region?). ``match_place`` returns candidates with a confidence and says when the
answer is ambiguous, so the bot can ask instead of guessing. The index is built once
from ``data/ubigeo.csv`` (INEI codes; see data/README.md) and kept in memory.
"""
from __future__ import annotations

import csv
import functools
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

DATA_FILE = Path(__file__).resolve().parent / "data" / "ubigeo.csv"
LEVELS = {2: "departamento", 4: "provincia", 6: "distrito"}
MAX_SPAN = 6          # longest place name, in words
MAX_TOKENS = 40       # places are short; ignore the rest of a long message
FUZZY_MIN_LEN = 5     # shorter names must be typed exactly (too many near-misses)

# Abbreviations people type. Applied to whole words after normalisation.
ABBREVIATIONS = {
    "pto": "puerto", "pto.": "puerto", "sta": "santa", "sto": "santo", "sn": "san",
    "gral": "general", "mcal": "mariscal", "cnel": "coronel", "tte": "teniente",
}
# Words around a place name that carry no place ("distrito de ...", "la ciudad de ...").
FILLER = frozenset({
    "de", "del", "distrito", "provincia", "departamento", "dpto", "depto", "region",
    "ciudad", "en", "desde", "hacia", "al", "a", "peru", "soy", "vivo", "estoy", "esta",
    "cerca", "por", "y", "e", "o", "mi", "su", "es", "el", "la", "los", "las",
})
# Words dropped inside names when building keys: "Madre de Dios" ~ "madre dios".
NAME_STOPWORDS = frozenset({"de", "del"})
ARTICLES = frozenset({"la", "las", "los", "el"})
# Quechua case suffixes on place names: Qusqumanta, Limaman, Punupi, Wankayukama.
QUECHUA_SUFFIXES = ("manta", "mantam", "mantan", "kama", "pim", "pi", "man", "ta")
# Other spellings of department and city names (Quechua, older Spanish).
# review: pending-native-review (Quechua forms)
SYNONYMS = {
    "cuzco": "cusco", "qosqo": "cusco", "qusqu": "cusco", "qusqo": "cusco", "qosqu": "cusco",
    "cosco": "cusco", "ayakuchu": "ayacucho", "wamanga": "huamanga", "apurimaq": "apurimac",
    "wankayu": "huancayo", "wankayo": "huancayo", "wanuku": "huanuco", "punu": "puno",
    "ariqipa": "arequipa", "wankawilka": "huancavelica", "mazuco": "mazuko",
    "huepetue": "huepetuhe", "ancash": "ancash", "ankash": "ancash",
}
# Towns that are not district names and that the data file cannot attribute (its
# capitals are keyed by district name, so repeated names lost theirs), and the Lima
# split that people use. Ubigeo codes from data/ubigeo.csv.
PLACE_ALIASES = {
    "quillabamba": "080901",          # capital of Santa Ana, La Convención, Cusco
    "la rinconada": "211002",         # mining town in Ananea, San Antonio de Putina, Puno
    "rinconada": "211002",
    "lima metropolitana": "1501",
    "lima metropolitano": "1501",
    "lima provincias": "15",          # the region outside Lima Metropolitana
    "lima provincia": "15",
    "lima region": "15",
    "cercado lima": "150101",
    "lima cercado": "150101",
    # Initials used for Lima's large districts.
    "sjl": "150132", "sjm": "150133", "smp": "150135", "ves": "150142", "vmt": "150143",
}


@dataclass(frozen=True)
class Place:
    ubigeo: str
    departamento: str
    provincia: str | None = None
    distrito: str | None = None

    @property
    def level(self) -> str:
        return LEVELS[len(self.ubigeo)]

    @property
    def label(self) -> str:
        parts = [p for p in (self.distrito, self.provincia, self.departamento) if p]
        return ", ".join(parts)

    def contains(self, other: "Place") -> bool:
        return other.ubigeo.startswith(self.ubigeo)


@dataclass(frozen=True)
class Candidate:
    place: Place
    confidence: float     # how well the text matched a name of this place, 0..1
    matched: str          # the name or alias that matched


@dataclass(frozen=True)
class PlaceMatch:
    query: str
    candidates: tuple[Candidate, ...]
    ambiguous: bool
    common: Place | None  # the most specific place every top candidate lies in
    total: int            # how many places tie for the top (may exceed the candidates shown)

    @property
    def best(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None


def normalize(text: str) -> str:
    """Lowercase, no accents, no apostrophes, single spaces, abbreviations expanded."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    plain = re.sub(r"['`´’‘]", "", plain)
    words = re.sub(r"[^a-z0-9]+", " ", plain).split()
    return " ".join(ABBREVIATIONS.get(w, w) for w in words)


def _key(name: str) -> str:
    words = [SYNONYMS.get(w, w) for w in normalize(name).split()]
    return " ".join(w for w in words if w not in NAME_STOPWORDS)


@dataclass
class _Entry:
    key: str
    ubigeo: str
    matched: str
    weight: float   # 1.0 for official names; a little less for derived variants


class _Index:
    def __init__(self, rows: list[dict[str, str]]):
        self.places: dict[str, Place] = {}
        self.by_key: dict[str, list[_Entry]] = {}
        for row in rows:
            code = row["ubigeo"]
            dep, prov, dist = row["departamento"], row["provincia"], row["distrito"]
            self.places.setdefault(code[:2], Place(code[:2], dep))
            self.places.setdefault(code[:4], Place(code[:4], dep, prov))
            self.places[code] = Place(code, dep, prov, dist)
            self._add(dep, code[:2], dep)
            self._add(prov, code[:4], prov)
            self._add(dist, code, dist)
        # Capitals second, and only under keys that are no official name: "Cuzco" is
        # also the capital of Alto Biavo (San Martín), but "cuzco" must mean Cusco.
        official = set(self.by_key)
        for row in rows:
            capital = row.get("capital")
            if capital and _key(capital) not in official:
                self._add(capital, row["ubigeo"], f"{capital} (capital de {row['distrito']})")
        for alias, code in PLACE_ALIASES.items():
            self._add(alias, code, alias, weight=1.0)
        self.trigrams: dict[str, set[str]] = {}
        for key in self.by_key:
            for gram in _grams(key):
                self.trigrams.setdefault(gram, set()).add(key)

    def _add(self, name: str, code: str, matched: str, weight: float = 1.0) -> None:
        key = _key(name)
        self._put(key, code, matched, weight)
        words = key.split()
        if words and words[0] in ARTICLES and len(words) > 1:
            # "La Convención" is also typed "Convención".
            self._put(" ".join(words[1:]), code, matched, weight * 0.95)

    def _put(self, key: str, code: str, matched: str, weight: float) -> None:
        entries = self.by_key.setdefault(key, [])
        if not any(e.ubigeo == code for e in entries):
            entries.append(_Entry(key, code, matched, weight))

    def fuzzy(self, key: str) -> list[tuple[str, float]]:
        """Index keys within a small edit distance of ``key``, with a similarity."""
        if len(key) < FUZZY_MIN_LEN:
            return []
        limit = 1 if len(key) < 8 else 2
        counts: dict[str, int] = {}
        for gram in _grams(key):
            for other in self.trigrams.get(gram, ()):
                counts[other] = counts.get(other, 0) + 1
        best = sorted(counts, key=counts.get, reverse=True)[:30]
        found = []
        for other in best:
            if abs(len(other) - len(key)) > limit:
                continue
            dist = _distance(key, other, limit)
            if 0 < dist <= limit:
                found.append((other, 1 - dist / max(len(key), len(other))))
        return found


def _grams(key: str) -> set[str]:
    padded = f"  {key} "
    return {padded[i:i + 3] for i in range(len(padded) - 2)}


def _distance(a: str, b: str, limit: int) -> int:
    """Optimal-string-alignment distance (typos and swapped letters), cut off at limit+1."""
    prev2: list[int] | None = None
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if prev2 is not None and i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[-1]


@functools.lru_cache(maxsize=1)
def _index() -> _Index:
    with DATA_FILE.open(encoding="utf-8", newline="") as fh:
        return _Index(list(csv.DictReader(fh)))


def lookup(ubigeo: str) -> Place | None:
    """The department, province or district with this INEI code (2, 4 or 6 digits)."""
    return _index().places.get(str(ubigeo))


def departments() -> list[Place]:
    return [p for code, p in sorted(_index().places.items()) if len(code) == 2]


def provinces(departamento: str | None = None) -> list[Place]:
    return [p for code, p in sorted(_index().places.items())
            if len(code) == 4 and (departamento is None or code.startswith(departamento))]


def districts(provincia: str | None = None) -> list[Place]:
    return [p for code, p in sorted(_index().places.items())
            if len(code) == 6 and (provincia is None or code.startswith(provincia))]


@dataclass
class _Hit:
    start: int
    end: int
    entry: _Entry
    score: float

    @property
    def size(self) -> int:
        return self.end - self.start


def _tokens(text: str) -> list[str]:
    return [SYNONYMS.get(w, w) for w in normalize(text).split()][:MAX_TOKENS]


def _strip_suffix(word: str, known_words: set[str]) -> str:
    if word in known_words:
        return word
    for suffix in QUECHUA_SUFFIXES:
        stem = word[: -len(suffix)]
        if word.endswith(suffix) and len(stem) >= 3:
            stem = SYNONYMS.get(stem, stem)
            if stem in known_words:
                return stem
    return word


@functools.lru_cache(maxsize=1)
def _known_words() -> set[str]:
    return {w for key in _index().by_key for w in key.split()}


def _hits(tokens: list[str]) -> list[_Hit]:
    index = _index()
    hits: list[_Hit] = []
    for i in range(len(tokens)):
        if tokens[i] in FILLER and tokens[i] not in ARTICLES:
            continue
        for j in range(i + 1, min(len(tokens), i + MAX_SPAN) + 1):
            words = [w for w in tokens[i:j] if w not in NAME_STOPWORDS]
            if not words or tokens[j - 1] in FILLER - ARTICLES:
                continue
            key = " ".join(words)
            exact = index.by_key.get(key)
            if exact:
                hits.extend(_Hit(i, j, e, e.weight) for e in exact)
                continue
            if words[0] in ARTICLES:
                continue
            for other, sim in index.fuzzy(key):
                hits.extend(_Hit(i, j, e, sim * e.weight) for e in index.by_key[other])
    return hits


def _support(hit: _Hit, hits: list[_Hit], places: dict[str, Place]) -> tuple[int, float]:
    """Tokens covered by this hit plus by hits naming places that contain it."""
    place = places[hit.entry.ubigeo]
    used = [(hit.start, hit.end)]
    covered, score_sum, n = hit.size, hit.score, 1
    levels_taken = {len(place.ubigeo)}
    for other in sorted(hits, key=lambda h: (-h.size, -h.score)):
        code = other.entry.ubigeo
        if len(code) in levels_taken or not place.ubigeo.startswith(code) or len(code) >= len(place.ubigeo):
            continue
        if any(other.start < e and s < other.end for s, e in used):
            continue
        used.append((other.start, other.end))
        levels_taken.add(len(code))
        covered += other.size
        score_sum += other.score
        n += 1
    return covered, score_sum / n


def match_place(text: str, limit: int = 5) -> PlaceMatch:
    """Candidates for the place named in ``text``, best first, with ambiguity reported.

    Ranking: the interpretation that accounts for the most words wins ("Santa Ana,
    La Convención, Cusco" picks the one Santa Ana inside La Convención); then match
    quality; then the broader level (a department before a same-named province or
    district). ``ambiguous`` is true when different places tie at the top, e.g.
    "Lima" (department, province and district) or "San Juan" (many districts);
    ``common`` is then the most specific place they all lie in, if any.
    """
    index = _index()
    known = _known_words()
    tokens = [_strip_suffix(w, known) for w in _tokens(text)]
    hits = _hits(tokens)
    if not hits:
        return PlaceMatch(query=text, candidates=(), ambiguous=False, common=None, total=0)
    best_by_place: dict[str, tuple[int, float, _Hit]] = {}
    for hit in hits:
        covered, score = _support(hit, hits, index.places)
        code = hit.entry.ubigeo
        if code not in best_by_place or (covered, score) > best_by_place[code][:2]:
            best_by_place[code] = (covered, score, hit)
    ranked = sorted(best_by_place.items(), key=lambda kv: (-kv[1][0], -round(kv[1][1], 2), len(kv[0]), kv[0]))
    top_cover, top_score = ranked[0][1][0], ranked[0][1][1]
    tied = [code for code, (cov, score, _) in ranked if cov == top_cover and score >= top_score - 0.05]
    candidates = tuple(
        Candidate(place=index.places[code], confidence=round(min(1.0, score), 3), matched=hit.entry.matched)
        for code, (_, score, hit) in ranked[:limit]
    )
    common = None
    if tied:
        prefix = tied[0]
        for code in tied[1:]:
            while not code.startswith(prefix):
                prefix = prefix[:-2]
        common = index.places.get(prefix) if prefix else None
    return PlaceMatch(query=text, candidates=candidates, ambiguous=len(tied) > 1, common=common, total=len(tied))
