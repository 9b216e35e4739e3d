"""Triage rules: one named test per rule, plus the invariants that must always hold."""
from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from bot.cases.definitions import load
from bot.cases.report import Location, Report, Victim
from bot.cases.triage import DERIVATION_RULES, PRIORITY_RULES, triage


def report(**values) -> Report:
    values.setdefault("channel", "whatsapp")
    return Report(**values)


def denuncia(**values) -> Report:
    return report(category_hint="denuncia", **values)


ADULT = Victim(sex="mujer", age_years=23, nationality="PE")
MINOR = Victim(sex="mujer", age_years=14, nationality="PE")


# --- category ---

def test_category_from_conversation():
    t = triage(report(category_hint="orientacion_oferta", offer_type="educativa"))
    assert (t.category, t.subtype) == ("orientacion_oferta", "educativa")
    assert "category_from_conversation" in t.rules


def test_category_exploitation_now_is_denuncia():
    t = triage(report(category_hint="orientacion_oferta", ongoing_exploitation=True))
    assert t.category == "denuncia"
    assert "category_exploitation_now_is_denuncia" in t.rules
    assert "Orientación sobre una oferta" in t.reasons[0]


def test_category_person_held_is_denuncia_even_if_marked_not_valid():
    assert triage(report(category_hint="no_valida", person_held=True)).category == "denuncia"


def test_category_facts_make_denuncia():
    t = triage(report(victims=[ADULT]))
    assert t.category == "denuncia"
    assert "category_facts_make_denuncia" in t.rules


def test_category_default_consulta():
    t = triage(report())
    assert t.category == "consulta"
    assert "category_default_consulta" in t.rules


def test_subtype_from_recruitment():
    t = triage(report(category_hint="orientacion_oferta", recruitment="oferta_matrimonio"))
    assert t.subtype == "matrimonio"
    assert "subtype_from_recruitment" in t.rules


def test_subtype_only_for_offer_orientation():
    assert triage(denuncia(recruitment="oferta_trabajo")).subtype is None


# --- priority ---

def test_p1_exploitation_now():
    t = triage(denuncia(ongoing_exploitation=True))
    assert t.priority == "P1" and "p1_exploitation_now" in t.rules


def test_p1_person_held():
    t = triage(denuncia(person_held=True))
    assert t.priority == "P1" and "p1_person_held" in t.rules


def test_p1_danger_to_life():
    t = triage(report(category_hint="consulta", danger_now=True))
    assert t.priority == "P1" and "p1_danger_to_life" in t.rules


def test_p1_minor_victim():
    t = triage(denuncia(victims=[ADULT, MINOR]))
    assert t.priority == "P1" and "p1_minor_victim" in t.rules
    reason = next(r for r in t.reasons if "menor de 18" in r)
    assert "no pedirle pruebas" in reason


def test_p1_minor_victim_from_flag_without_age():
    assert triage(denuncia(victims=[Victim(is_minor=True)])).priority == "P1"


def test_p1_minor_travelling_unprotected_alone():
    traveller = Victim(age_years=15, travelling_now=True, unaccompanied=True)
    t = triage(report(category_hint="orientacion_oferta", victims=[traveller]))
    assert t.priority == "P1" and "p1_minor_travelling_unprotected" in t.rules


def test_p1_minor_travelling_unprotected_without_documents():
    traveller = Victim(age_band="menor_sin_edad", travelling_now=True, unaccompanied=False, without_documents=True)
    assert "p1_minor_travelling_unprotected" in triage(denuncia(victims=[traveller])).rules


def test_adult_travelling_alone_is_not_the_minor_rule():
    traveller = Victim(age_years=30, travelling_now=True, unaccompanied=True)
    t = triage(denuncia(victims=[traveller]))
    assert "p1_minor_travelling_unprotected" not in t.rules
    assert t.priority == "P3"


def test_p2_travel_imminent():
    t = triage(report(category_hint="orientacion_oferta", offer_type="laboral", travel_imminent=True))
    assert t.priority == "P2" and "p2_travel_imminent" in t.rules


def test_p2_victim_abroad_flag():
    t = triage(denuncia(victims=[ADULT], abroad=True))
    assert t.priority == "P2" and "p2_victim_abroad" in t.rules


def test_p2_victim_abroad_from_destination_country():
    assert "p2_victim_abroad" in triage(denuncia(destination=Location(country="AR"))).rules


def test_p3_standard():
    t = triage(report(category_hint="consulta"))
    assert t.priority == "P3" and "p3_standard" in t.rules


def test_p3_follow_up():
    assert triage(report(category_hint="seguimiento")).priority == "P3"


def test_p1_wins_over_p2():
    t = triage(denuncia(victims=[MINOR], abroad=True, travel_imminent=True))
    assert t.priority == "P1"
    assert {"p1_minor_victim", "p2_victim_abroad", "p2_travel_imminent"} <= set(t.rules)


# --- derivations ---

def test_d_denuncia_pnp_mp():
    t = triage(denuncia(victims=[ADULT]))
    assert t.derivations == ["pnp", "ministerio_publico"]
    assert "d_denuncia_pnp_mp" in t.rules


def test_d_minor_family_prosecutor_mimp():
    t = triage(denuncia(victims=[MINOR]))
    assert {"mp_fiscalia_familia", "mimp_proteccion_especial", "pnp", "ministerio_publico"} <= set(t.derivations)
    assert "d_minor_family_prosecutor_mimp" in t.rules


