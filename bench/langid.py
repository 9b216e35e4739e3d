"""Language identification benchmark: prints a table and the command to reproduce it.

    .venv/bin/python bench/langid.py [--no-baseline]

Held-out data: ../shared/corpora/quechua/dev/flores200.{quy,es}.txt (FLORES-200,
2,009 aligned sentences; never used for the profile or the lexicon). Rows:

- whole sentences and their first 3 words, for our detector, for plain
  langdetect (55 bundled profiles, seed 0) and for langdetect with our Quechua
  profile added (56 profiles, seed 0);
- single words (4+ letters, lowercase in the sentence, absent from the other
  language's sentences, so names and shared loanwords are left out);
- one- and two-word replies inside an established conversation (the policy's
  decision must keep the conversation language): 1-2 word windows of the dev
  sentences in their own language, a list of common chat replies in both
  contexts, and bench/data/short_replies.jsonl when it exists;
- speed: median `detect` time on chat-length text, and `willakuy lang -`
  throughput (in-process, and the whole command through a pipe).
"""
from __future__ import annotations

import argparse
import io
import json
import random
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DEV = ROOT / ".." / "shared" / "corpora" / "quechua" / "dev"
SHORT_REPLIES = ROOT / "bench" / "data" / "short_replies.jsonl"
COMMAND = ".venv/bin/python bench/langid.py"

# Common one- and two-word chat replies (written for this benchmark, not taken
# from the dev set). In an established conversation none of them should change
# the language: expected = the conversation's language.
# Quechua replies: review: pending-native-review
CHAT_REPLIES = {
    "qu": """arí | ari | arí chayqa | manam | manan | mana | manam munanichu | sulpayki |
        yusulpayki | añaychayki | allinllachu | imaynalla | ratukama | tupananchikkama |
        allinmi | arí munani | kunan | chayqa | hinalla | ari yanapaway | manaraq |
        imaynam | allinlla | añay | arí, sulpayki""",
    "es": """sí | si | no | ya | gracias | muchas gracias | hola | buenas | chau | claro |
        dale | bueno | ya pues | ok gracias | de acuerdo | está bien | no sé | ayuda |
        sí claro | por favor | listo | perfecto | entiendo | ya entendí | nada""",
    "und": """ok | 👍 | 😊 | jaja | jajaja | ? | ok ok | 🙏 | xd | mmm | ... | 1 | 2 |
        k | okey | 👍👍 | ❤️ | ya ya""",
}


def read_lines(path: Path) -> list[str]:
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def prefix(text: str, n: int) -> str:
    return " ".join(text.split()[:n])


def accuracy(predict, texts: list[str], expected: str) -> tuple[float, int, float]:
    """(accuracy, n, share of "und")."""
    answers = [predict(t) for t in texts]
    n = len(answers)
    return (
        sum(a == expected for a in answers) / n,
        n,
        sum(a in ("und", "unknown") for a in answers) / n,
    )


def langdetect_predictor(with_quechua: bool):
    from langdetect import DetectorFactory
    from langdetect.detector_factory import PROFILES_DIRECTORY
    from langdetect.lang_detect_exception import LangDetectException

    from bot.language.detect import profile_texts

    factory = DetectorFactory()
    if with_quechua:
        factory.load_json_profile(profile_texts())
    else:
        factory.load_profile(PROFILES_DIRECTORY)
    factory.set_seed(0)

    def predict(text: str) -> str:
        detector = factory.create()
        detector.append(text)
        try:
            return detector.detect()
        except LangDetectException:
            return "und"

    return predict


def single_words(lines: list[str], other: list[str]) -> list[str]:
    other_words = {w.lower() for line in other for w in re.findall(r"[^\W\d_]+", line)}
    words = {
        w
        for line in lines
        for w in re.findall(r"[^\W\d_]{4,}", line)
        if w == w.lower() and w not in other_words
    }
    return sorted(words)


def windows(lines: list[str], rng: random.Random) -> list[str]:
    """One 1-word and one 2-word window per sentence (seeded)."""
    out = []
    for line in lines:
        words = [w.strip(".,;:()«»\"'¿?¡!") for w in line.split()]
        words = [w for w in words if w]
        if len(words) < 2:
            continue
        i = rng.randrange(len(words))
        out.append(words[i])
        j = rng.randrange(len(words) - 1)
        out.append(" ".join(words[j : j + 2]))
    return out


def context_accuracy(cases: list[tuple[str, str, str]]) -> tuple[float, int]:
    from bot.language.detect import detect
    from bot.language.policy import decide

    ok = sum(decide(detect(text), current=context).lang == expected for text, context, expected in cases)
    return ok / len(cases), len(cases)


def chat_reply_cases() -> list[tuple[str, str, str]]:
    cases = []
    for replies in CHAT_REPLIES.values():
        for reply in (r.strip() for r in replies.split("|")):
            for context in ("es", "qu"):
                cases.append((reply, context, context))
    return cases


