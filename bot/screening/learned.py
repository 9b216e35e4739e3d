"""An optional learned score that may raise (never lower) the screener's risk level.

The indicators stay the explanation: this model only adds a number. It is a logistic
regression on character 2–5-grams (TF-IDF, ``char_wb``) of the plain form of the text
(bot/screening/normalize.py), trained on the labelled development offers
``bench/data/offers_dev*.jsonl`` only (target: label == "high"). The held-out file
``bench/data/offers_test.jsonl`` is never read here.

The trained model ships as readable JSON (``learned_model.json``: n-gram -> [idf, weight],
intercept, training-file hashes), not pickle, and is scored in pure Python, so loading
it does not import scikit-learn. When to use it is configured in ``learned.yml``
(enabled, thresholds), chosen by leave-one-file-out cross-validation on the dev files.

    python -m bot.screening.learned build     # retrain and rewrite learned_model.json
    python -m bot.screening.learned check     # exit 1 if the shipped model != a rebuild
    python -m bot.screening.learned score "texto de la oferta"
"""
from __future__ import annotations

import argparse
import functools
import hashlib
import json
import math
import sys
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Mapping

import yaml

from bot.screening.normalize import plain

if TYPE_CHECKING:  # pragma: no cover
    from bot.screening.screener import ScreenResult
    from bot.screening.normalize import Normalized

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
MODEL_FILE = HERE / "learned_model.json"
CONFIG_FILE = HERE / "learned.yml"
DATA_DIR = ROOT / "bench" / "data"
FORMAT = "willakuy-learned-v1"
LEVELS = ("low", "medium", "high")
ORDER = {lvl: n for n, lvl in enumerate(LEVELS)}

# Training settings (changing any of them changes the shipped model: rebuild it).
NGRAM_RANGE = (2, 5)
MIN_DF = 2
C = 10.0
RANDOM_STATE = 0
DIGITS = 6  # decimals kept in the JSON


def training_files(data_dir: Path = DATA_DIR) -> list[Path]:
    """The development files; the held-out test file is excluded by name, on purpose."""
    files = sorted(p for p in data_dir.glob("offers_dev*.jsonl") if "test" not in p.name)
    if not files:
        raise FileNotFoundError(f"no offers_dev*.jsonl in {data_dir}")
    return files


def load_rows(path: Path) -> list[dict]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            rows.append(json.loads(line))
    return rows


def ngrams(text: str, lo: int = NGRAM_RANGE[0], hi: int = NGRAM_RANGE[1]) -> list[str]:
    """scikit-learn's ``char_wb`` analyzer, re-implemented (tests check they agree)."""
    out: list[str] = []
    for w in text.split():
        w = " " + w + " "
        w_len = len(w)
        for n in range(lo, hi + 1):
            offset = 0
            out.append(w[offset:offset + n])
            while offset + n < w_len:
                offset += 1
                out.append(w[offset:offset + n])
            if offset == 0:  # a short word counts once
                break
    return out


# ----------------------------------------------------------------------------- model


@dataclass(frozen=True)
class Model:
    features: Mapping[str, tuple[float, float]]  # n-gram -> (idf, weight)
    intercept: float
    ngram_range: tuple[int, int]
    meta: Mapping[str, Any]
    # A word's n-grams that are in the vocabulary (filled while scoring).
    word_cache: dict[str, tuple[str, ...]] = field(default_factory=dict, compare=False, repr=False)

    def decision(self, text: str) -> float:
        """Raw score for a *plain* text."""
        counts: dict[str, int] = {}
        feats = self.features
        cache = self.word_cache  # char_wb n-grams never cross words: cache per word
        lo, hi = self.ngram_range
        for word in text.split():
            known = cache.get(word)
            if known is None:
                known = tuple(g for g in ngrams(word, lo, hi) if g in feats)
                if len(cache) < 50_000:
                    cache[word] = known
            for g in known:
                counts[g] = counts.get(g, 0) + 1
        if not counts:
            return self.intercept
        dot = norm2 = 0.0
        for g, c in counts.items():
            idf, w = feats[g]
            v = (1.0 + math.log(c)) * idf  # sublinear tf
            dot += v * w
            norm2 += v * v
        return self.intercept + dot / math.sqrt(norm2)

    def word_contributions(self, text: str) -> list[tuple[int, int, float]]:
        """(start, end, share of the raw score) for each word of a *plain* text.

        char_wb n-grams never cross words, so the score splits exactly into words; an
        n-gram found in several words is shared among them.
        """
        lo, hi = self.ngram_range
        feats = self.features
        spans = [(m.start(), m.end()) for m in re.finditer(r"\S+", text)]
        per_word = [[g for g in ngrams(text[a:b], lo, hi) if g in feats] for a, b in spans]
        counts: dict[str, int] = {}
        for grams in per_word:
            for g in grams:
                counts[g] = counts.get(g, 0) + 1
        if not counts:
            return []
        values = {g: (1.0 + math.log(c)) * feats[g][0] for g, c in counts.items()}
        norm = math.sqrt(sum(v * v for v in values.values()))
        out = []
        for (a, b), grams in zip(spans, per_word):
            share = sum(values[g] * feats[g][1] / counts[g] for g in grams) / norm
            out.append((a, b, share))
        return out

    def probability_plain(self, text: str) -> float:
        z = self.decision(text)
        return 1.0 / (1.0 + math.exp(-z)) if z > -700 else 0.0

    def probability(self, text: str) -> float:
        """Probability that an offer is high risk, for the person's original text."""
        return self.probability_plain(plain(text))

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            **dict(self.meta),
            "ngram_range": list(self.ngram_range),
            "intercept": self.intercept,
            "features": {g: [idf, w] for g, (idf, w) in sorted(self.features.items())},
        }


