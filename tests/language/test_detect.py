import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.language.detect import Detection, detect, model

ROOT = Path(__file__).resolve().parents[2]

# Quechua examples in these tests: review: pending-native-review


@pytest.mark.parametrize(
    "text",
    [
        "hola",
        "gracias",
        "quiero denunciar un caso",
        "me ofrecen trabajo en Puerto Maldonado, pagan 3000, ¿es seguro?",
        "mi prima se fue con una señora y no sabemos nada",
        "¿cómo va mi caso K7M4-9QXT?",
        "me tienen encerrada, ayúdenme",
        "¿qué es la trata?",
        "voy a viajar a Qosqo mañana",
    ],
)
def test_spanish_chat_messages(text):
    assert detect(text).lang == "es"


@pytest.mark.parametrize(
    "text",
    [
        "arí",
        "manam",
        "sulpayki",
        "allinllachu",
        "napaykullayki",
        "tupananchikkama",
        "yanapaway, wichqasqa kachkani",
        "imataq trata de personas?",
        "runawan rimayta munani",
        "Ñuqaqa Qusqu llaqtapi llamk'achkani, yanapawankichu?",
        "noqaqa qosqo llaqtapi llank'ani",
        "astawan willaway",
        "robotchu kanki?",
    ],
)
def test_quechua_chat_messages(text):
    assert detect(text).lang == "qu"


@pytest.mark.parametrize(
    "text",
    [
        "denunciayta munani",
        "trabajota maskachkani",
        "Limapi trabajo nisqata maskachkani",
        "oficinaman rinay kan, ofertakunata qhawanaypaq",
    ],
)
def test_spanish_quechua_code_switching_is_quechua(text):
    assert detect(text).lang == "qu"


@pytest.mark.parametrize(
    "text, lang",
    [
        ("hello, how are you? I need help", "en"),
        ("Olá, eu preciso de ajuda com uma oferta de emprego no Brasil, obrigado", "pt"),
        ("Bonjour, je voudrais savoir comment signaler une offre de travail suspecte", "fr"),
    ],
)
def test_other_languages_get_their_code(text, lang):
    assert detect(text).lang == lang


@pytest.mark.parametrize("text", ["", "   ", "👍", "😊🙏", "123", "?!...", "ok", "jajaja", "\x00\ufffd\ufffd\x01"])
def test_nothing_to_go_on_is_und(text):
    result = detect(text)
    assert result.lang == "und"


def test_non_text_is_und():
    assert detect(None).lang == "und"  # type: ignore[arg-type]
    assert detect(b"hola").lang == "und"  # type: ignore[arg-type]


def test_detection_shape():
    result = detect("denunciayta munani")
    assert isinstance(result, Detection)
    assert 0.0 <= result.confidence <= 1.0
    assert result.scores and max(result.scores, key=result.scores.get) == result.lang
    assert result.words == 2
    assert result.marked == 2
    assert result.as_dict()["lang"] == "qu"


def test_evidence_does_not_contain_the_message():
    text = "Maria Quispe denunciayta munani"
    evidence = " ".join(detect(text).evidence).lower()
    for word in text.lower().split():
        assert word not in evidence


def test_set_phrases_are_not_marked():
    assert detect("muchas gracias").marked == 0
    assert detect("arí").marked == 0
    assert detect("yanapaway kunan").marked == 2


def test_long_input_is_handled():
    assert detect("hola " * 100_000).lang == "es"


def test_same_result_on_repeated_calls():
    texts = ["arí", "ya pues", "trabajota maskachkani", "hola qosqo", "kay", "pi"]
    first = [detect(t) for t in texts]
    for _ in range(5):
        assert [detect(t) for t in texts] == first


def test_same_result_in_fresh_processes():
    texts = ["arí", "ya pues", "trabajota maskachkani", "hola qosqo", "kay", "pi", "mana allin"]
    code = (
        "import json,sys\n"
        "from bot.language.detect import detect\n"
        "texts=json.loads(sys.argv[1])\n"
        "print(json.dumps([detect(t).as_dict() for t in texts]))\n"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", code, json.dumps(texts)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
            env={"PYTHONHASHSEED": seed, "PATH": "/usr/bin:/bin"},
        ).stdout
        for seed in ("0", "1", "12345")
    }
    assert len(outputs) == 1
    assert json.loads(outputs.pop()) == [detect(t).as_dict() for t in texts]


def test_profiles_are_loaded_once():
    assert model() is model()
    assert "qu" in model().langs and "es" in model().langs
    assert len(model().langs) == 56
