"""Language identification for chat messages: es, qu, other ISO 639-1, or "und".

Two sources of evidence are added up as log-odds:

1. character n-grams scored against langdetect's 55 profiles plus our Quechua
   profile (``profiles/qu``). The scoring is langdetect's naive Bayes model
   (log of p(n-gram | language) + alpha / BASE_FREQ), but over *all* n-grams
   instead of langdetect's random sample, so it is deterministic and fast;
2. words: a chat lexicon ("arí", "manam", "hola", "gracias") and Quechua
   morphology (suffixes such as -kuna, -manta, -sqa, -chka-, -yki, also on
   Spanish stems, as in "denunciayta munani"), which tip short and code-switched
   messages that the n-grams alone would call Spanish.

Spanish, Quechua, English and Portuguese compete with priors favouring the
first two. Any other language (French, Russian...) wins only when few words are
known Spanish or Quechua and the plain n-gram score prefers it by a clear margin.

Profiles are loaded once per process (`model()` is cached). Evidence tags hold
counts, never words, so a Detection can be logged without leaking the message.
"""
from __future__ import annotations

import functools
import math
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from bot.language.features import ngrams, prepare
from bot.language.morphology import word_evidence
from bot.language.normalize import APOSTROPHES, normalize

PROFILE_DIR = Path(__file__).resolve().parent / "profiles"
UNDETERMINED = "und"

MAX_CHARS = 1000  # the first thousand characters say enough about a message
SHORT_LETTERS = 40  # below this many (Latin) letters only EXPECTED languages compete
# Log-odds by which another language must beat both es and qu on the plain
# n-gram score (langdetect itself takes "pago inmediato, alojamiento incluido,
# viaje gratis" for Lithuanian, by ~0.08 per n-gram).
OTHER_MARGIN = 10.0
OTHER_MARGIN_PER_NGRAM = 0.2
EXPECTED = ("es", "qu", "en", "pt")

# Prior log-odds: the service is written to in Spanish and Quechua.
PRIOR = {"es": 0.0, "qu": 0.0, "en": -4.0, "pt": -4.0}
OTHER_PRIOR = -6.0

# n-gram log-likelihoods are summed over overlapping n-grams (1-, 2- and 3-grams
# of the same letters), so they overstate the evidence; dividing by this keeps
# confidences for short texts meaningful.
NGRAM_TEMPERATURE = 10.0
ALPHA_WEIGHT = 0.5 / 10000  # langdetect's ALPHA_DEFAULT / BASE_FREQ

# Log-odds added per word of evidence (lang, kind).
WORD_WEIGHTS = {
    ("qu", "formula"): 6.0,
    ("qu", "lexicon"): 6.0,
    ("qu", "spelling"): 5.0,
    ("qu", "suffix"): 8.0,
    ("qu", "loan"): 9.0,
    ("es", "formula"): 5.0,
    ("es", "lexicon"): 5.0,
    ("en", "lexicon"): 3.0,
    ("pt", "lexicon"): 3.0,
}
MIN_CONFIDENCE = 0.5  # below this the answer is "und"

_APOSTROPHES = {ord(c): "'" for c in APOSTROPHES}
_WORDS = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)*")
_DEBRIS = re.compile(r"[\ufffd\x00-\x08\x0e-\x1f\x7f-\x9f]")
_NON_LATIN_SCRIPTS = re.compile(r"[^\sa-zà-ÿāăąćčďđēĕėęěğīįıķĺļľłńņňōőœŕřśşšţťũūůűųźżžñ]")


@dataclass(frozen=True)
class Detection:
    """What `detect` found.

    `words` counts the words of the message (neutral ones included); `marked`
    counts the words that carry evidence for `lang` beyond set phrases (chat
    words, Quechua spelling or suffixes), which the policy uses to decide
    whether a short reply is strong enough to change the conversation language.
    """

    lang: str
    confidence: float
    scores: dict[str, float] = field(default_factory=dict)
    evidence: tuple[str, ...] = ()
    words: int = 0
    marked: int = 0

    def as_dict(self) -> dict:
        return {
            "lang": self.lang,
            "confidence": self.confidence,
            "scores": dict(self.scores),
            "evidence": list(self.evidence),
            "words": self.words,
            "marked": self.marked,
        }