def parse_model(data: Mapping[str, Any]) -> Model:
    if data.get("format") != FORMAT:
        raise ValueError(f"not a {FORMAT} model file")
    feats = {g: (float(v[0]), float(v[1])) for g, v in data["features"].items()}
    meta = {k: v for k, v in data.items() if k not in ("format", "features", "intercept", "ngram_range")}
    lo, hi = data["ngram_range"]
    return Model(feats, float(data["intercept"]), (int(lo), int(hi)), meta)


@functools.lru_cache(maxsize=2)
def load_model(path: str | None = None) -> Model:
    with open(path or MODEL_FILE, encoding="utf-8") as fh:
        return parse_model(json.load(fh))


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def fit(texts: list[str], labels: list[int], meta: Mapping[str, Any] | None = None) -> Model:
    """Train on *original* texts (normalised here). Needs scikit-learn (a Rasa dependency)."""
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vec = TfidfVectorizer(analyzer="char_wb", ngram_range=NGRAM_RANGE, min_df=MIN_DF, lowercase=False,
                          sublinear_tf=True, norm="l2", smooth_idf=True, dtype=np.float64)
    X = vec.fit_transform([plain(t) for t in texts])
    clf = LogisticRegression(C=C, class_weight="balanced", solver="liblinear", random_state=RANDOM_STATE,
                             max_iter=1000)
    clf.fit(X, labels)
    coef = clf.coef_[0]
    idf = vec.idf_
    feats = {}
    for g, j in vec.vocabulary_.items():
        feats[g] = (round(float(idf[j]), DIGITS), round(float(coef[j]), DIGITS))
    return Model(feats, round(float(clf.intercept_[0]), DIGITS), NGRAM_RANGE, dict(meta or {}))


def build(files: Iterable[Path] | None = None) -> Model:
    files = list(files or training_files())
    texts: list[str] = []
    labels: list[int] = []
    for p in files:
        for row in load_rows(p):
            texts.append(row["text"])
            labels.append(int(row["label"] == "high"))
    meta = {
        "about": "Willakuy screener learned score: logistic regression on char_wb TF-IDF of the plain text. "
                 "Target: label == high. Rebuild: python -m bot.screening.learned build",
        "settings": {"min_df": MIN_DF, "C": C, "class_weight": "balanced", "solver": "liblinear",
                     "sublinear_tf": True, "norm": "l2", "smooth_idf": True, "random_state": RANDOM_STATE},
        "trained_on": [{"file": p.relative_to(ROOT).as_posix(), "sha256": _sha256(p)} for p in files],
        "n_offers": len(texts),
        "n_high": sum(labels),
    }
    return fit(texts, labels, meta)


def dumps(model: Model) -> str:
    """Readable JSON: the header first, then one n-gram per line (diffs stay small)."""
    data = model.to_json()
    feats = data.pop("features")
    head = json.dumps(data, ensure_ascii=False, indent=1)[:-2]  # drop the closing "\n}"
    lines = [f"{json.dumps(g, ensure_ascii=False)}: [{idf!r}, {w!r}]" for g, (idf, w) in feats.items()]
    return head + ',\n "features": {\n' + ",\n".join(lines) + "\n }\n}\n"


def same_model(a: Model, b: Model, tol: float = 2e-6) -> list[str]:
    """Differences between two models (empty when equal within rounding)."""
    problems = []
    if set(a.features) != set(b.features):
        problems.append(f"vocabulary differs: {len(set(a.features) ^ set(b.features))} n-grams")
    if abs(a.intercept - b.intercept) > tol:
        problems.append(f"intercept {a.intercept} != {b.intercept}")
    worst = max((abs(a.features[g][k] - b.features[g][k]) for g in set(a.features) & set(b.features)
                 for k in (0, 1)), default=0.0)
    if worst > tol:
        problems.append(f"largest weight difference {worst:g}")
    if a.meta.get("trained_on") != b.meta.get("trained_on"):
        problems.append("training files differ (hashes)")
    return problems


