"""Canned replies (``canned_replies.yml``) with helpline numbers filled in from configuration."""
from __future__ import annotations

import functools
import string
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.config import template_values

FILE = Path(__file__).resolve().parent / "canned_replies.yml"
LANGUAGES = ("es", "qu")


class CannedError(ValueError):
    pass


@dataclass(frozen=True)
class Canned:
    id: str
    title: str
    texts: dict[str, str]      # language -> template
    pending_review: tuple[str, ...]

    def text(self, language: str, operator_name: str) -> str:
        template = self.texts.get(language) or self.texts["es"]
        return template.format(operator_name=operator_name, **template_values())


@functools.lru_cache(maxsize=1)
def load(path: Path = FILE) -> tuple[Canned, ...]:
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    pending = tuple(lang for lang, state in (data.get("review") or {}).items() if state == "pending-native-review")
    known = set(template_values()) | {"operator_name"}
    out, seen = [], set()
    for entry in data.get("replies") or []:
        cid = entry.get("id")
        if not cid or cid in seen:
            raise CannedError(f"{path.name}: missing or repeated id {cid!r}")
        seen.add(cid)
        texts = {lang: entry[lang] for lang in LANGUAGES if entry.get(lang)}
        if "es" not in texts or not entry.get("title"):
            raise CannedError(f"{path.name}: {cid}: needs a title and a Spanish text")
        for lang, text in texts.items():
            for _, name, _, _ in string.Formatter().parse(text):
                if name and name not in known:
                    raise CannedError(f"{path.name}: {cid}.{lang}: unknown placeholder {{{name}}}")
        out.append(Canned(cid, entry["title"], texts, pending))
    return tuple(out)


def get(canned_id: str) -> Canned | None:
    return next((c for c in load() if c.id == canned_id), None)


def for_form(language: str, operator_name: str) -> list[dict]:
    """Options for the reply form: id, title and the text in the conversation's language."""
    lang = language if language in LANGUAGES else "es"
    return [{"id": c.id, "title": c.title, "text": c.text(lang, operator_name),
             "pending_review": lang in c.pending_review and lang != "es"} for c in load()]
