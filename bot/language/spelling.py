"""Folding of Southern Quechua spelling variants to one canonical form.

People write the same Quechua word in several ways: the official 3-vowel
alphabet or the Cusco 5-vowel one ("qusqu" / "qosqo"), with or without the
ejective apostrophe and the aspiration of Cusco-Collao ("llank'ay", "llankay",
"p'unchay"), with the nasal written as heard or as in Ayacucho ("llamkay"),
with the Cusco or Ayacucho form of a suffix ("-nchis" / "-nchik", "-n" / "-m").
The canonical form drops the distinctions that Ayacucho-Chanka spelling does not
make, so that both varieties and all spellings meet:

- apostrophe removed: p'unchay -> punchay (ejectives are not written in
  Ayacucho, and phones drop or change apostrophes);
- chh/ph/th/kh/qh -> ch/p/t/k/q: qhari -> qari (aspiration: Cusco only);
- m before k/q -> n: llamkay -> llankay (the nasal is [ŋ]; both spellings occur);
- au -> aw, initial hua -> wa: kausay -> kawsay, huasi -> wasi (older
  Spanish-based spelling);
- e -> i, o -> u: qosqo -> qusqu (the 5-vowel spelling writes the allophones of
  i/u next to q; the 3-vowel one does not);
- nchis -> nchik: tupananchiskama -> tupananchikkama (Cusco -nchis = Ayacucho -nchik);
- final m -> n: manam -> manan, qam -> qan (Ayacucho -m / Cusco -n evidential).

k and q are not merged: they are different sounds ("kiru" tooth, "qiru" wood).
These functions fold unconditionally; deciding *which* words are Quechua is
`bot.language.morphology.looks_quechua`'s job.
"""
from __future__ import annotations

import re

# (pattern, replacement) applied in order to a lowercase, accent-free word.
FOLD_RULES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (r"'", ""),
        (r"chh", "ch"),
        (r"([ptkq])h", r"\1"),
        (r"m(?=[kq])", "n"),
        (r"au(?![aeiou])", "aw"),
        (r"^hua", "wa"),
        (r"e", "i"),
        (r"o", "u"),
        (r"nchis", "nchik"),
        (r"m$", "n"),
    )
)


def fold_word(word: str) -> str:
    """Canonical spelling of one (already normalised) Quechua word."""
    for pattern, replacement in FOLD_RULES:
        word = pattern.sub(replacement, word)
    return word


def fold_word_aligned(word: str, sources: list[int]) -> tuple[str, list[int]]:
    """`fold_word` that also carries, for each output character, its source index.

    Used by the Rasa component so that entity spans can be moved to the folded
    text; each replacement character takes the source index of the matched text.
    """
    for pattern, replacement in FOLD_RULES:
        out: list[str] = []
        out_sources: list[int] = []
        last = 0
        for match in pattern.finditer(word):
            start, end = match.span()
            out.append(word[last:start])
            out_sources.extend(sources[last:start])
            new = match.expand(replacement)
            out.append(new)
            out_sources.extend(sources[min(start + k, end - 1)] for k in range(len(new)))
            last = end
        out.append(word[last:])
        out_sources.extend(sources[last:])
        word, sources = "".join(out), out_sources
    return word, sources