# ----------------------------------------------------------------------------- rule


@dataclass(frozen=True)
class Rule:
    enabled: bool
    medium_to_high: float | None
    low_to_medium: float | None
    # Fewer words than this: no raise. The model was trained on offers; on "hola buenas"
    # its probability is about 0.6 (little beyond the intercept), which means nothing.
    min_words: int = 4


@functools.lru_cache(maxsize=2)
def load_rule(path: str | None = None) -> Rule:
    data = yaml.safe_load(Path(path or CONFIG_FILE).read_text(encoding="utf-8")) or {}
    problems = []
    for key in ("medium_to_high", "low_to_medium"):
        v = data.get(key)
        if v is not None and not (isinstance(v, (int, float)) and 0 < v <= 1):
            problems.append(f"{key}: must be a probability in (0, 1] or null, got {v!r}")
    if not isinstance(data.get("enabled"), bool):
        problems.append("enabled: must be true or false")
    min_words = data.get("min_words", 4)
    if not isinstance(min_words, int) or isinstance(min_words, bool) or min_words < 0:
        problems.append(f"min_words: must be a whole number >= 0, got {min_words!r}")
    if problems:
        from bot.screening.catalog import CatalogError

        raise CatalogError(str(path or CONFIG_FILE), problems)
    return Rule(data["enabled"], data.get("medium_to_high"), data.get("low_to_medium"), min_words)


def combine(level: str, p: float, rule: Rule) -> str:
    """The raised level: never lower than `level`."""
    if level == "medium" and rule.medium_to_high is not None and p >= rule.medium_to_high:
        return "high"
    if level == "low" and rule.low_to_medium is not None and p >= rule.low_to_medium:
        return "medium"
    return level


MAX_WORDS_SHOWN = 3
# Function words the model may lean on (the training offers' style) but that tell a
# person nothing; they are not shown.
_NOT_SHOWN = frozenset("""hay que una uno unos unas los las del por para con sin muy mas pero como esta este
estas estos son ese esa eso ella ellos nos les mis tus sus tiene dice dijo me te se mi tu su
huk kan kanki chay kay chaymi kaymi""".split())


def top_words(model: Model, plain_text: str, norm: "Normalized | None" = None,
              limit: int = MAX_WORDS_SHOWN) -> list[str]:
    """The words that pushed the score up most, in the person's own spelling when `norm` is given."""
    best: dict[str, tuple[float, int, int]] = {}
    for a, b, share in model.word_contributions(plain_text):
        word = plain_text[a:b]
        if share > 0 and len(word) > 2 and word not in _NOT_SHOWN and (word not in best or share > best[word][0]):
            best[word] = (share, a, b)
    ranked = sorted(best.items(), key=lambda kv: -kv[1][0])[:limit]
    return [norm.quote(a, b, 30) if norm is not None else w for w, (_, a, b) in ranked]


def apply(result: "ScreenResult", plain_text: str, rule: Rule | None = None,
          model: Model | None = None, norm: "Normalized | None" = None) -> "ScreenResult":
    """Add the learned score to a ScreenResult and raise its level if the rule says so.

    When it raises, `learned["words"]` names the words that weighed most: the model gives
    no reason, but the person can see what it reacted to.
    """
    rule = rule or load_rule()
    model = model or load_model()
    p = model.probability_plain(plain_text) if plain_text.strip() else 0.0
    new = combine(result.risk, p, rule) if len(plain_text.split()) >= rule.min_words else result.risk
    info = {"score": round(p, 3), "raised": new != result.risk}
    if info["raised"]:
        info["from"] = result.risk
        info["words"] = top_words(model, plain_text, norm)
    return replace(result, risk=new, learned=info, offer_case=new == "high",
                   ask_questions=new != "high" and not result.danger_now)


# ----------------------------------------------------------------------------- CLI


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bot.screening.learned", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    sub.add_parser("build", help=f"retrain on bench/data/offers_dev*.jsonl and write {MODEL_FILE.name}")
    sub.add_parser("check", help="exit 1 if the shipped model differs from a rebuild")
    sc = sub.add_parser("score", help="print the learned probability of a text")
    sc.add_argument("text")
    args = ap.parse_args(argv)
    if args.cmd == "build":
        model = build()
        MODEL_FILE.write_text(dumps(model), encoding="utf-8")
        print(f"wrote {MODEL_FILE.relative_to(ROOT)}: {len(model.features)} n-grams, "
              f"{model.meta['n_offers']} offers ({model.meta['n_high']} high), "
              f"{MODEL_FILE.stat().st_size / 1024:.0f} KiB")
        return 0
    if args.cmd == "check":
        problems = same_model(load_model(), build())
        print("shipped model equals a rebuild" if not problems else "\n".join(problems))
        return 1 if problems else 0
    print(f"{load_model().probability(args.text):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
