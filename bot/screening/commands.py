"""`willakuy screen`: rate a job offer from the command line.

    willakuy screen "Se busca señoritas, pasajes pagados, Puerto Maldonado"
    cat offers.txt | willakuy screen -        # one offer per line, one JSON line each

A stdin line may also be a JSON object with "text" (and optional "lang"), or a JSON
string, so adverts with line breaks fit on one line. Output never contains a
traceback: a bad line gets {"error": ...} and the others go on.
"""
from __future__ import annotations

import argparse
import json
import sys
from typing import Any, TextIO

from bot.screening.catalog import CatalogError

MAX_LINE_CHARS = 100_000


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "screen",
        help="rate a job offer's risk of trafficking recruitment (Spanish/Quechua)",
        description="Print {risk, score, indicators} as JSON for an offer's text. "
                    "Use '-' to read one offer per line from stdin.",
    )
    p.add_argument("text", help="the offer's text, or '-' to read one offer per line from stdin")
    p.add_argument("--lang", choices=("es", "qu"), help="language of the explanation (default: guessed)")
    p.add_argument("--answers", help='answers to the guided questions as JSON, e.g. \'{"age": "under_18"}\'')
    p.add_argument("--full", action="store_true", help="also print weights, rules and flags")
    p.add_argument("--explain", action="store_true", help="also print the message bubbles for the person")
    p.set_defaults(func=run)


def _one(text: Any, args: argparse.Namespace, answers: dict | None, lang: str | None) -> dict[str, Any]:
    from bot.screening.explain import explain
    from bot.screening.screener import screen, screen_with_answers

    if not isinstance(text, str):
        return {"error": "the offer must be text"}
    if not text.strip() and not answers:
        return {"error": "empty offer: give the advert's text or describe the offer"}
    if len(text) > MAX_LINE_CHARS:
        text = text[:MAX_LINE_CHARS]
    result = screen_with_answers(text, answers, lang=lang) if answers else screen(text, lang=lang)
    out = result.to_dict(full=args.full)
    if args.explain:
        out["messages"] = explain(result, lang or result.lang)
    return out


def _safe(text: Any, args: argparse.Namespace, answers: dict | None, lang: str | None) -> dict[str, Any]:
    try:
        return _one(text, args, answers, lang)
    except CatalogError:
        raise
    except ValueError as exc:
        return {"error": str(exc)}
    except Exception as exc:  # noqa: BLE001 - one bad offer must not stop a batch
        return {"error": f"internal error ({type(exc).__name__}); please report it"}


def _parse_line(line: str) -> tuple[Any, str | None]:
    stripped = line.strip()
    if stripped.startswith("{"):
        try:
            obj = json.loads(stripped)
        except json.JSONDecodeError:
            return line, None
        if isinstance(obj, dict) and "text" in obj:
            lang = obj.get("lang") if obj.get("lang") in ("es", "qu") else None
            return obj["text"], lang
        return line, None
    if stripped.startswith('"'):
        try:
            obj = json.loads(stripped)
        except json.JSONDecodeError:
            return line, None
        return (obj, None) if isinstance(obj, str) else (line, None)
    return line, None


def _emit(obj: dict[str, Any], out: TextIO) -> None:
    out.write(json.dumps(obj, ensure_ascii=False) + "\n")


def run(args: argparse.Namespace, stdin: TextIO | None = None, stdout: TextIO | None = None) -> int:
    out = stdout or sys.stdout
    try:
        answers = None
        if args.answers:
            try:
                answers = json.loads(args.answers)
            except json.JSONDecodeError as exc:
                print(f"willakuy screen: --answers is not valid JSON: {exc}", file=sys.stderr)
                return 2
            if not isinstance(answers, dict):
                print("willakuy screen: --answers must be a JSON object", file=sys.stderr)
                return 2
        if args.text != "-":
            result = _safe(args.text, args, answers, args.lang)
            _emit(result, out)
            return 1 if "error" in result else 0
        source = stdin or sys.stdin
        # Read bytes when we can, so a stray invalid byte costs one "?" and not the run.
        lines = (
            (raw.decode("utf-8", errors="replace") for raw in source.buffer)
            if stdin is None and hasattr(source, "buffer") else source
        )
        for line in lines:
            text, lang = _parse_line(line.rstrip("\r\n"))
            result = _safe(text, args, answers, lang or args.lang)
            _emit(result, out)
        out.flush()
        return 0
    except CatalogError as exc:
        print(f"willakuy screen: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
