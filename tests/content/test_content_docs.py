"""docs/content-sources.md is generated from topics.yml and must match it."""
from __future__ import annotations

from bot.content import docs
from bot.content import topics as T


def test_committed_doc_is_up_to_date_with_topics_yml():
    committed = docs.OUTPUT.read_text(encoding="utf-8") if docs.OUTPUT.exists() else ""
    assert committed == docs.build(), "docs/content-sources.md is stale: run python -m bot.content.docs"


def test_doc_shows_every_answer_as_sent_with_its_sources():
    text = docs.build()
    values = docs.repository_values()
    for topic in T.all_topics():
        assert f"### `{topic.id}`" in text
        for lang in T.LANGUAGES:
            for level in T.LEVELS:
                for bubble in T.render(topic.id, lang, level, values):
                    assert f"> {bubble}\n" in text, f"{topic.id} {lang}.{level} is not shown as rendered"
        for source in topic.sources:
            assert source.doc in text, f"{topic.id}: source {source.doc} not listed"


def test_doc_states_which_quechua_awaits_native_review():
    text = docs.build()
    review_section = text.split("## Quechua awaiting native review", 1)[1].split("\n## ", 1)[0]
    pending = [t.id for t in T.all_topics() if t.texts["qu"].review == "pending-native-review"]
    for topic_id in pending:
        assert f"`{topic_id}`" in review_section, f"{topic_id} not listed as awaiting review"
    if pending:
        assert "No Quechua text has been checked by a native speaker" in review_section


def test_doc_lists_facts_from_outside_the_sources():
    text = docs.build()
    outside = text.split("## Facts from outside", 1)[1].split("\n## ", 1)[0]
    for topic in T.all_topics():
        for source in topic.sources:
            if not source.is_digest:
                assert source.doc in outside, f"{source.doc} missing from the outside-sources list"


def test_check_mode_reports_a_stale_file(tmp_path):
    stale = tmp_path / "content-sources.md"
    stale.write_text("old\n", encoding="utf-8")
    assert docs.main(["--check", "--output", str(stale)]) == 1
    assert docs.main(["--output", str(stale)]) == 0
    assert docs.main(["--check", "--output", str(stale)]) == 0
