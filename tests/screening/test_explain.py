"""explain(): phone-sized bubbles, in Spanish or Quechua, in a safe order."""
import json
import re
from pathlib import Path

import pytest

from bot.screening import explain, screen, screen_with_answers
from bot.screening.explain import MAX_BUBBLE, default_values

DEV = Path(__file__).resolve().parents[2] / "bench" / "data" / "offers_dev.jsonl"
VALUES = {"police_number": "105", "hotline_label": "Línea 1818, opción 1", "hotline_number": "1818",
          "abroad_label": "el consulado del Perú más cercano", "violence_line_number": "100"}


def texts():
    return [json.loads(line)["text"] for line in DEV.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.mark.parametrize("lang", ["es", "qu"])
def test_every_bubble_fits_a_phone_and_no_placeholder_is_left(lang):
    for text in texts():
        for bubble in explain(screen(text), lang, VALUES):
            assert 0 < len(bubble) <= MAX_BUBBLE, (len(bubble), bubble)
            assert not re.search(r"\{[a-z_]+\}", bubble), bubble


@pytest.mark.parametrize("text,lang,word", [
    ("me quitaron mi DNI", "es", "Riesgo ALTO"),
    ("trabajo en minería", "es", "Riesgo BAJO"),
    ("tengo 16 años", "es", "Riesgo MEDIO"),
    ("me quitaron mi DNI", "qu", "ANCHA PELIGRO"),
    ("trabajo en minería", "qu", "PISI PELIGRO"),
    ("tengo 16 años", "qu", "CHAWPI PELIGRO"),
])
def test_risk_in_plain_words(text, lang, word):
    assert word in explain(screen(text), lang, VALUES)[0]


def test_reasons_quote_the_offer_and_advice_names_the_registry():
    bubbles = explain(screen("Agencia de empleos: inscripción S/ 200, trabajo en Argentina"), "es", VALUES)
    joined = "\n".join(bubbles)
    assert "«inscripción S/ 200»" in joined
    assert "Registro Nacional de Agencias Privadas de Empleo" in joined and "MTPE" in joined
    assert "no te cobra" in joined


def test_high_risk_offers_a_case_and_always_a_human():
    bubbles = explain(screen("pasajes pagados, damas de compañía en Mazuko"), "es", VALUES)
    assert any("abro un caso de orientación" in b for b in bubbles)
    assert "OPERADOR" in bubbles[-1] and "Línea 1818, opción 1" in bubbles[-1]
    low = explain(screen("Panadería busca ayudante"), "es", VALUES)
    assert not any("caso de orientación" in b for b in low) and "OPERADOR" in low[-1]


def test_danger_comes_first_with_the_police_number():
    for lang in ("es", "qu"):
        bubbles = explain(screen("nos tienen encerradas y nos amenazan"), lang, VALUES)
        assert bubbles[0].startswith("⚠️") and "105" in bubbles[0] and "OPERADOR" in bubbles[0]


def test_quechua_is_not_spanish():
    r = screen("Se busca señoritas para karaoke en Juliaca, pasajes pagados")
    es, qu = explain(r, "es", VALUES), explain(r, "qu", VALUES)
    assert es[0] != qu[0] and not set(es[1:-1]) & set(qu[1:-1])
    assert "Imatataq ruwanki" in "\n".join(qu)


def test_answers_are_explained_without_quoting_text():
    r = screen_with_answers("", {"documents": "yes"})
    joined = "\n".join(explain(r, "es", VALUES))
    assert "«lo que respondiste»" in joined


def test_values_come_from_the_helplines_file_by_default():
    values = default_values()
    assert values["police_number"] == "105" and values["hotline_label"]
    bubbles = explain(screen("no me dejan salir"), "es")
    assert "105" in bubbles[0]


def test_language_defaults_to_the_guessed_one():
    r = screen("Puerto Maldonadoman llamk'aq risun, pasajeta qusqayki")
    assert "ANCHA PELIGRO" in explain(r, None, VALUES)[0]
