"""Every citation in topics.yml points at something real.

Digest citations name a digest in ../shared/knowledge, a section of it, and lines of
the source file the digest summarises. These tests read ../shared (never shipped) and
skip when it is absent, e.g. in a checkout without the shared folder.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import pytest

from bot.content import topics as T

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
needs_shared = pytest.mark.skipif(
    not (SHARED / "knowledge").is_dir(),
    reason=f"{SHARED} is not present: citation checks need ../shared/knowledge and ../shared/sources",
)

_REF = re.compile(r"L(\d+)(?:\s*[–-]\s*L?(\d+))?")
_HEADING = re.compile(r"^(#+)\s+(\S+)")
_SOURCE_HEADER = re.compile(r"^Source(?: file)?:\s*`(?:\.\./shared/)?(sources/[^`]+)`", re.M)

DIGEST_CITATIONS = [
    (topic.id, i, source)
    for topic in T.all_topics()
    for i, source in enumerate(topic.sources)
    if source.is_digest
]
OTHER_CITATIONS = [
    (topic.id, i, source)
    for topic in T.all_topics()
    for i, source in enumerate(topic.sources)
    if not source.is_digest
]


def _ids(items):
    return [f"{topic_id}-{i}" for topic_id, i, _ in items]


@lru_cache(maxsize=None)
def digest_text(doc: str) -> str:
    return (SHARED / doc).read_text(encoding="utf-8")


@lru_cache(maxsize=None)
def source_lines(doc: str) -> tuple[Path, list[str]]:
    match = _SOURCE_HEADER.search(digest_text(doc))
    assert match, f"{doc} does not say which source file it digests (a 'Source: `../shared/sources/...`' line)"
    path = SHARED / match.group(1)
    return path, path.read_text(encoding="utf-8").splitlines()


def section_text(doc: str, section: str) -> str:
    """The digest text under the heading for `§1.2` down to the next heading of the same or higher level."""
    number = section.lstrip("§")
    lines = digest_text(doc).splitlines()
    start = level = None
    for i, line in enumerate(lines):
        match = _HEADING.match(line)
        if not match:
            continue
        depth, label = len(match.group(1)), match.group(2).rstrip(".")
        if start is None and label == number:
            start, level = i, depth
        elif start is not None and depth <= level:
            return "\n".join(lines[start:i])
    assert start is not None, f"{doc} has no heading for {section}"
    return "\n".join(lines[start:])


def mentioned_spans(text: str) -> list[tuple[int, int]]:
    return [(int(a), int(b or a)) for a, b in _REF.findall(text)]


def covered(span: tuple[int, int], spans: list[tuple[int, int]]) -> bool:
    return any(lo <= span[0] and span[1] <= hi for lo, hi in spans)


@needs_shared
@pytest.mark.parametrize("topic_id, index, source", DIGEST_CITATIONS, ids=_ids(DIGEST_CITATIONS))
def test_cited_digest_and_sections_exist(topic_id, index, source):
    assert (SHARED / source.doc).is_file(), f"{topic_id} sources[{index}]: no digest {source.doc}"
    for section in source.sections:
        section_text(source.doc, section)  # asserts the heading exists


@needs_shared
@pytest.mark.parametrize("topic_id, index, source", DIGEST_CITATIONS, ids=_ids(DIGEST_CITATIONS))
def test_cited_lines_are_mentioned_by_the_digest_where_cited(topic_id, index, source):
    where = " + ".join(source.sections) or "the whole digest"
    text = "\n".join(section_text(source.doc, s) for s in source.sections) or digest_text(source.doc)
    spans = mentioned_spans(text)
    for span in source.lines:
        label = f"L{span[0]}" if span[0] == span[1] else f"L{span[0]}–L{span[1]}"
        assert covered(span, spans), f"{topic_id} sources[{index}]: {source.doc} {where} never cites {label}"


@needs_shared
@pytest.mark.parametrize("topic_id, index, source", DIGEST_CITATIONS, ids=_ids(DIGEST_CITATIONS))
def test_cited_lines_exist_in_the_source_file(topic_id, index, source):
    path, lines = source_lines(source.doc)
    for start, end in source.lines:
        for number in {start, end}:
            assert number <= len(lines), f"{topic_id} sources[{index}]: {path.name} has {len(lines)} lines, not L{number}"
            assert lines[number - 1].strip(), f"{topic_id} sources[{index}]: {path.name} L{number} is blank"


@pytest.mark.parametrize("topic_id, index, source", OTHER_CITATIONS, ids=_ids(OTHER_CITATIONS))
def test_sources_outside_the_digests_are_named_in_full(topic_id, index, source):
    assert len(source.doc) >= 20, f"{topic_id} sources[{index}]: {source.doc!r} is not a full name"
    assert source.ref or source.url, f"{topic_id} sources[{index}]: say which part (ref) or where (url)"


@pytest.mark.parametrize("topic", [t for t in T.all_topics() if t.kind == "faq"], ids=lambda t: t.id)
def test_every_prevention_answer_cites_the_source_documents(topic):
    assert any(s.is_digest and s.lines for s in topic.sources), f"{topic.id} cites no digest lines"


def test_line_reference_parser_reads_digest_styles():
    # Both digests are read with one parser: en dash (plan) and hyphen (balance) ranges.
    assert mentioned_spans("(L107–L116) and (L133-L138), L95") == [(107, 116), (133, 138), (95, 95)]
    assert covered((110, 112), [(107, 116)]) and not covered((100, 110), [(107, 116)])
