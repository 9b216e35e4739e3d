"""Case codes: exhaustive error-detection proof, generation, parsing from messages."""
from __future__ import annotations

import random
import secrets

import pytest

from bot.cases.codes import (
    ALPHABET,
    LENGTH,
    check_symbol,
    examine_code,
    has_valid_check,
    is_valid,
    new_code,
    parse_code,
)

RNG = random.Random(20260327)


def _code_with(fixed: dict[int, str]) -> str:
    """A code (8 symbols, valid check, no dash) with the given symbols at the given positions.

    The check symbol is a bijective function of each data symbol (its weight is a
    non-zero field element), so a fixed check is reached by trying the 32 values of a
    free data position.
    """
    data = [fixed.get(i, RNG.choice(ALPHABET)) for i in range(LENGTH - 1)]
    if LENGTH - 1 not in fixed:
        return "".join(data) + check_symbol("".join(data))
    free = next(i for i in range(LENGTH - 1) if i not in fixed)
    for symbol in ALPHABET:
        data[free] = symbol
        if check_symbol("".join(data)) == fixed[LENGTH - 1]:
            return "".join(data) + fixed[LENGTH - 1]
    raise AssertionError("no data symbol reaches that check symbol")


def test_every_single_substitution_is_detected_exhaustively():
    # For every position and every ordered pair of different symbols (8 * 32 * 31 cases),
    # a valid code with the first symbol there stops being valid with the second.
    # The checksum is linear, so this covers every code.
    checked = 0
    for pos in range(LENGTH):
        for a in ALPHABET:
            code = _code_with({pos: a})
            assert has_valid_check(code)
            for b in ALPHABET:
                if b != a:
                    assert not has_valid_check(code[:pos] + b + code[pos + 1:]), (code, pos, b)
                    checked += 1
    assert checked == LENGTH * 32 * 31


def test_every_adjacent_transposition_is_detected_exhaustively():
    checked = 0
    for pos in range(LENGTH - 1):
        for a in ALPHABET:
            for b in ALPHABET:
                if a == b:
                    continue
                code = _code_with({pos: a, pos + 1: b})
                swapped = code[:pos] + b + a + code[pos + 2:]
                assert has_valid_check(code) and not has_valid_check(swapped), (code, pos)
                checked += 1
    assert checked == (LENGTH - 1) * 32 * 31


def test_jump_transpositions_are_detected_too():
    for pos in range(LENGTH - 2):
        for a, b in (("2", "Z"), ("K", "7"), ("M", "N")):
            code = _code_with({pos: a, pos + 2: b})
            assert not has_valid_check(code[:pos] + b + code[pos + 1] + a + code[pos + 3:])


def test_new_codes_are_valid_and_shown_in_two_groups():
    for _ in range(2000):
        code = new_code(RNG)
        assert len(code) == 9 and code[4] == "-"
        assert is_valid(code)
        assert set(code.replace("-", "")) <= set(ALPHABET)


def test_new_code_draws_from_the_given_rng():
    class Scripted:
        def __init__(self, symbols):
            self.symbols = iter(symbols)

        def choice(self, _alphabet):
            return next(self.symbols)

    # First draw "KKKKKKK" has no digit and is redrawn; the second is the example's data.
    assert new_code(Scripted("KKKKKKK" + "K7M49QX")) == "K7M4-9QXT"
    assert is_valid(new_code(secrets))


def test_new_codes_do_not_repeat_in_a_large_sample():
    codes = {new_code(RNG) for _ in range(20000)}
    assert len(codes) == 20000


def test_each_half_of_a_new_code_has_a_digit_and_a_letter():
    for _ in range(2000):
        for half in new_code(RNG).split("-"):
            assert any(c.isdigit() for c in half) and any(c.isalpha() for c in half)


def test_the_project_example_code_is_valid():
    assert is_valid("K7M4-9QXT")


@pytest.mark.parametrize("typed", ["K7M4-9QXT", "k7m4-9qxt", "k7m49qxt", "K7M4 9QXT", "k7m4 – 9qxt", "K7M4.9QXT"])
def test_is_valid_accepts_case_and_separator_variants(typed):
    assert is_valid(typed)


@pytest.mark.parametrize("typed", ["K7M4-9QXU", "K7M4-9QX", "K7M4-9QXTT", "", "K7M0-9QXT", "KKMM-QQXT"])
def test_is_valid_rejects_wrong_codes(typed):
    assert not is_valid(typed)


@pytest.mark.parametrize("message", [
    "K7M4-9QXT",
    "mi código es k7m4-9qxt",
    "codigo k7m49qxt porfa",
    "Hola, quiero saber de mi caso K7M4 9QXT gracias",
    "kay codigoy: k7m4-9qxt, imayna kachkan?",
    "K7M4—9QXT.",
])
def test_parse_code_finds_the_code_inside_a_message(message):
    assert parse_code(message) == "K7M4-9QXT"


@pytest.mark.parametrize("message", [
    "TRABAJAR", "quiero TRABAJAR en Madre de Dios", "casa 2345", "llamé al 987654321",
    "9876 5432", "mi DNI es 45678912", "CHAKRAPI LLAMKAY", "llamkaspa", "",
])
def test_ordinary_words_and_numbers_are_not_codes(message):
    result = examine_code(message)
    assert result.code is None and result.problem == "none"


def test_typo_in_a_code_is_reported_as_a_check_problem():
    result = examine_code("mi código es K7M4-9QXU")
    assert result == type(result)(None, "check")


@pytest.mark.parametrize("message", ["K7M0-9QXT", "k7m4-9qx1", "KOM4-9QXT", "K7MI 9QXT"])
def test_confusable_characters_are_reported_not_guessed(message):
    result = examine_code(message)
    assert result.code is None and result.problem == "confusable"


def test_two_different_codes_in_one_message_are_not_guessed():
    other = new_code(RNG)
    result = examine_code(f"K7M4-9QXT o {other}")
    assert result.code is None and result.problem == "several"


def test_the_same_code_twice_is_one_code():
    assert parse_code("K7M4-9QXT, repito: k7m4 9qxt") == "K7M4-9QXT"


def test_check_symbol_rejects_symbols_outside_the_alphabet():
    with pytest.raises(ValueError):
        check_symbol("K7M49Q0")
