from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

_default = PasswordHasher()
# Tests create hundreds of accounts: a cheaper (still argon2id) cost keeps the suite fast.
_fast = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)

MIN_LENGTH = 10


def _hasher() -> PasswordHasher:
    return _fast if current_app.config.get("ARGON2_FAST") else _default


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    if not password_hash:
        return False
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def password_problem(password: str) -> str | None:
    """A French message if the password is not acceptable, else None."""
    if len(password) < MIN_LENGTH:
        return f"Le mot de passe doit comporter au moins {MIN_LENGTH} caractères."
    if password.strip() != password:
        return "Le mot de passe ne doit pas commencer ni finir par une espace."
    return None