def test_d_sexual_cem_for_sexual_exploitation():
    t = triage(denuncia(victims=[ADULT], purposes=["explotacion_sexual"]))
    assert "mimp_cem" in t.derivations and "d_sexual_cem" in t.rules
    assert "mtpe_sunafil" not in t.derivations


def test_d_sexual_cem_for_sexual_violence():
    assert "mimp_cem" in triage(denuncia(sexual_violence=True)).derivations


def test_d_labour_inspection_for_labour_exploitation():
    t = triage(denuncia(purposes=["explotacion_laboral"]))
    assert {"mtpe_sunafil", "pnp", "ministerio_publico"} <= set(t.derivations)
    assert "mimp_cem" not in t.derivations
    assert "d_labour_inspection" in t.rules


@pytest.mark.parametrize("recruitment", ["oferta_trabajo", "agencia_empleo"])
def test_d_labour_inspection_for_false_job_offer_or_agency(recruitment):
    t = triage(denuncia(purposes=["explotacion_sexual"], recruitment=recruitment))
    assert {"mtpe_sunafil", "mimp_cem", "pnp", "ministerio_publico"} <= set(t.derivations)


def test_d_labour_never_cem_alone():
    t = triage(denuncia(purposes=["explotacion_domestica"], sexual_violence=True))
    assert "d_labour_never_cem_alone" in t.rules
    assert {"mimp_cem", "mtpe_sunafil", "pnp", "ministerio_publico"} <= set(t.derivations)
    assert any("L1271" in r for r in t.reasons)


def test_labour_cases_are_never_derived_to_cem_alone_for_any_purpose_mix():
    defs = load()
    purposes = [p for p in defs.purposes.codes if p != "desconocida"]
    labour = {v.code for v in defs.purposes if v.extra["group"] == "labour"}
    for combo in itertools.chain(itertools.combinations(purposes, 1), itertools.combinations(purposes, 2)):
        for violence in (False, True):
            for recruitment in (None, "oferta_trabajo", "familiar_conocido"):
                t = triage(denuncia(purposes=list(combo), sexual_violence=violence, recruitment=recruitment))
                if labour & set(combo) or recruitment == "oferta_trabajo":
                    assert {"pnp", "ministerio_publico", "mtpe_sunafil"} <= set(t.derivations), (combo, violence)
                assert t.derivations != ["mimp_cem"]
                assert {"pnp", "ministerio_publico"} <= set(t.derivations)


def test_d_danger_protection():
    t = triage(denuncia(danger_now=True))
    assert "mp_udavit" in t.derivations and "d_danger_protection" in t.rules


def test_d_abroad_consulate():
    t = triage(denuncia(destination=Location(country="CL")))
    assert "rree_consulado" in t.derivations and "d_abroad_consulate" in t.rules


def test_d_foreign_victim_migraciones():
    t = triage(denuncia(victims=[Victim(nationality="VE")], destination=Location(ubigeo="15")))
    assert "migraciones" in t.derivations and "d_foreign_victim_migraciones" in t.rules


def test_foreign_victim_abroad_goes_to_consulate_not_migraciones():
    t = triage(denuncia(victims=[Victim(nationality="VE")], abroad=True))
    assert "migraciones" not in t.derivations and "rree_consulado" in t.derivations


def test_d_institutional_omission():
    t = triage(denuncia(institutional_omission=True))
    assert "defensoria" in t.derivations and "d_institutional_omission" in t.rules


def test_d_health_care():
    t = triage(denuncia(needs_health_care=True))
    assert "minsa" in t.derivations and "d_health_care" in t.rules


@pytest.mark.parametrize("category", ["orientacion_oferta", "consulta", "seguimiento", "no_valida"])
def test_no_derivation_outside_denuncia(category):
    t = triage(report(category_hint=category, danger_now=True, travel_imminent=True))
    assert t.derivations == []
    assert "no_derivation_outside_denuncia" in t.rules
    assert t.priority == "P1"   # urgency still shows, whatever the category


# --- invariants over the rule tables ---

def test_rule_names_are_unique_and_every_target_exists():
    names = [r.name for r in PRIORITY_RULES + DERIVATION_RULES]
    assert len(names) == len(set(names))
    targets = load().derivation_targets
    for rule in DERIVATION_RULES:
        assert rule.targets and all(t in targets for t in rule.targets), rule.name
    for rule in PRIORITY_RULES:
        assert rule.priority in ("P1", "P2"), rule.name


def test_every_rule_has_a_test_named_after_it():
    source = Path(__file__).read_text(encoding="utf-8")
    for rule in PRIORITY_RULES + DERIVATION_RULES:
        assert f"def test_{rule.name}" in source, f"rule {rule.name} has no test_{rule.name}"


def test_reasons_are_spanish_and_cite_a_source():
    t = triage(denuncia(victims=[MINOR], purposes=["explotacion_laboral"], danger_now=True,
                        abroad=True, institutional_omission=True, needs_health_care=True))
    assert len(t.reasons) == len(t.rules)
    for reason in t.reasons:
        assert "[" in reason and "]" in reason, reason


def test_derivations_follow_taxonomy_order_without_repeats():
    t = triage(denuncia(victims=[MINOR], purposes=["explotacion_laboral", "explotacion_sexual"], abroad=True))
    order = load().derivation_targets.codes
    assert t.derivations == sorted(set(t.derivations), key=order.index)
