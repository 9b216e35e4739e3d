"""Front-end rules that a reviewer would otherwise check by hand: CSP-safe templates, no browser
storage, labelled form controls, a skip link, and WCAG AA contrast for the colours in use."""
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

CONSOLE = Path(__file__).resolve().parents[2] / "bot" / "console"
TEMPLATES = sorted((CONSOLE / "templates").glob("*.html"))
SCRIPTS = sorted((CONSOLE / "static").glob("*.js"))
CSS = (CONSOLE / "static" / "console.css").read_text()


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.name)
def test_templates_have_no_inline_script_style_or_handlers(path):
    text = path.read_text()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), "inline <script> (blocked by the CSP)"
    assert "<style" not in text and not re.search(r'\sstyle="', text), "inline style (blocked by the CSP)"
    assert not re.search(r"\son[a-z]+=", text), "inline event handler (blocked by the CSP)"
    assert "javascript:" not in text


@pytest.mark.parametrize("path", SCRIPTS, ids=lambda p: p.name)
def test_scripts_keep_nothing_in_browser_storage(path):
    text = path.read_text()
    for forbidden in ("localStorage", "sessionStorage", "indexedDB", "document.cookie", "innerHTML = data.text"):
        assert forbidden not in text, forbidden


def test_scripts_put_message_text_in_the_page_as_text_only():
    chat = (CONSOLE / "static" / "chat.js").read_text()
    assert "textContent" in chat and "innerHTML" not in chat


class _Controls(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids, self.labels, self.unlabelled = set(), set(), []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "label" and a.get("for"):
            self.labels.add(a["for"])
        if tag in ("input", "select", "textarea") and a.get("type") not in ("hidden", "submit"):
            if a.get("aria-label") or a.get("aria-labelledby"):
                return
            self.ids.add(a.get("id"))
            if not a.get("id"):
                self.unlabelled.append(tag)


def test_every_form_control_on_the_main_pages_has_a_label(people, browser, make_case, rasa):
    p1, conv = make_case("p1", channel="web")
    rasa.conversation(conv, ("user", "hola"))
    sup, admin = browser(people["supervisor"]), browser(people["admin"])
    pages = [sup.get(u).text for u in ("/queue", f"/cases/{p1.case_id}", "/cases/new", "/stats", "/audit",
                                       "/directory", "/chat")]
    pages += [admin.get(u).text for u in ("/admin/users",)]
    pages.append(browser(None).get("/login").text)
    for html in pages:
        parser = _Controls()
        parser.feed(html)
        assert not parser.unlabelled, parser.unlabelled
        missing = {i for i in parser.ids if i} - parser.labels
        assert not missing, missing
        assert 'class="skip" href="#main"' in html and 'id="main"' in html


def _hex(value):
    value = value.strip().lstrip("#")
    if len(value) == 3:
        value = "".join(c * 2 for c in value)
    return tuple(int(value[i:i + 2], 16) / 255 for i in (0, 2, 4))


def _luminance(rgb):
    def channel(c):
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a, b):
    la, lb = sorted((_luminance(_hex(a)), _luminance(_hex(b))), reverse=True)
    return (la + 0.05) / (lb + 0.05)


VARS = dict(re.findall(r"--([a-z0-9-]+):\s*(#[0-9a-fA-F]{3,6})", CSS))
PAIRS = [  # (text, background, where)
    ("ink", "bg", "body text"), ("muted", "bg", "muted text"), ("muted", "card", "muted text on cards"),
    ("accent", "card", "links and secondary buttons"), ("accent-ink", "accent", "primary buttons"),
    ("danger", "card", "errors"), ("#ffffff", "p1", "P1 badge"), ("p2", "p2-bg", "P2 badge"),
    ("p3", "p3-bg", "P3 badge"), ("#7d0f12", "p1-bg", "P1 row link"), ("ink", "p1-bg", "P1 row text"),
    ("#ffffff", "#12263f", "header"), ("ink", "#fff4d6", "operator message"), ("ink", "#dbe9f8", "person message"),
    ("ink", "#eceff1", "assistant message"), ("accent", "#e8f1fb", "notice links"), ("muted", "#f3f4f6", "notes"),
]


@pytest.mark.parametrize("fg,bg,where", PAIRS, ids=[p[2] for p in PAIRS])
def test_text_colours_meet_wcag_aa(fg, bg, where):
    a, b = VARS.get(fg, fg), VARS.get(bg, bg)
    assert contrast(a, b) >= 4.5, f"{where}: {a} on {b} is {contrast(a, b):.2f}:1"


def test_focus_is_always_visible():
    assert ":focus-visible" in CSS and "outline: 3px solid var(--focus)" in CSS


def test_priority_is_never_told_by_colour_alone(people, browser, make_case):
    p1, _ = make_case("p1")
    html = browser(people["operator"]).get("/queue").text
    badge = re.search(r'<span class="prio prio-p1"><span aria-hidden="true">(.)</span> P1 · Urgente ahora</span>', html)
    assert badge and badge.group(1) == "⚠"            # colour + icon + words
    assert re.search(rf'<tr class="row-p1[^"]*" data-case-id="{p1.case_id}">', html)