def file_cases(path: Path) -> list[tuple[str, str, str]]:
    cases = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            item = json.loads(line)
            cases.append((item["text"], item["context"], item["expected"]))
    return cases


def median_detect_ms(texts: list[str]) -> float:
    from bot.language.detect import detect

    for text in texts[:200]:
        detect(text)  # warm-up: profiles loaded, caches filled
    times = []
    for text in texts:
        start = time.perf_counter()
        detect(text)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def throughput_in_process(texts: list[str]) -> float:
    from bot.language.commands import process_lines

    process_lines(texts[:100], io.StringIO())
    start = time.perf_counter()
    process_lines(texts, io.StringIO())
    return len(texts) / (time.perf_counter() - start)


def throughput_command(texts: list[str]) -> float:
    data = ("\n".join(texts) + "\n").encode("utf-8")
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "lang", "-"],
        input=data,
        capture_output=True,
        cwd=ROOT,
        check=True,
    )
    elapsed = time.perf_counter() - start
    assert done.stdout.count(b"\n") == len(texts)
    return len(texts) / elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Language identification benchmark")
    parser.add_argument("--no-baseline", action="store_true", help="skip the (slow) langdetect columns")
    args = parser.parse_args(argv)
    if not DEV.is_dir():
        print(f"skipped: {DEV} not found (the shared corpora are not available here)")
        return 0

    from bot.language.detect import detect

    quy = read_lines(DEV / "flores200.quy.txt")
    spa = read_lines(DEV / "flores200.es.txt")
    ours = lambda t: detect(t).lang  # noqa: E731
    predictors = [("ours", ours)]
    if not args.no_baseline:
        predictors.append(("langdetect 55", langdetect_predictor(False)))
        predictors.append(("langdetect 55+qu", langdetect_predictor(True)))

    sets = [
        ("quy whole sentence", quy, "qu"),
        ("quy first 3 words", [prefix(t, 3) for t in quy], "qu"),
        ("es whole sentence", spa, "es"),
        ("es first 3 words", [prefix(t, 3) for t in spa], "es"),
        ("quy single words", single_words(quy, spa), "qu"),
        ("es single words", single_words(spa, quy), "es"),
    ]
    header = f"| {'held-out set':<22} | {'n':>5} | " + " | ".join(f"{name:>20}" for name, _ in predictors) + " |"
    print(header)
    print("|" + "-" * 24 + "|" + "-" * 7 + "|" + "|".join("-" * 22 for _ in predictors) + "|")
    for label, texts, expected in sets:
        cells = []
        for _, predict in predictors:
            acc, n, und = accuracy(predict, texts, expected)
            cells.append(f"{acc * 100:6.2f}% (und {und * 100:4.1f}%)")
        print(f"| {label:<22} | {len(texts):>5} | " + " | ".join(f"{c:>20}" for c in cells) + " |")

    rng = random.Random(0)
    dev_cases = [(w, "qu", "qu") for w in windows(quy, rng)] + [(w, "es", "es") for w in windows(spa, rng)]
    context_rows = [
        ("1-2 word dev windows, own-language context", dev_cases),
        ("chat replies, both contexts", chat_reply_cases()),
    ]
    if SHORT_REPLIES.exists():
        context_rows.append((f"{SHORT_REPLIES.relative_to(ROOT)}", file_cases(SHORT_REPLIES)))
    combined = [case for _, cases in context_rows for case in cases]
    context_rows.append(("all 1-2 word replies with context", combined))
    print()
    print(f"| {'reply inside a conversation (policy)':<48} | {'n':>5} | {'kept/correct':>12} |")
    print("|" + "-" * 50 + "|" + "-" * 7 + "|" + "-" * 14 + "|")
    for label, cases in context_rows:
        acc, n = context_accuracy(cases)
        print(f"| {label:<48} | {n:>5} | {acc * 100:11.2f}% |")

    rng = random.Random(1)
    cross = [(w, "es", "qu") for w in windows(quy, rng) if len(w.split()) == 2]
    cross += [(w, "qu", "es") for w in windows(spa, rng) if len(w.split()) == 2]
    acc, n = context_accuracy(cross)
    print(f"| {'(info) other-language 2-word window switches':<48} | {n:>5} | {acc * 100:11.2f}% |")

    chat = [prefix(t, 8) for t in quy + spa]
    print()
    print(f"median detect() on chat-length text (first 8 words): {median_detect_ms(chat):.3f} ms")
    lines = (quy + spa + [r.strip() for v in CHAT_REPLIES.values() for r in v.split("|")]) * 3
    print(f"`willakuy lang -` in-process: {throughput_in_process(lines):,.0f} lines/s ({len(lines)} lines)")
    print(f"`willakuy lang -` whole command incl. start-up: {throughput_command(lines):,.0f} lines/s")
    print()
    print("reproduce (from the project root): " + COMMAND + (" --no-baseline" if args.no_baseline else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
