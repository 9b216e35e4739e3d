"""Encryption of sensitive fields at rest (free text, names, contact data, transcripts).

Fernet (AES-128-CBC + HMAC-SHA256) through MultiFernet: the first key encrypts, every
key decrypts, so keys can be rotated by putting a new key first
(`WILLAKUY_FIELD_KEYS=new,old`) and re-encrypting at leisure with `willakuy keys rotate`.
"""
from __future__ import annotations

import functools

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from bot.config import ConfigError, get_settings

PREFIX = "enc1:"


class DecryptionError(RuntimeError):
    """A stored value cannot be decrypted with any configured key."""


@functools.lru_cache(maxsize=4)
def _cipher(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ConfigError("No field encryption key configured (WILLAKUY_FIELD_KEYS).")
    try:
        return MultiFernet([Fernet(k.encode()) for k in keys])
    except (ValueError, TypeError) as exc:
        raise ConfigError(
            "WILLAKUY_FIELD_KEYS must be comma-separated Fernet keys "
            "(generate one with `willakuy keys generate`)."
        ) from exc


def cipher() -> MultiFernet:
    return _cipher(get_settings().field_keys)


def encrypt(plain: str | None) -> str | None:
    if plain is None:
        return None
    return PREFIX + cipher().encrypt(plain.encode("utf-8")).decode("ascii")


def decrypt(token: str | None) -> str | None:
    if token is None:
        return None
    if not token.startswith(PREFIX):
        raise DecryptionError("value is not an encrypted field")
    try:
        return cipher().decrypt(token[len(PREFIX):].encode("ascii")).decode("utf-8")
    except InvalidToken as exc:
        raise DecryptionError("no configured key decrypts this value") from exc


def rotate(token: str) -> str:
    """Re-encrypt a value with the current first key."""
    return PREFIX + cipher().rotate(token[len(PREFIX):].encode("ascii")).decode("ascii")


def generate_key() -> str:
    return Fernet.generate_key().decode("ascii")