@dataclass(frozen=True)
class _Model:
    langs: tuple[str, ...]
    index: dict[str, int]
    log_probs: np.ndarray  # (n-grams, languages)
    prior: tuple[float, ...]  # per language
    # candidate sets: name -> (column indices, {language: position in that set})
    candidates: dict[str, tuple[np.ndarray, dict[str, int]]]
    matrices: dict[str, np.ndarray]  # name -> log_probs restricted to that set's columns
    word_cache: dict[str, tuple[tuple[int, ...], tuple[float, ...]]] = field(default_factory=dict)


def profile_texts(qu_profile: str | None = None) -> list[str]:
    """langdetect's 55 bundled profiles plus ours, as JSON strings."""
    import langdetect

    bundled = Path(langdetect.__file__).resolve().parent / "profiles"
    paths = sorted(p for p in bundled.iterdir() if p.is_file() and not p.name.startswith("."))
    texts = [p.read_text(encoding="utf-8") for p in paths]
    texts.append(qu_profile if qu_profile is not None else (PROFILE_DIR / "qu").read_text(encoding="utf-8"))
    return texts


def build_model(texts: list[str]) -> _Model:
    """One log-probability matrix over all profiles' lowercase n-grams."""
    from langdetect.detector_factory import DetectorFactory

    factory = DetectorFactory()
    factory.load_json_profile(texts)
    langs = tuple(factory.get_lang_list())
    grams = sorted(g for g in factory.word_lang_prob_map if g == g.lower())
    probs = np.array([factory.word_lang_prob_map[g] for g in grams], dtype=np.float64)
    single = np.array([len(g) == 1 for g in grams])
    latin_letter = np.array([len(g) == 1 and "a" <= g <= "z" for g in grams])
    # A profile is Latin-script when most of its single-letter mass is a-z.
    latin_share = probs[latin_letter].sum(axis=0) / np.maximum(probs[single].sum(axis=0), 1e-12)
    sets = {
        "all": list(range(len(langs))),
        "latin": [i for i in range(len(langs)) if latin_share[i] > 0.5],
        "expected": [langs.index(lang) for lang in EXPECTED],
    }
    log_probs = np.log(probs + ALPHA_WEIGHT).astype(np.float32)
    return _Model(
        langs=langs,
        index={g: i for i, g in enumerate(grams)},
        log_probs=log_probs,
        prior=tuple(PRIOR.get(lang, OTHER_PRIOR) for lang in langs),
        candidates={
            name: (np.array(cols), {langs[c]: k for k, c in enumerate(cols)})
            for name, cols in sets.items()
        },
        matrices={
            name: log_probs if name == "all" else np.ascontiguousarray(log_probs[:, cols])
            for name, cols in sets.items()
        },
    )


@functools.lru_cache(maxsize=1)
def model() -> _Model:
    """The process-wide model: profiles are read once, on first use."""
    return build_model(profile_texts())


