"""Awkward inputs: long adverts, emojis, URLs, phone numbers, code-switching, junk."""
import pytest

from bot.screening import screen
from bot.screening.screener import MAX_CHARS

ADVERT = ("🔥🔥 OPORTUNIDAD 🔥🔥 Se necesitan SEÑORITAS para atención en karaoke en PUERTO MALDONADO 🌴 "
          "Sueldo S/. 3,500 x mes, NO SE REQUIERE EXPERIENCIA ✅ pasajes pagados ✈️ "
          "Info SOLO por WhatsApp +51 987 111 222 o https://wa.me/51987111222 👉 bit.ly/chamba-selva ")


# Speed is measured in bench/screening.py (robustness table), not asserted here.
def test_a_5000_character_advert_is_screened_with_short_evidence():
    text = (ADVERT + "Requisitos: ganas de trabajar, disponibilidad inmediata. " * 60)[:5000]
    r = screen(text)
    assert r.risk == "high" and {"sector_nightlife", "risk_destination", "travel_paid", "pay_too_good"} <= set(r.ids)
    assert all(len(i.evidence) <= 130 for i in r.indicators)


def test_a_signal_at_the_end_of_a_long_honest_looking_advert_is_found():
    filler = "Requisitos: puntualidad, buena actitud. Beneficios: buen ambiente, capacitación. " * 60
    r = screen(filler[:4900] + " Al llegar nos quedamos con tu DNI.")
    assert "documents_kept" in r.ids and r.risk == "high"


def test_a_long_honest_advert_with_phones_urls_and_emojis_stays_low():
    honest = ("Panadería San Jorge (RUC 20601234567) busca ayudante 🍞, 1,200 soles, planilla, EsSalud, "
              "enviar CV a rrhh@sanjorge.com.pe, llamar al 084-234567 o al +51 987 654 321, "
              "ver https://sanjorge.pe/empleo?id=3000&edad=16 👉 ")
    r = screen((honest * 30)[:5000])
    assert r.risk == "low" and "pay_too_good" not in r.ids and "minor" not in r.ids


def test_code_switched_long_message_keeps_quechua_and_spanish_signals():
    text = ("Oye ñaña, Puerto Maldonadoman risun, pasajeta pagasaqku ninku, ama mamaykiman willankichu 😟 "
            "llamk'ay kanqa restaurantepi nin. ") * 40
    r = screen(text)
    assert {"risk_destination", "travel_paid", "secrecy"} <= set(r.ids)
    assert "sector_domestic" not in r.ids   # "ñaña" (sister) is not "nana" (nanny)


@pytest.mark.parametrize("text", [
    "💃🌴💰✈️🔥" * 400,
    " ".join(f"https://x.pe/o?id={n}&edad=15&s=3000" for n in range(200)),
    " ".join(f"+51 9{n:02d} 123 4{n:02d}" for n in range(300)),
    ("pasajepagadomazuko" * 300)[:5000],
])
def test_noise_heavy_inputs_do_not_raise_or_invent_pay_or_age(text):
    r = screen(text)
    assert r.risk in ("low", "medium", "high")
    assert "pay_too_good" not in r.ids and "minor" not in r.ids


def test_text_beyond_the_limit_is_cut_and_flagged():
    text = "Panadería busca ayudante. " * 2000 + " nos quedamos con tu DNI"
    assert len(text) > MAX_CHARS
    r = screen(text)
    assert r.truncated and "documents_kept" not in r.ids


def test_emojis_between_words_do_not_hide_signals():
    r = screen("💃damas💃de💃compañía💃 en🌴Juliaca🌴 viaje💸pagado")
    assert {"sector_nightlife", "risk_destination", "travel_paid"} <= set(r.ids)


def test_phone_numbers_and_urls_are_not_read_as_pay_or_age():
    r = screen("Llamar al 987654321 o al +51 984 123 456, ver https://empleos.pe/oferta?id=2500&edad=15")
    assert "pay_too_good" not in r.ids and "minor" not in r.ids


def test_money_in_peruvian_formats():
    for amount in ["S/ 3000", "S/. 3,000.00", "3000 soles", "3 mil soles", "3mil x mes", "s/3000", "$900",
                   "120 diarios", "800 semanales"]:
        assert "pay_too_good" in screen(f"Sueldo {amount}, sin experiencia").ids, amount
    for amount in ["S/ 1200", "1025 soles", "50 soles diarios", "S/ 200"]:
        assert "pay_too_good" not in screen(f"Sueldo {amount}, sin experiencia").ids, amount


def test_no_accents_typos_and_shouting():
    r = screen("URJENTE SE NESECITA SRTAS P/ NIGHT CLUB EN PTO MALDONADO, PASAJES PAGADOS, SIN ESPERIENCIA")
    assert r.risk == "high" and {"sector_nightlife", "risk_destination", "travel_paid", "urgency"} <= set(r.ids)


def test_code_switched_message():
    r = screen("Oye ñaña, me ofrecen chamba en Puerto Maldonado, pasajeta pagasaqku ninku, ama mamaykiman willankichu")
    assert r.risk == "high" and {"risk_destination", "travel_paid", "secrecy"} <= set(r.ids)


def test_quechua_spelling_variants():
    for text in ["llamk'ay Puerto Maldonadopi", "llank’ay Puerto Maldonadopi", "llamkay PUERTO MALDONADOPI"]:
        assert "risk_destination" in screen(text).ids
    for text in ["DNI-ykita hap'isaqku", "dniykita hapisaqku", "DNI-ykita hap’isaqku"]:
        assert "documents_kept" in screen(text).ids, text


def test_language_is_guessed_for_the_answer():
    assert screen("Puerto Maldonadoman llamk'aq risun, pasajeta qusqayki").lang == "qu"
    assert screen("Te pagamos el pasaje a Puerto Maldonado").lang == "es"
    assert screen("Te pagamos el pasaje", lang="qu").lang == "qu"


@pytest.mark.parametrize("text", ["", "   ", "\n\n", "😀😀😀", "?!", "a", "0" * 300, "\x00\x01 binario \udcff"])
def test_junk_input_never_raises(text):
    r = screen(text)
    assert r.risk in ("low", "medium", "high")


def test_non_text_is_a_clear_type_error():
    with pytest.raises(TypeError, match="text must be a string"):
        screen(None)
