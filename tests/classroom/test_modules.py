"""Module files: the shipped modules load and are grounded; broken files fail with file, field, problem."""
from __future__ import annotations

import copy
import re

import pytest
import yaml

from bot.classroom import modules
from bot.classroom.modules import ModuleError, load_file, load_modules, parse_module
from tests.conftest import PROJECT, SHARED

# A git worktree sits one level deeper than the main checkout; its ../shared is further up.
if not (SHARED / "knowledge").is_dir() and (PROJECT.parent.parent / "shared" / "knowledge").is_dir():
    SHARED = PROJECT.parent.parent / "shared"

SHIPPED = sorted(modules.MODULES_DIR.glob("*.yml"))


def raw(name: str = "ofertas_enganosas") -> dict:
    return yaml.safe_load((modules.MODULES_DIR / f"{name}.yml").read_text(encoding="utf-8"))


def error_of(data, file="ofertas_enganosas.yml") -> ModuleError:
    with pytest.raises(ModuleError) as info:
        parse_module(data, file)
    return info.value


def test_the_three_modules_load_in_both_languages_and_say_quechua_is_not_reviewed():
    loaded = load_modules()
    assert set(loaded) == {"ofertas_enganosas", "redes_sociales", "derechos_ayuda"}
    titles = {m.title["es"] for m in loaded.values()}
    assert titles == {"Ofertas de trabajo engañosas", "Cómo captan por redes sociales", "Mis derechos y dónde pedir ayuda"}
    for module in loaded.values():
        assert module.languages() == ("es", "qu")
        assert module.review == "pending native speaker"
        assert len(module.questions) >= 3
        assert all(sum(c.correct for c in q.choices) == 1 for q in module.questions)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_every_cited_line_exists_in_the_source_the_digest_names(path):
    """Each digest citation names lines of a source file; those lines must exist and be cited by the digest."""
    if not (SHARED / "knowledge").is_dir():
        pytest.skip("../shared/knowledge is not present")
    module = load_file(path)
    for question in module.questions:
        for source in question.sources:
            if not source.doc.startswith("knowledge/"):
                assert source.ref, question.id
                continue
            digest = (SHARED / source.doc).read_text(encoding="utf-8")
            source_file = re.search(r"sources/(\d{3}_[0-9a-f]+\.txt)", digest).group(1)
            length = len((SHARED / "sources" / source_file).read_text(encoding="utf-8").splitlines())
            for ref in source.lines:
                first = int(re.match(r"L(\d+)", ref).group(1))
                assert 1 <= first <= length, (path.name, question.id, ref)
                assert f"L{first}" in digest, f"{path.name} {question.id}: {ref} is not cited in {source.doc}"
            if source.section:
                assert f"### {source.section[1:]}" in digest or f"## {source.section[1:]}" in digest, source.section


def test_a_missing_field_names_file_and_field():
    data = raw()
    del data["questions"][1]["scenario"]
    err = error_of(data)
    assert (err.file, err.field) == ("ofertas_enganosas.yml", "questions.deuda_mina.scenario")
    assert "mapping of language" in err.problem


@pytest.mark.parametrize("mutate, field, words", [
    (lambda d: d["questions"][0]["choices"][1].update(correct=False), "questions.plaza_madre_de_dios.choices",
     "exactly one"),
    (lambda d: d["questions"][0]["choices"][0].update(correct=True), "questions.plaza_madre_de_dios.choices",
     "exactly one"),
    (lambda d: d["questions"][0]["choices"][2].update(id="d"), "questions.plaza_madre_de_dios.choices[2].id", "'c'"),
    (lambda d: d["questions"][1].update(id="plaza_madre_de_dios"), "questions[1].id", "used twice"),
    (lambda d: d["questions"][0]["scenario"].update(es="x" * 500), "questions.plaza_madre_de_dios.scenario.es",
     "500 characters"),
    (lambda d: d["questions"][0]["scenario"].update(es="Llama al 105 ya"), "questions.plaza_madre_de_dios.scenario.es",
     "helpline number"),
    (lambda d: d["closing"].update(es="Llama al {numero_policia}"), "closing.es", "unknown placeholder"),
    (lambda d: d["questions"][0]["sources"][0].update(lines="página 3"), "questions.plaza_madre_de_dios.sources[0].lines",
     "L625"),
    (lambda d: d["questions"][0].update(sources=[]), "questions.plaza_madre_de_dios.sources", "at least one"),
    (lambda d: d["questions"][0].pop("debrief"), "questions.plaza_madre_de_dios.debrief", "teacher"),
    (lambda d: d.update(review="revisado"), "review", "pending native speaker"),
    (lambda d: d["title"].update(ay="Aymara"), "title.ay", "unknown language"),
    (lambda d: d.update(colour="red"), "colour", "unknown field"),
    (lambda d: d.update(id="otro_id"), "id", "file name"),
    (lambda d: d["intro"].pop("es"), "intro.es", "Spanish first"),
    (lambda d: d.update(questions=d["questions"][:1]), "questions", "2 to"),
])
def test_each_kind_of_mistake_is_reported_with_its_field(mutate, field, words):
    data = copy.deepcopy(raw())
    mutate(data)
    err = error_of(data)
    assert err.field == field, str(err)
    assert words in err.problem, str(err)
    assert str(err).startswith("ofertas_enganosas.yml: ")


def test_invalid_yaml_names_the_line(tmp_path):
    path = tmp_path / "roto.yml"
    path.write_text("id: roto\ntitle: {es: [\n", encoding="utf-8")
    with pytest.raises(ModuleError) as info:
        load_file(path)
    assert info.value.file == "roto.yml" and info.value.field.startswith("line ")


def test_a_module_lacking_quechua_for_one_text_is_spanish_only_and_says_which_text():
    data = copy.deepcopy(raw("redes_sociales"))
    data["questions"][2]["choices"][0]["text"].pop("qu")
    module = parse_module(data, "redes_sociales.yml")
    assert module.languages() == ("es",)
    assert module.missing_texts("qu") == ["questions.amigo_juego_mina.choices.a.text"]
    assert module.missing_texts("es") == []


def test_a_spanish_only_module_needs_no_review_mark():
    data = copy.deepcopy(raw("derechos_ayuda"))
    data.pop("review")

    def drop_qu(node):
        if isinstance(node, dict):
            node.pop("qu", None)
            for value in node.values():
                drop_qu(value)
        elif isinstance(node, list):
            for value in node:
                drop_qu(value)

    drop_qu(data)
    module = parse_module(data, "derechos_ayuda.yml")
    assert module.languages() == ("es",)


def test_a_folder_of_modules_is_loaded_and_an_empty_folder_is_an_error(tmp_path):
    (tmp_path / "derechos_ayuda.yml").write_text((modules.MODULES_DIR / "derechos_ayuda.yml").read_text("utf-8"), "utf-8")
    assert list(load_modules(tmp_path)) == ["derechos_ayuda"]
    with pytest.raises(ModuleError):
        load_modules(tmp_path / "nada")


def test_texts_are_rendered_with_the_configured_numbers():
    from bot.config import template_values

    module = load_modules()["derechos_ayuda"]
    values = template_values()
    closing = modules.text(module.closing, "qu", values)
    assert values["police_number"] in closing and values["hotline_label"] in closing
    assert "{" not in closing
