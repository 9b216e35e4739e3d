"""The development set and the catalog's source references are well-formed."""
import json
import re
from collections import Counter
from pathlib import Path

import pytest

from bot.screening.screener import default_catalog

ROOT = Path(__file__).resolve().parents[2]
DEV = ROOT / "bench" / "data" / "offers_dev.jsonl"
DEV_SETS = sorted((ROOT / "bench" / "data").glob("offers_dev*.jsonl"))
# ../shared next to the project; a git worktree (wt/<name>) sits one level deeper.
SHARED = next((p for p in (ROOT / ".." / "shared", ROOT / ".." / ".." / "shared") if (p / "sources").is_dir()),
              ROOT / ".." / "shared")


def rows(path=DEV):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.mark.parametrize("path", DEV_SETS, ids=lambda p: p.name)
def test_every_dev_set_is_well_formed(path):
    known = set(default_catalog().ids)
    data = rows(path)
    assert len(data) >= 30   # probe batches are small; the first set is larger (see below)
    for n, r in enumerate(data, 1):
        assert {"text", "lang", "label", "legit", "indicators"} <= set(r) <= {
            "text", "lang", "label", "legit", "indicators", "id", "note"}, n
        assert r["lang"] in ("es", "qu") and r["label"] in ("high", "medium", "low"), n
        # An honest offer may still deserve "medium" (verify), never "high"; "low" is honest.
        assert r["text"].strip() and not (r["legit"] and r["label"] == "high"), n
        assert r["legit"] or r["label"] != "low", n
        assert set(r["indicators"]) <= known, (n, set(r["indicators"]) - known)
    texts = [r["text"] for r in data]
    assert len(set(texts)) == len(texts), "duplicate offers"


def test_dev_set_has_the_required_shape_and_size():
    data = rows()
    langs = Counter(r["lang"] for r in data)
    assert langs["es"] >= 60 and langs["qu"] >= 20
    known = set(default_catalog().ids)
    for n, r in enumerate(data, 1):
        assert set(r) == {"text", "lang", "label", "legit", "indicators"}, n
        assert r["lang"] in ("es", "qu") and r["label"] in ("high", "medium", "low"), n
        assert isinstance(r["legit"], bool) and r["text"].strip(), n
        assert set(r["indicators"]) <= known, (n, set(r["indicators"]) - known)
        assert not (r["legit"] and r["label"] == "high"), n
    assert Counter(r["label"] for r in data)["high"] >= 20
    assert sum(r["legit"] for r in data) >= 20


def test_dev_set_regression_guard():
    """Not a measurement (the rules were tuned on these); a guard against regressions."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_screening", ROOT / "bench" / "screening.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    evaluate = bench.evaluate

    data = rows()
    ev = evaluate(data)
    highs = [p for r, p in zip(data, ev["preds"]) if r["label"] == "high"]
    legit = [p for r, p in zip(data, ev["preds"]) if r["legit"]]
    assert sum(p[0] == "high" for p in highs) / len(highs) >= 0.95
    assert sum(p[0] == "high" for p in legit) / len(legit) <= 0.05


def _source_lines(doc):
    path = SHARED / "sources" / default_catalog().documents[doc]["source_file"]
    return path.read_text(encoding="utf-8").count("\n") + 1


def test_cited_line_numbers_exist_in_the_sources():
    if not (SHARED / "sources").is_dir():
        pytest.skip("../shared/sources not available: cannot check line references")
    cat = default_catalog()
    refs = [s for ind in cat.indicators for s in ind.sources] + [s for r in cat.rules for s in r.sources]
    checked = 0
    for src in refs:
        doc = cat.documents[src["doc"]]
        if "source_file" not in doc or "lines" not in src:
            continue
        total = _source_lines(src["doc"])
        for n in re.findall(r"L(\d+)", src["lines"]):
            assert 1 <= int(n) <= total, (src, total)
            checked += 1
    assert checked > 50
