"""`willakuy lang TEXT` and `willakuy lang -` (one text per line from stdin)."""
from __future__ import annotations

import argparse
import json
import sys
from typing import BinaryIO, Iterable, Iterator, TextIO

# Lines longer than this are not chat messages; they get "und" unread.
MAX_LINE_BYTES = 65536


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "lang",
        help="identify the language of a text (es, qu, other, und)",
        description=(
            "Print {\"lang\": ..., \"confidence\": ...} as one JSON line. "
            "With '-', read one text per line from stdin and print one JSON line per input."
        ),
    )
    parser.add_argument("text", nargs="+", help="the text, or '-' to read lines from stdin")
    parser.set_defaults(func=run)


def result_line(text: str) -> str:
    from bot.language.detect import detect

    detection = detect(text)
    return json.dumps({"lang": detection.lang, "confidence": detection.confidence})


def _decoded_lines(stream: BinaryIO) -> Iterator[str | None]:
    """Lines as text; None for a line too long to be a message."""
    while True:
        raw = stream.readline(MAX_LINE_BYTES + 1)
        if not raw:
            return
        if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
            while raw and not raw.endswith(b"\n"):  # skip the rest of the line
                raw = stream.readline(MAX_LINE_BYTES)
            yield None
            continue
        yield raw.rstrip(b"\r\n").decode("utf-8", errors="replace")


def process_lines(lines: Iterable[str | None], out: TextIO, *, flush_each: bool = False) -> int:
    """Write one JSON line per input line; returns how many lines were written."""
    undetermined = json.dumps({"lang": "und", "confidence": 0.0})
    count = 0
    for line in lines:
        out.write((result_line(line) if line is not None else undetermined) + "\n")
        if flush_each:
            out.flush()
        count += 1
    return count


def run(args: argparse.Namespace) -> int:
    if args.text == ["-"]:
        stdin = sys.stdin
        process_lines(_decoded_lines(stdin.buffer), sys.stdout, flush_each=stdin.isatty())
        sys.stdout.flush()
        return 0
    print(result_line(" ".join(args.text)))
    return 0
