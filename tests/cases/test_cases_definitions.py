"""The versioned taxonomy: contents, workflow and the loader's errors."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from bot.cases.definitions import (
    DEFINITION_VERSION,
    DEFINITIONS_DIR,
    VOCABULARIES,
    DefinitionError,
    TransitionError,
    load,
    load_dir,
)


@pytest.fixture(scope="module")
def defs():
    return load()


def test_current_version_is_v1_and_loads_every_vocabulary(defs):
    assert DEFINITION_VERSION == "v1"
    assert defs.version == "v1"
    assert set(defs.vocabularies) == set(VOCABULARIES)


def test_categories_are_the_five_rubros_of_the_line(defs):
    assert defs.categories.codes == ("denuncia", "orientacion_oferta", "consulta", "seguimiento", "no_valida")
    assert defs.subtypes("orientacion_oferta") == ("laboral", "educativa", "matrimonio")


def test_every_value_has_spanish_and_quechua_labels_and_a_source(defs):
    for vocab in defs.vocabularies.values():
        for value in vocab:
            assert value.label["es"].strip() and value.label["qu"].strip(), (vocab.name, value.code)
            assert value.source.strip(), (vocab.name, value.code)
            for sub in value.subtypes:
                assert sub.label["qu"].strip() and sub.source.strip(), (vocab.name, sub.code)


def test_quechua_labels_are_marked_pending_native_review():
    for name in VOCABULARIES:
        data = yaml.safe_load((DEFINITIONS_DIR / "v1" / f"{name}.yml").read_text(encoding="utf-8"))
        assert data.get("review") == "pending-native-review", name


def test_label_falls_back_to_the_requested_language(defs):
    assert defs.sex.label("mujer", "qu") == "Warmi"
    assert defs.sex.label("mujer") == "Mujer"


def test_unknown_code_error_lists_the_allowed_values(defs):
    with pytest.raises(KeyError, match="mujer, hombre"):
        defs.sex.get("female")


def test_purposes_are_multi_valued_and_grouped(defs):
    assert defs.purposes.multi
    groups = {v.code: v.extra["group"] for v in defs.purposes}
    assert groups["explotacion_sexual"] == "sexual"
    assert groups["explotacion_laboral"] == groups["trabajo_forzoso"] == "labour"


def test_recruitment_modalities_cover_the_brief(defs):
    for code in ("oferta_trabajo", "agencia_empleo", "internet_redes", "familiar_conocido",
                 "oferta_estudio", "oferta_matrimonio", "otra", "desconocida"):
        assert code in defs.recruitment


def test_minor_age_bands_are_flagged(defs):
    minors = {v.code for v in defs.age_bands if v.extra.get("minor") is True}
    assert minors == {"0_6", "7_12", "13_17", "menor_sin_edad"}


def test_derivation_targets_include_the_institutions_of_the_brief(defs):
    for code in ("pnp", "ministerio_publico", "mp_fiscalia_familia", "mimp_cem", "mimp_proteccion_especial",
                 "mtpe_sunafil", "rree_consulado", "defensoria", "minsa"):
        assert code in defs.derivation_targets
    assert "laboral" in defs.derivation_targets.get("mimp_cem").extra["scope"]


# --- workflow ---

def test_a_case_can_follow_the_full_path(defs):
    flow = defs.workflow
    path = ["recibido", "clasificado", "derivado", "en_investigacion", "resuelto", "cerrado"]
    for src, dst in zip(path, path[1:]):
        flow.check(src, dst, reason="r", derivations=["pnp"])


@pytest.mark.parametrize("src,dst", [
    ("clasificado", "orientado"), ("orientado", "cerrado"), ("orientado", "derivado"),
    ("derivado", "cerrado"), ("en_investigacion", "cerrado"), ("clasificado", "no_valida"),
])
def test_allowed_moves(defs, src, dst):
    defs.workflow.check(src, dst, reason="motivo", derivations=["pnp"])


@pytest.mark.parametrize("src,dst", [
    ("recibido", "derivado"), ("recibido", "resuelto"), ("cerrado", "derivado"),
    ("resuelto", "en_investigacion"), ("orientado", "en_investigacion"), ("no_valida", "cerrado"),
])
def test_forbidden_moves_say_what_is_allowed(defs, src, dst):
    with pytest.raises(TransitionError, match="allowed from"):
        defs.workflow.check(src, dst, reason="x", is_supervisor=True, derivations=["pnp"])


def test_deriving_needs_a_target(defs):
    with pytest.raises(TransitionError, match="derivation target"):
        defs.workflow.check("clasificado", "derivado")


def test_closing_without_result_needs_a_reason(defs):
    with pytest.raises(TransitionError, match="reason"):
        defs.workflow.check("derivado", "cerrado", reason="  ")


def test_reopening_needs_a_supervisor_and_a_reason(defs):
    flow = defs.workflow
    with pytest.raises(TransitionError, match="supervisor"):
        flow.check("cerrado", "clasificado", reason="hechos nuevos")
    with pytest.raises(TransitionError, match="reason"):
        flow.check("cerrado", "clasificado", is_supervisor=True)
    assert flow.check("cerrado", "clasificado", reason="hechos nuevos", is_supervisor=True).target == "clasificado"


def test_terminal_statuses(defs):
    assert defs.workflow.terminal == {"cerrado", "no_valida"}
    assert defs.workflow.initial == "recibido"


# --- loader errors ---

@pytest.fixture
def copy_v1(tmp_path: Path) -> Path:
    target = tmp_path / "v1"
    shutil.copytree(DEFINITIONS_DIR / "v1", target)
    return target


def _edit(path: Path, change) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def test_a_copy_of_v1_loads(copy_v1):
    assert load_dir(copy_v1, "v1").categories.codes == load().categories.codes


def test_missing_quechua_label_is_reported_with_file_and_code(copy_v1):
    _edit(copy_v1 / "sex.yml", lambda d: d["values"][0]["label"].pop("qu"))
    with pytest.raises(DefinitionError, match=r"sex\.yml value #1 \('mujer'\): missing label in 'qu'"):
        load_dir(copy_v1, "v1")


def test_missing_source_is_reported(copy_v1):
    _edit(copy_v1 / "purposes.yml", lambda d: d["values"][1].pop("source"))
    with pytest.raises(DefinitionError, match=r"purposes\.yml.*'explotacion_laboral'.*source"):
        load_dir(copy_v1, "v1")


def test_duplicate_code_is_reported(copy_v1):
    _edit(copy_v1 / "channels.yml", lambda d: d["values"].append(dict(d["values"][0])))
    with pytest.raises(DefinitionError, match="duplicate code 'whatsapp'"):
        load_dir(copy_v1, "v1")


def test_bad_code_is_reported(copy_v1):
    _edit(copy_v1 / "channels.yml", lambda d: d["values"][0].update(code="Whats App"))
    with pytest.raises(DefinitionError, match="'code' must be lowercase"):
        load_dir(copy_v1, "v1")


def test_transition_to_unknown_status_is_reported(copy_v1):
    _edit(copy_v1 / "statuses.yml", lambda d: d["transitions"].append({"from": "recibido", "to": "archivado"}))
    with pytest.raises(DefinitionError, match="unknown status 'archivado'"):
        load_dir(copy_v1, "v1")


def test_unreachable_status_is_reported(copy_v1):
    def drop(d):
        d["transitions"] = [t for t in d["transitions"] if t["to"] != "resuelto"]
    _edit(copy_v1 / "statuses.yml", drop)
    with pytest.raises(DefinitionError, match="not reachable.*resuelto"):
        load_dir(copy_v1, "v1")


def test_reopening_a_terminal_status_must_require_a_supervisor(copy_v1):
    def loosen(d):
        for t in d["transitions"]:
            if t["from"] == "cerrado":
                t["requires"] = ["reason"]
    _edit(copy_v1 / "statuses.yml", loosen)
    with pytest.raises(DefinitionError, match="terminal"):
        load_dir(copy_v1, "v1")


def test_unknown_transition_requirement_is_reported(copy_v1):
    _edit(copy_v1 / "statuses.yml", lambda d: d["transitions"][0].update(requires=["approval"]))
    with pytest.raises(DefinitionError, match="requires"):
        load_dir(copy_v1, "v1")


def test_age_band_whose_minor_flag_contradicts_its_ages_is_reported(copy_v1):
    _edit(copy_v1 / "age_bands.yml", lambda d: d["values"][2].update(minor=False))
    with pytest.raises(DefinitionError, match=r"'13_17'.*disagrees"):
        load_dir(copy_v1, "v1")


def test_purpose_without_group_is_reported(copy_v1):
    _edit(copy_v1 / "purposes.yml", lambda d: d["values"][0].pop("group"))
    with pytest.raises(DefinitionError, match="group"):
        load_dir(copy_v1, "v1")


def test_missing_file_is_reported(copy_v1):
    (copy_v1 / "languages.yml").unlink()
    with pytest.raises(DefinitionError, match="languages.yml: definition file is missing"):
        load_dir(copy_v1, "v1")


def test_file_for_the_wrong_vocabulary_is_reported(copy_v1):
    _edit(copy_v1 / "sex.yml", lambda d: d.update(vocabulary="gender"))
    with pytest.raises(DefinitionError, match="'vocabulary' must be 'sex'"):
        load_dir(copy_v1, "v1")


def test_broken_yaml_is_reported(copy_v1):
    (copy_v1 / "sex.yml").write_text("values: [", encoding="utf-8")
    with pytest.raises(DefinitionError, match="not valid YAML"):
        load_dir(copy_v1, "v1")


@pytest.mark.parametrize("version", ["v99", "../v1", "latest"])
def test_unknown_or_malformed_version_is_refused(version):
    with pytest.raises(DefinitionError):
        load(version)
