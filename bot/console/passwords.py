"""Password hashing with scrypt from the standard library (memory-hard, no extra dependency)."""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

N, R, P = 2**14, 8, 1
MIN_LENGTH = 10


class WeakPassword(ValueError):
    pass


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def hash_password(password: str) -> str:
    check_strength(password)
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=N, r=R, p=P, dklen=32)
    return f"scrypt${N}${R}${P}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        actual = hashlib.scrypt(
            password.encode("utf-8"), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p), dklen=len(expected)
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


# Hash of a random password: verifying against it costs the same time as a real user,
# so response times do not reveal which usernames exist.
DUMMY_HASH = f"scrypt${N}${R}${P}${_b64(b'0' * 16)}${_b64(b'1' * 32)}"


def check_strength(password: str) -> None:
    if len(password) < MIN_LENGTH:
        raise WeakPassword(f"La contraseña debe tener al menos {MIN_LENGTH} caracteres.")
    if password.strip() != password:
        raise WeakPassword("La contraseña no puede empezar ni terminar con espacios.")
    if len(set(password)) < 4:
        raise WeakPassword("La contraseña es demasiado repetitiva.")
