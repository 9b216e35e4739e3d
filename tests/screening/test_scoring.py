"""Scoring: weights add up, rules make some combinations high on their own, flags."""
import copy

import pytest
import yaml

from bot.screening import screen
from bot.screening.catalog import INDICATORS_FILE, parse_catalog
from bot.screening.extractors import EXTRACTORS
from bot.screening.messages import load_messages
from bot.screening.screener import Indicator, default_catalog, score_indicators


def ind(iid, groups=("main",)):
    cat = default_catalog()
    return Indicator(iid, "x", cat.get(iid).weight, "text", groups)


def test_score_is_the_sum_of_weights_and_levels_follow_thresholds():
    cat = default_catalog()
    r = score_indicators([ind("sector_extractive")], cat)
    assert (r.score, r.risk) == (2.0, "low")
    r = score_indicators([ind("sector_extractive"), ind("lodging_at_work")], cat)
    assert (r.score, r.risk) == (3.0, "medium")
    r = score_indicators([ind("sector_extractive"), ind("lodging_at_work"), ind("urgency", ("advert",)),
                          ind("unverifiable_employer")], cat)
    assert r.score == 6.0 and r.risk == "high" and r.rules == []


def test_each_indicator_counts_once():
    cat = default_catalog()
    r = score_indicators([ind("sector_extractive"), ind("sector_extractive")], cat)
    assert r.score == 2.0 and r.ids == ["sector_extractive"]


def test_travel_is_subsumed_by_a_paid_trip_but_still_counts_for_rules():
    cat = default_catalog()
    assert score_indicators([ind("travel"), ind("travel_paid")], cat).score == 2.0
    r = score_indicators([ind("travel"), ind("minor")], cat)
    assert r.risk == "high" and "minor_on_the_move" in r.rules


@pytest.mark.parametrize("text,rule", [
    ("me quitaron mi DNI", "documents_kept"),
    ("el pasaje se descuenta del primer sueldo", "debt_bondage"),
    ("tengo 15 años, me llevan a trabajar a Lima", "minor_on_the_move"),
    ("busco anfitrionas para karaoke, pasajes pagados", "nightlife_away_from_home"),
    ("no le cuentes a tu familia, viajamos el lunes", "secret_trip"),
])
def test_rules_make_a_single_strong_signal_high(text, rule):
    r = screen(text)
    assert r.risk == "high" and rule in r.rules and r.offer_case


def test_minor_alone_is_medium_not_high():
    # the patterns' decision; the learned score may raise it (docs/screening.md, "Learned score")
    r = screen("tengo 16 años y busco trabajo", learned=False)
    assert r.risk == "medium" and not r.offer_case


def test_danger_now_when_held_threatened_or_a_minor_is_leaving_now():
    assert screen("no me dejan salir del local").danger_now
    assert screen("me amenazan si me voy").danger_now
    assert screen("mi hermana de 15 se va hoy a trabajar a la mina").danger_now
    r = screen("mi hermana de 15 se va a trabajar a Lima el próximo mes")
    assert r.risk == "high" and not r.danger_now


def test_formality_lowers_the_score_but_is_capped_and_never_beats_a_rule():
    formal = ("RUC 20601234567, contrato en planilla, beneficios de ley, enviar CV a rrhh@mina.com.pe. "
              "Campamento minero, alojamiento, pasajes pagados")
    r = screen(formal)
    assert r.risk == "low" and {m.id for m in r.mitigating} == {"formal_ruc", "formal_contract", "formal_office"}
    assert r.score == max(0, sum(i.weight for i in r.indicators) + default_catalog().mitigation_floor)
    r = screen(formal + ". Nos quedamos con tu DNI.")
    assert r.risk == "high" and "documents_kept" in r.rules


def test_rule_exemption_for_formal_offers():
    assert "paid_trip_to_hotspot" in screen("pasaje pagado a Puerto Maldonado").rules
    r = screen("pasaje pagado a Puerto Maldonado, contrato en planilla, RUC 20512349871")
    assert "paid_trip_to_hotspot" not in r.rules and r.risk == "low"


