import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytest.importorskip("rasa")

from rasa.engine.recipes.default_recipe import DefaultV1Recipe  # noqa: E402
from rasa.shared.nlu.constants import ENTITIES, TEXT  # noqa: E402
from rasa.shared.nlu.training_data.message import Message  # noqa: E402
from rasa.shared.nlu.training_data.training_data import TrainingData  # noqa: E402

from bot.language.component import LANGUAGE_DETECTION, TEXT_ORIGINAL, LanguageIdentifier  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


def component(**config) -> LanguageIdentifier:
    return LanguageIdentifier({**LanguageIdentifier.get_default_config(), **config})


def entity(text: str, word: str, value: str | None = None, name: str = "language") -> dict:
    start = text.index(word)
    return {"start": start, "end": start + len(word), "value": value or word, "entity": name}


def test_inference_adds_detection_as_output_and_normalises_text():
    message = Message({TEXT: "Llamk’ayta  maskachkani, Qosqopi"})
    component().process([message])
    assert message.get(TEXT) == "llankayta maskachkani, qusqupi"
    assert message.get(TEXT_ORIGINAL) == "Llamk’ayta  maskachkani, Qosqopi"
    output = message.as_dict(only_output_properties=True)
    assert output[LANGUAGE_DETECTION]["lang"] == "qu"
    assert set(output[LANGUAGE_DETECTION]) == {"lang", "confidence", "evidence"}
    assert output[TEXT_ORIGINAL] == "Llamk’ayta  maskachkani, Qosqopi"


def test_spanish_text_is_only_generically_normalised():
    message = Message({TEXT: "¿Qué es la TRATA de personas?"})
    component().process([message])
    assert message.get(TEXT) == "¿que es la trata de personas?"
    assert message.get(LANGUAGE_DETECTION)["lang"] == "es"


def test_training_and_inference_see_the_same_text():
    texts = ["Runasimipi rimaway", "Ñoqa Qosqopi llank'ani", "quiero DENUNCIAR", "Denunciayta munani"]
    training = TrainingData([Message({TEXT: t, "intent": "x"}) for t in texts])
    component().process_training_data(training)
    inference = [Message({TEXT: t}) for t in texts]
    component().process(inference)
    assert [m.get(TEXT) for m in training.training_examples] == [m.get(TEXT) for m in inference]


def test_entity_spans_follow_the_normalised_text():
    text = "Háblame  en   QHICHWAPI, por favor"
    literal = "Caso K7M4-9QXT de Ñoqa"
    examples = [
        Message({TEXT: text, "intent": "choose_language", ENTITIES: [entity(text, "QHICHWAPI", "qu")]}),
        Message({TEXT: literal, "intent": "case_status", ENTITIES: [entity(literal, "K7M4-9QXT", name="case_code")]}),
    ]
    training = TrainingData(examples)
    component().process_training_data(training)
    moved = examples[0].get(ENTITIES)[0]
    assert examples[0].get(TEXT)[moved["start"] : moved["end"]] == "qichwapi"
    assert moved["value"] == "qu"  # a synonym value is kept
    code = examples[1].get(ENTITIES)[0]
    assert examples[1].get(TEXT)[code["start"] : code["end"]] == "k7m4-9qxt"
    assert code["value"] == "k7m4-9qxt"  # a literal value follows the text
    assert code["entity"] == "case_code"


def test_synonyms_and_lookup_tables_get_normalised_copies():
    training = TrainingData(
        [Message({TEXT: "hola", "intent": "greet"})],
        entity_synonyms={"Español": "es", "Qhichwa": "qu"},
        lookup_tables=[{"name": "language", "elements": ["Español", "Qhichwa"]}],
    )
    component().process_training_data(training)
    assert training.entity_synonyms["español"] == "es"
    assert training.entity_synonyms["qichwa"] == "qu"
    assert training.entity_synonyms["Español"] == "es"
    assert {"español", "qichwa", "Español"} <= set(training.lookup_tables[0]["elements"])


def test_normalisation_can_be_turned_off():
    message = Message({TEXT: "Qosqopi"})
    component(normalize=False).process([message])
    assert message.get(TEXT) == "Qosqopi"
    assert message.get(LANGUAGE_DETECTION)["lang"] == "qu"


def test_messages_without_text_are_left_alone():
    message = Message({"action_name": "utter_greet"})
    component().process([message])
    assert message.get(LANGUAGE_DETECTION) is None


def test_registered_first_in_the_default_recipe_pipeline():
    from rasa.engine.recipes.recipe import Recipe

    config = {
        "recipe": "default.v1",
        "language": "es",
        "pipeline": [
            {"name": "bot.language.component.LanguageIdentifier"},
            {"name": "WhitespaceTokenizer"},
            {"name": "CountVectorsFeaturizer"},
        ],
        "policies": [],
    }
    graph = Recipe.recipe_for_name("default.v1").graph_config_for_recipe(config, {})
    train_node = graph.train_schema.nodes["run_bot.language.component.LanguageIdentifier0"]
    assert train_node.fn == "process_training_data"
    assert train_node.needs["training_data"] == "nlu_training_data_provider"
    tokenizer = graph.train_schema.nodes["run_WhitespaceTokenizer1"]
    assert tokenizer.needs["training_data"] == "run_bot.language.component.LanguageIdentifier0"
    predict_node = graph.predict_schema.nodes["run_bot.language.component.LanguageIdentifier0"]
    assert predict_node.fn == "process"
    assert DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER in DefaultV1Recipe._from_registry(
        "LanguageIdentifier"
    ).types


@pytest.mark.skipif(
    os.environ.get("WILLAKUY_SLOW_TESTS") != "1",
    reason="trains a Rasa model (about a minute); set WILLAKUY_SLOW_TESTS=1",
)
def test_trained_model_returns_language_detection(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "config.yml").write_text(textwrap.dedent("""
        recipe: default.v1
        language: es
        assistant_id: languagetest
        pipeline:
          - name: bot.language.component.LanguageIdentifier
          - name: WhitespaceTokenizer
          - name: CountVectorsFeaturizer
            analyzer: char_wb
            min_ngram: 1
            max_ngram: 4
          - name: DIETClassifier
            epochs: 2
        policies: []
        """))
    (tmp_path / "domain.yml").write_text('version: "3.1"\nintents: [greet, report_case]\n')
    (tmp_path / "data" / "nlu.yml").write_text(textwrap.dedent("""
        version: "3.1"
        nlu:
        - intent: greet
          examples: |
            - hola
            - allinllachu
        - intent: report_case
          examples: |
            - quiero denunciar
            - denunciayta munani
        """))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    rasa = Path(sys.executable).with_name("rasa")
    subprocess.run(
        [str(rasa), "train", "nlu", "--fixed-model-name", "m", "--out", "models"],
        cwd=tmp_path, env=env, check=True, capture_output=True,
    )
    code = (
        "import asyncio, json\n"
        "from rasa.core.agent import Agent\n"
        "agent = Agent.load('models/m.tar.gz')\n"
        "print(json.dumps(asyncio.run(agent.parse_message('Denunciayta munani'))['language_detection']))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, check=True, capture_output=True, text=True)
    assert '"lang": "qu"' in done.stdout.splitlines()[-1]
