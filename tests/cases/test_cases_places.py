"""Ubigeo data and forgiving place matching."""
from __future__ import annotations

import csv

import pytest

from bot.cases import places
from bot.cases.places import departments, districts, lookup, match_place, normalize, provinces


def test_data_has_every_department_province_and_district():
    # INEI: 24 departments plus the Constitutional Province of Callao; 196 provinces;
    # 1,874 districts in 2017, more since (new districts are created by law).
    assert len(departments()) == 25
    assert len(provinces()) == 196
    assert len(districts()) >= 1874


def test_every_row_is_well_formed():
    with places.DATA_FILE.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    codes = [r["ubigeo"] for r in rows]
    assert len(codes) == len(set(codes))
    for row in rows:
        assert len(row["ubigeo"]) == 6 and row["ubigeo"].isdigit()
        assert row["departamento"] and row["provincia"] and row["distrito"]
        assert lookup(row["ubigeo"][:4]).provincia == row["provincia"]


def test_lookup_by_code():
    assert lookup("17").departamento == "Madre de Dios"
    assert lookup("0809").label == "La Convención, Cusco"
    place = lookup("170101")
    assert (place.level, place.distrito, place.provincia) == ("distrito", "Tambopata", "Tambopata")
    assert lookup("999999") is None


def test_normalize_removes_accents_apostrophes_and_abbreviations():
    assert normalize("  Pto. Maldonado ") == "puerto maldonado"
    assert normalize("Q'osqo") == "qosqo"
    assert normalize("JUNÍN") == "junin"


def _best(text: str):
    return match_place(text).best.place


@pytest.mark.parametrize("text", ["pto maldonado", "Puerto Maldonado", "PUERTO MALDONAO", "pto. maldonado, madre de dios"])
def test_puerto_maldonado_is_tambopata(text):
    m = match_place(text)
    assert m.best.place.ubigeo == "170101"
    assert not m.ambiguous


def test_typo_lowers_confidence():
    exact = match_place("Puerto Maldonado").best.confidence
    typo = match_place("Puerto Maldonao").best.confidence
    assert exact == 1.0 and 0.8 < typo < 1.0


@pytest.mark.parametrize("text", ["Cusco", "cuzco", "Qosqo", "Qusqu", "qusqumanta", "CUSCO"])
def test_cusco_spellings_reach_cusco_and_say_city_or_region_is_open(text):
    m = match_place(text)
    assert m.best.place.ubigeo == "08"
    assert m.ambiguous
    assert {c.place.ubigeo for c in m.candidates} == {"08", "0801", "080101"}
    assert m.common.ubigeo == "08"


def test_lima_is_ambiguous_between_department_province_and_district():
    m = match_place("Lima")
    assert m.ambiguous and m.total == 3
    assert [c.place.level for c in m.candidates] == ["departamento", "provincia", "distrito"]
    assert m.common.ubigeo == "15"


def test_lima_metropolitana_is_the_province():
    m = match_place("Lima Metropolitana")
    assert m.best.place.ubigeo == "1501" and not m.ambiguous


def test_lima_provincias_is_the_department():
    assert _best("lima provincias").ubigeo == "15"


def test_madre_de_dios_prefers_the_region_but_reports_the_district_of_that_name():
    m = match_place("Madre de Dios")
    assert m.best.place.ubigeo == "17"
    assert m.ambiguous and "170203" in {c.place.ubigeo for c in m.candidates}
    assert m.common.ubigeo == "17"


def test_repeated_district_name_is_ambiguous_without_common_place():
    named = [d.ubigeo for d in districts() if d.distrito == "San Juan"]
    assert len(named) > 2
    m = match_place("San Juan", limit=2)
    assert m.ambiguous and m.total == len(named)
    assert len(m.candidates) == 2
    assert m.common is None


def test_province_and_department_disambiguate_a_repeated_district():
    m = match_place("Santa Ana, La Convención, Cusco")
    assert m.best.place.ubigeo == "080901"
    assert not m.ambiguous


def test_department_alone_is_enough_to_disambiguate():
    assert _best("santa ana cusco").ubigeo == "080901"


@pytest.mark.parametrize("text,code", [
    ("Quillabamba", "080901"), ("la rinconada", "211002"), ("Juliaca", "211101"), ("Iquitos", "160101"),
    ("Pucallpa", "250101"), ("Mazuco", "170102"), ("SJL", "150132"), ("villa el salvador", "150142"),
    ("Urcos", "081201"), ("Apurimaq", "03"), ("arequpa", "04"), ("Huancayo", "1201"),
    ("soy de juliaca puno", "211101"), ("La Convencion", "0809"), ("convención", "0809"),
])
def test_common_places(text, code):
    assert _best(text).ubigeo == code


def test_quechua_suffix_is_understood():
    assert _best("Punumanta").ubigeo == "21"
    assert _best("Limaman").ubigeo == "15"


@pytest.mark.parametrize("text", ["", "xyz", "no sé", "12345", "de la"])
def test_no_place_gives_no_candidates(text):
    m = match_place(text)
    assert m.best is None and not m.ambiguous and m.total == 0


def test_short_names_need_an_exact_spelling():
    # "Ate" is a district; "Ata" must not fuzzily become it.
    assert _best("ate").ubigeo == "150103"
    assert match_place("ata").best is None


def test_index_is_built_once_and_not_read_per_call(monkeypatch, tmp_path):
    match_place("Cusco")
    monkeypatch.setattr(places, "DATA_FILE", tmp_path / "missing.csv")
    assert _best("Juliaca").ubigeo == "211101"