def test_nothing_found_is_low_and_suggests_questions():
    r = screen("Hola, ¿me ayudas a revisar una oferta?")
    assert (r.risk, r.score, r.indicators, r.ask_questions) == ("low", 0.0, [], True)


def test_weights_come_from_the_data_file():
    data = yaml.safe_load(INDICATORS_FILE.read_text(encoding="utf-8"))
    changed = copy.deepcopy(data)
    for entry in changed["indicators"]:
        if entry["id"] == "sector_extractive":
            entry["weight"] = 7
    cat = parse_catalog(changed, advice_keys=load_messages().advice.keys(), extractors=EXTRACTORS)
    assert screen("trabajo en minería", catalog=cat).risk == "high"
    assert screen("trabajo en minería").risk == "low"


def test_result_to_dict_has_the_cli_shape():
    d = screen("pasajes pagados a Mazuko").to_dict()
    assert set(d) == {"risk", "score", "indicators", "learned"}
    assert set(screen("pasajes pagados a Mazuko", learned=False).to_dict()) == {"risk", "score", "indicators"}
    assert all(set(i) == {"id", "evidence"} for i in d["indicators"])


@pytest.mark.parametrize("text", [
    "Tayta Juanqa manam kutimunchu chakramanta, paqarinraqmi kutimunqa",   # "did not come back from the field"
    "Manam lluqsinichu kunan, paray kachkan",                               # "I'm not going out now, it rains"
    "Wawqiyqa Cuscoman risqa, manaraq kutimunchu",
])
def test_quechua_negated_movement_verbs_are_not_an_emergency(text):
    r = screen(text)
    assert "confinement" not in r.ids
    assert not r.danger_now and r.risk != "high" and "held_now" not in r.rules


def test_quechua_held_now_still_fires_with_cannot_or_they_dont_let_me():
    for text in ["Manam lluqsiyta atinichu, wichq'asqa kachkani", "Manam lluqsichiwankuchu minapi"]:
        r = screen(text)
        assert "held_now" in r.rules and r.danger_now, text


def test_taking_the_phone_away_is_high_on_its_own():
    r = screen("Me quitaron el celular y no puedo hablar con mi familia")
    assert r.risk == "high" and "cut_off" in r.rules
    r = screen("Call center: no puedes usar el celular durante el turno, contrato en planilla")
    assert "isolation" not in r.ids and r.risk == "low"


def test_photos_count_as_high_only_with_a_lure_and_without_a_company_address():
    assert "photos_with_lure" in screen("Enviar fotos de cuerpo entero al inbox, excelente remuneración").rules
    r = screen("Casting: se buscan chicas, enviar foto de cuerpo entero a casting@productora.pe, 400 soles por día")
    assert "photos_with_lure" not in r.rules and r.risk != "high"


def test_young_women_sought_for_a_hotspot_with_travel_is_high_but_not_with_a_contract():
    assert screen("Trabajo en Mazuko para chicas, salimos el viernes").risk == "high"
    assert screen("Se busca señorita para tienda en Puerto Maldonado, contrato en planilla").risk != "high"
    # "urgente" in an advert is not a departure: not enough for the rule
    assert screen("Buscamos chicas para cajeras en minimarket de Juliaca, urgente").risk != "high"


def test_a_bar_job_in_a_hotspot_is_high_unless_the_advert_is_formal():
    assert "nightlife_in_hotspot" in screen("Karaoke en Juliaca busca chicas para atender").rules
    assert screen("Karaoke en Juliaca busca chicas para atender").risk == "high"
    # A local cashier on planilla in the same town: verify (medium), not high.
    r = screen("Karaoke en Juliaca busca cajera, planilla, 800 soles, dejar CV en Jr. Moquegua")
    assert r.risk == "medium" and not r.rules
    # Travel still makes it high, formal or not.
    r = screen("Karaoke en Juliaca busca anfitrionas de Cusco, planilla, pasajes pagados")
    assert r.risk == "high" and "nightlife_away_from_home" in r.rules


