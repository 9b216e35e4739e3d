"""Splitting, numbered options and typed-text guards."""
from __future__ import annotations

from integrations.formatting import (
    callback_data,
    guard_typed_text,
    match_option,
    max_length,
    split_text,
    utf16_len,
)
from integrations.replies import Reply, continue_sms, format_replies

OPTIONS = [{"title": "Castellano", "payload": "/choose_language{\"language\": \"es\"}"},
           {"title": "Runasimi (quechua)", "payload": "/choose_language{\"language\": \"qu\"}"}]


def test_split_prefers_paragraphs_then_sentences_then_words():
    text = "Primero esto. Luego aquello.\n\nSegundo párrafo aquí."
    assert split_text(text, max_length(40)) == ["Primero esto. Luego aquello.", "Segundo párrafo aquí."]
    assert split_text("Una frase corta. Otra frase un poco más larga.", max_length(30)) == [
        "Una frase corta.", "Otra frase un poco más larga."]
    assert split_text("palabra " * 10, max_length(20)) == ["palabra palabra", "palabra palabra",
                                                          "palabra palabra", "palabra palabra",
                                                          "palabra palabra"]
    assert split_text("x" * 25, max_length(10)) == ["x" * 10, "x" * 10, "x" * 5]


def test_utf16_length_counts_emoji_twice():
    assert utf16_len("hola") == 4 and utf16_len("👋") == 2 and utf16_len("ñ") == 1


def test_options_match_by_number_title_or_keycap():
    assert match_option("2", OPTIONS) == OPTIONS[1]["payload"]
    assert match_option(" 1. ", OPTIONS) == OPTIONS[0]["payload"]
    assert match_option("2️⃣", OPTIONS) == OPTIONS[1]["payload"]
    assert match_option("runasimi (QUECHUA)", OPTIONS) == OPTIONS[1]["payload"]
    assert match_option("3", OPTIONS) is None and match_option("12", OPTIONS) is None
    assert match_option("1", []) is None and match_option("tengo 1 hermana", OPTIONS) is None


def test_long_payloads_travel_by_option_number_on_telegram():
    assert callback_data("/greet", 1) == "/greet"
    assert callback_data("/inform" + '{"x": "' + "a" * 80 + '"}', 3) == "opt:3"


def test_typed_text_cannot_pose_as_an_intent():
    assert guard_typed_text('/emergency{"x": 1}') == 'emergency{"x": 1}'
    assert guard_typed_text("  //greet") == "greet"
    assert guard_typed_text("hola / chau") == "hola / chau"


def test_each_channel_formats_buttons_its_own_way():
    replies = [Reply("¿En qué idioma?", tuple(OPTIONS))]
    telegram = format_replies("telegram", replies)
    assert telegram.parts[0].body == "¿En qué idioma?"
    assert telegram.parts[0].extra["inline_keyboard"][1] == [
        {"text": "Runasimi (quechua)", "callback_data": OPTIONS[1]["payload"]}]
    whatsapp = format_replies("whatsapp", replies, "qu")
    assert whatsapp.parts[0].body == "¿En qué idioma?\n\n1. Castellano\n2. Runasimi (quechua)\nNumerowan kutichimuy."
    assert whatsapp.options == OPTIONS
    sms = format_replies("sms", [Reply("Hola."), Reply("¿En qué idioma?", tuple(OPTIONS))])
    assert len(sms.parts) == 1 and sms.parts[0].body.startswith("Hola.\n\n¿En qué idioma?\n\n1. Castellano")


def test_numbering_continues_across_one_turn():
    first = Reply("A", ({"title": "uno", "payload": "/a"},))
    second = Reply("B", ({"title": "dos", "payload": "/b"}, {"title": "tres", "payload": "/c"}))
    formatted = format_replies("whatsapp", [first, second])
    assert "1. uno" in formatted.parts[0].body and "2. dos" in formatted.parts[1].body
    assert [o["payload"] for o in formatted.options] == ["/a", "/b", "/c"]


def test_whatsapp_parts_respect_twilios_1600_characters():
    text = ("Una oración de prueba sobre ofertas de trabajo. " * 80).strip()
    formatted = format_replies("whatsapp", [Reply(text)])
    assert len(formatted.parts) == 3 and all(len(part.body) <= 1600 for part in formatted.parts)


def test_sms_continuation_keeps_the_rest():
    text = "\n\n".join(["Párrafo número uno con bastante texto para ocupar espacio en el mensaje."] * 12)
    formatted = format_replies("sms", [Reply(text)])
    assert formatted.more and formatted.parts[0].body.endswith("(Responde MAS para leer el resto)")
    follow = continue_sms(formatted.more)
    assert follow.parts[0].body.startswith("Parrafo numero uno")
