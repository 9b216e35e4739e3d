import pytest

from bot.privacy import crypto
from bot.privacy.pseudonym import pseudonym


def test_encrypt_round_trip_and_ciphertext_hides_the_text():
    token = crypto.encrypt("Me ofrecieron trabajo en La Pampa, mi número es 987654321")
    assert "987654321" not in token and "Pampa" not in token
    assert crypto.decrypt(token) == "Me ofrecieron trabajo en La Pampa, mi número es 987654321"


def test_a_value_from_another_key_is_refused(monkeypatch):
    from bot.config import get_settings

    foreign = crypto.PREFIX + crypto.Fernet(crypto.generate_key().encode()).encrypt(b"x").decode()
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(foreign)
    assert get_settings().field_keys  # the configured key is still there


def test_rotation_keeps_old_values_readable(monkeypatch, tmp_path):
    from bot.config import load_settings

    old_key, new_key = crypto.generate_key(), crypto.generate_key()
    old = load_settings({"WILLAKUY_VAR_DIR": str(tmp_path), "WILLAKUY_FIELD_KEYS": old_key})
    monkeypatch.setattr(crypto, "get_settings", lambda: old)
    token = crypto.encrypt("secreto")
    both = load_settings({"WILLAKUY_VAR_DIR": str(tmp_path), "WILLAKUY_FIELD_KEYS": f"{new_key},{old_key}"})
    monkeypatch.setattr(crypto, "get_settings", lambda: both)
    assert crypto.decrypt(token) == "secreto"
    rotated = crypto.rotate(token)
    only_new = load_settings({"WILLAKUY_VAR_DIR": str(tmp_path), "WILLAKUY_FIELD_KEYS": new_key})
    monkeypatch.setattr(crypto, "get_settings", lambda: only_new)
    assert crypto.decrypt(rotated) == "secreto"
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(token)


def test_pseudonym_is_keyed_stable_and_not_the_number():
    a = pseudonym("whatsapp", "+51987654321", key="k1")
    assert a == pseudonym("WhatsApp", " +51987654321 ", key="k1")
    assert a != pseudonym("whatsapp", "+51987654321", key="k2")
    assert a != pseudonym("sms", "+51987654321", key="k1")
    assert "987654321" not in a and len(a) == 32
