"""Intent macro-F1 per language on the held-out NLU files, with the most confused pairs.

tests/nlu/heldout_es.yml and heldout_qu.yml were written independently of the training
data and are never trained on (see docs/evaluation-data.md). The trained model is the
one for the current data and configuration (`willakuy train`).

    .venv/bin/python bench/nlu.py
"""
from __future__ import annotations

import asyncio
import collections
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")

FILES = {"es": ROOT / "tests" / "nlu" / "heldout_es.yml", "qu": ROOT / "tests" / "nlu" / "heldout_qu.yml"}
TARGETS = {"es": 0.95, "qu": 0.90}


def load_examples(path: Path) -> list[tuple[str, str]]:
    from rasa.shared.nlu.training_data.loading import load_data

    data = load_data(str(path))
    return [(m.get("text"), m.get("intent")) for m in data.intent_examples]


def macro_f1(pairs: list[tuple[str, str]]) -> tuple[float, dict[str, float]]:
    labels = sorted({gold for gold, _ in pairs})
    per = {}
    for label in labels:
        tp = sum(1 for g, p in pairs if g == label and p == label)
        fp = sum(1 for g, p in pairs if g != label and p == label)
        fn = sum(1 for g, p in pairs if g == label and p != label)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        per[label] = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return sum(per.values()) / len(per), per


async def predict(agent, texts: list[str]) -> list[str]:
    out = []
    for text in texts:
        parsed = await agent.parse_message(text)
        out.append((parsed.get("intent") or {}).get("name") or "none")
    return out


def main() -> int:
    import logging

    from rasa.core.agent import Agent
    from rasa.utils.log_utils import configure_structlog

    # Rasa's structured debug log would print every message parsed.
    configure_structlog(logging.WARNING)
    logging.getLogger("rasa").setLevel(logging.WARNING)

    from bot import training

    model = training.current_model()
    if model is None:
        print("No model for the current data; run `willakuy train` first.")
        return 2
    started = time.perf_counter()
    agent = Agent.load(str(model))
    load_seconds = time.perf_counter() - started
    print(f"Model {model.name} (loaded in {load_seconds:.1f} s)\n")
    print(f"{'language':9} {'examples':>8} {'macro-F1':>9} {'accuracy':>9} {'target':>7}  most confused (gold -> predicted: count)")
    results = {}
    worst = {}
    for lang, path in FILES.items():
        examples = load_examples(path)
        predicted = asyncio.run(predict(agent, [t for t, _ in examples]))
        pairs = [(gold, pred) for (_, gold), pred in zip(examples, predicted)]
        f1, per = macro_f1(pairs)
        accuracy = sum(g == p for g, p in pairs) / len(pairs)
        confused = collections.Counter((g, p) for g, p in pairs if g != p).most_common(4)
        results[lang] = f1
        worst[lang] = sorted(per.items(), key=lambda kv: kv[1])[:4]
        shown = "; ".join(f"{g} -> {p}: {n}" for (g, p), n in confused)
        print(f"{lang:9} {len(pairs):8d} {f1:9.3f} {accuracy:9.3f} {TARGETS[lang]:7.2f}  {shown}")
    print()
    for lang, items in worst.items():
        print(f"lowest F1 ({lang}): " + ", ".join(f"{label} {value:.2f}" for label, value in items))
    times = training.training_times()
    if times:
        last = [t for t in times if t["model"] == model.name] or times[-1:]
        secs = sorted(t["seconds"] for t in times[-5:])
        print(f"\nTraining time: this model {last[-1]['seconds']:.0f} s; median of the last {len(secs)} runs "
              f"{secs[len(secs) // 2]:.0f} s on {times[-1]['cpus']} cores (recorded by `willakuy train`).")
    print("\nReproduce: .venv/bin/python bench/nlu.py")
    return 0


if __name__ == "__main__":
    sys.exit(main())
