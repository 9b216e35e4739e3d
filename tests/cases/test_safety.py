import pytest

from bot.safety import danger_signals, is_danger


@pytest.mark.parametrize("text", [
    "sos", "SOS ayuda", "auxilio", "llamen a la policía por favor", "me drogaron y no sé dónde estoy",
    "me tienen encerrada en un cuarto", "el bus ya salió y mi hija de 15 va con la señora",
    "se llevaron a mi hermana de 14 años en un carro", "yanapaway kunan", "me quieren llevar a la fuerza",
])
def test_cries_for_help_are_danger(text):
    assert is_danger(text), text


@pytest.mark.parametrize("text", [
    "sos un bot?", "¿qué es la trata?", "hola", "mi hija viajó el año pasado a Lima",
    "mi hermano va en el bus a Cusco para estudiar", "me quieren llevar a trabajar a la selva",
    "quiero denunciar a mi tío", "trabajo en Mazuko, pasaje pagado",
])
def test_ordinary_messages_are_not(text):
    assert not danger_signals(text), text


def test_only_the_start_of_a_very_long_message_is_read():
    assert not is_danger("a" * 5000 + " auxilio")
    assert is_danger("auxilio " + "a" * 5000)