def detect(text: str, *, using: _Model | None = None) -> Detection:
    """Language of one message; deterministic, no randomness involved."""
    if not isinstance(text, str):
        return Detection(UNDETERMINED, 0.0, {}, ("not-text",))
    text = text[:MAX_CHARS]
    if _looks_binary(text):
        return Detection(UNDETERMINED, 0.0, {}, ("junk",))
    # Accents are kept for the n-grams ("ción" is good evidence for Spanish) and
    # stripped for the word lists and the Quechua morphology.
    lowered = unicodedata.normalize("NFC", text).lower().translate(_APOSTROPHES)
    words = [w for w in (w.strip("'") for w in _WORDS.findall(lowered)) if w]
    if not words:
        return Detection(UNDETERMINED, 0.0, {}, ("no-letters",), 0)

    counts: dict[tuple[str, str], int] = {}
    informative: list[str] = []
    for word in words:
        found = _word_evidence(word)
        if found is not None:
            counts[found] = counts.get(found, 0) + 1
        # Neutral words say nothing; a Spanish stem under Quechua suffixes would
        # make its n-grams vote Spanish for a word that is Quechua grammar.
        if found is None or found[0] != UNDETERMINED and found[1] != "loan":
            informative.append(word)
    evidence = tuple(f"{lang}-{kind}:{n}" for (lang, kind), n in sorted(counts.items()))
    n_words = len(words)
    letters = sum(len(w) for w in informative)
    if letters < 2 and not counts.get(("qu", "loan")):
        return Detection(UNDETERMINED, 0.0, {}, evidence or ("too-short",), n_words)

    m = using or model()
    entries = [_word_entry(m, word) for word in informative]
    n_grams = sum(len(rows) for rows, _ in entries)
    # Another language can only win when few words are known Spanish or Quechua.
    ours = sum(n for (lang, _), n in counts.items() if lang in ("es", "qu"))
    other = None
    if ours * 5 <= n_words and n_grams:
        rows = [row for word_rows, _ in entries for row in word_rows]
        if any(_NON_LATIN_SCRIPTS.search(w) for w in informative):
            other = _clear_other_language(m, "all", rows, margin=0.0)
        elif letters >= SHORT_LETTERS:
            margin = max(OTHER_MARGIN, OTHER_MARGIN_PER_NGRAM * n_grams)
            other = _clear_other_language(m, "latin", rows, margin=margin)
    evidence = evidence + (f"ngrams:{n_grams}",)
    if other is not None:
        return Detection(other[0], other[1], other[2], evidence, n_words)

    # Spanish, Quechua, English or Portuguese: n-grams (tempered) + priors + words.
    columns, position = m.candidates["expected"]
    scores = [m.prior[c] for c in columns]
    for _, sums in entries:
        for k, value in enumerate(sums):
            scores[k] += value / NGRAM_TEMPERATURE
    for (lang, kind), n in counts.items():
        weight = WORD_WEIGHTS.get((lang, kind))
        if weight and lang in position:
            scores[position[lang]] += weight * n
    top_score = max(scores)
    exps = [math.exp(x - top_score) for x in scores]
    total = sum(exps)
    probs = sorted(((e / total, m.langs[c]) for e, c in zip(exps, columns)), key=lambda p: -p[0])
    top = {lang: round(p, 4) for p, lang in probs[:3]}
    confidence, lang = round(probs[0][0], 4), probs[0][1]
    if confidence < MIN_CONFIDENCE:
        return Detection(UNDETERMINED, confidence, top, evidence + ("uncertain",), n_words)
    marked = sum(n for (l, kind), n in counts.items() if l == lang and kind != "formula")
    return Detection(lang, confidence, top, evidence, n_words, marked)


def _clear_other_language(
    m: _Model, name: str, rows: list[int], margin: float
) -> tuple[str, float, dict[str, float]] | None:
    """A language other than es/qu that plain n-gram scoring prefers by `margin`.

    This is langdetect's own model (no temperature, no word lists): it is very
    reliable on longer text, and it lets a French or German message through
    without the Spanish-Quechua weighting below.
    """
    if not rows:
        return None
    columns, position = m.candidates[name]
    raw = m.matrices[name][rows].sum(axis=0, dtype=np.float64)
    best = int(np.argmax(raw))
    lang = m.langs[columns[best]]
    if lang in ("es", "qu"):
        return None
    ours = max(raw[position["es"]], raw[position["qu"]])
    if raw[best] - ours <= margin:
        return None
    probs = np.exp(raw - raw.max())
    probs /= probs.sum()
    order = np.argsort(-probs, kind="stable")[:3]
    top = {m.langs[columns[k]]: round(float(probs[k]), 4) for k in order}
    return lang, round(float(probs[best]), 4), top


@functools.lru_cache(maxsize=65536)
def _word_evidence(word: str) -> tuple[str, str] | None:
    return word_evidence(normalize(word))


def _word_entry(m: _Model, word: str) -> tuple[tuple[int, ...], tuple[float, ...]]:
    """A word's n-gram rows and their summed scores for es/qu/en/pt.

    Cached per model: chat repeats words, and this is most of the work.
    """
    entry = m.word_cache.get(word)
    if entry is None:
        index = m.index
        rows = tuple(index[g] for g in ngrams(prepare(word)) if g in index)
        if rows:
            sums = m.matrices["expected"][list(rows)].sum(axis=0, dtype=np.float64)
            entry = (rows, tuple(float(x) for x in sums))
        else:
            entry = (rows, (0.0,) * len(EXPECTED))
        if len(m.word_cache) >= 200_000:
            m.word_cache.clear()
        m.word_cache[word] = entry
    return entry


def _looks_binary(text: str) -> bool:
    """Decoding debris (U+FFFD, control characters) rather than a message."""
    if not text:
        return False
    return len(_DEBRIS.findall(text)) * 10 > len(text)
