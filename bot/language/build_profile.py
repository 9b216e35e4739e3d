"""Build the Quechua langdetect profile: ``python -m bot.language.build_profile``.

Reads the Quechua files of ``../shared/corpora/quechua/train/`` (never dev/ or
reference/) and writes ``bot/language/profiles/qu`` in langdetect's JSON
profile format. Sources and licences: NOTICE and docs/language.md.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Iterable

from langdetect.utils.lang_profile import LangProfile

from bot.language.features import prepare
from bot.language.normalize import normalize_quechua

PROJECT_ROOT = Path(__file__).resolve().parents[2]
TRAIN_DIR = PROJECT_ROOT / ".." / "shared" / "corpora" / "quechua" / "train"
PROFILE_PATH = Path(__file__).resolve().parent / "profiles" / "qu"


def quechua_train_files(train_dir: Path) -> list[Path]:
    """The Quechua texts of train/ (the Spanish side of the constitution is skipped)."""
    return sorted(p for p in train_dir.glob("*.txt") if not p.name.endswith(".es.txt"))


def build_profile(lines: Iterable[str], name: str = "qu", *, fold: bool = True) -> dict:
    """langdetect profile (freq, n_words, name) from text lines.

    With `fold`, each line is counted twice: as written and with Quechua spelling
    folded (3 vowels, no aspiration, -nchik...). The sources are mostly Cusco and
    Bolivian 5-vowel text; people also write Ayacucho-style 3-vowel Quechua, and
    the folded copy gives the profile those spellings' n-grams.
    """
    profile = LangProfile(name)
    for line in lines:
        variants = (line, normalize_quechua(line)) if fold else (line,)
        for variant in variants:
            text = prepare(variant)
            if text:
                profile.update(text)
    profile.omit_less_freq()
    return {
        "freq": dict(sorted(profile.freq.items())),
        "n_words": list(profile.n_words),
        "name": name,
    }


def read_lines(paths: Iterable[Path]) -> list[str]:
    lines: list[str] = []
    for path in paths:
        lines.extend(path.read_text(encoding="utf-8").splitlines())
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train-dir", type=Path, default=TRAIN_DIR)
    parser.add_argument("--output", type=Path, default=PROFILE_PATH)
    args = parser.parse_args(argv)
    files = quechua_train_files(args.train_dir)
    if not files:
        print(f"no Quechua training text in {args.train_dir}", file=sys.stderr)
        return 1
    profile = build_profile(read_lines(files))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(
        json.dumps(profile, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8"
    )
    print(
        f"wrote {args.output} ({args.output.stat().st_size} bytes, "
        f"{len(profile['freq'])} n-grams) from {len(files)} files"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