def test_a_company_paying_for_the_medical_exam_is_not_a_fee():
    r = screen("Contrato, planilla, examen medico pre-ocupacional pagado por la empresa, traslado a cargo de la empresa")
    assert "agency_fee" not in r.ids
    assert "agency_fee" in screen("examen medico obligatorio en nuestra clinica asociada s/ 250").ids


def test_a_cost_the_worker_pays_is_not_read_as_pay():
    r = screen("Ayudantes de cocina. El postulante paga examen médico, curso y visa (aprox. S/2,500).")
    assert "pay_too_good" not in r.ids
    assert "pay_too_good" in screen("Se necesita meseras sin experiencia, pasaje 100 soles, sueldo 3500").ids


def test_a_rumour_about_people_in_general_is_not_an_emergency():
    worry = screen("Me ofrecen cama adentro con contrato escrito. Tengo miedo pq escuché de chicas q las encierran")
    assert "held_now" not in worry.rules and not worry.danger_now
    # about someone in particular it still is
    held = screen("mi prima me escribió, dice q la encierran y no la dejan salir de la casa")
    assert "held_now" in held.rules and held.danger_now


def test_a_period_after_another_figure_is_not_the_pays():
    # "8 horas p'unchawpi" is hours a day; the minimum wage is not "far above the market"
    r = screen("trabajadora del hogar cama adentro, sueldo 1130 soles, 8 horas p'unchawpi", lang="qu")
    assert "pay_too_good" not in r.ids
    assert "pay_too_good" in screen("trabajadora del hogar, sueldo 150 soles p'unchawpi, mana experienciata", lang="qu").ids
    assert "pay_too_good" in screen("se busca ayudante sin experiencia, ganas 150 soles x 8 horas diarias").ids


def test_a_paid_fare_to_a_hotspot_under_a_one_year_contract_is_not_high_on_that_rule():
    r = screen("Hotel de Puerto Maldonado me ofrece cocina: contrato por un año, me mandaron el pasaje pagado")
    assert "paid_trip_to_hotspot" not in r.rules
    assert "paid_trip_to_hotspot" in screen("Hotel de Puerto Maldonado me ofrece cocina, me mandaron el pasaje pagado").rules


def test_a_notice_quoting_red_flags_to_warn_is_not_the_offer():
    notice = screen("Feria de empleo de la municipalidad: empresas con RUC y contrato. Si alguien te dice "
                    "'te pago el pasaje y te lo descuento del sueldo, no le digas a tu familia', "
                    "denúncialo al 0800-2-3232.")
    assert notice.risk != "high" and not {"debt", "secrecy", "travel_paid"} & set(notice.ids)
    # the same words without a report-or-refuse directive are the offer
    offer = screen("Si alguien te pregunta, no le digas a tu familia: te pago el pasaje y te lo descuento del sueldo")
    assert offer.risk == "high" and "debt" in offer.ids
    # coaching is not a warning: no third party opens it, no report closes it
    coached = screen("si te dicen algo en el control, di que eres mi sobrina y me llamas, el pasaje te lo descuento")
    assert "debt" in coached.ids


def test_carrying_packs_through_the_forest_is_high_on_its_own():
    r = screen("Por el VRAEM buscan jóvenes para cargar mochilas por el monte, pagan 1000 por viaje")
    assert r.risk == "high" and "drug_carrying" in r.rules
    assert "drug_courier" not in screen("Se busca repartidor de paquetes en moto, Lima, planilla").ids


def test_marriage_to_a_foreigner_with_the_trip_paid_is_high():
    r = screen("Agencia matrimonial busca chicas para conocer caballeros europeos que quieren casarse, pagamos tu viaje")
    assert r.risk == "high" and "marriage_abroad" in r.rules
    assert "marriage_abroad" not in screen("mi hermana se casa con un gringo que conoce hace 5 años, la boda es en Cusco").rules
