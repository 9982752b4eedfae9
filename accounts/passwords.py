"""Passwords the product makes for people (operators' and demo accounts)."""

from __future__ import annotations

import secrets
import string


def generate_password(length: int = 20) -> str:
    """Random, and always meeting the character-class policy."""
    alphabet = string.ascii_letters + string.digits + "!@#$%^&*-_=+"
    required = [
        secrets.choice(string.ascii_uppercase),
        secrets.choice(string.ascii_lowercase),
        secrets.choice(string.digits),
        secrets.choice("!@#$%^&*-_=+"),
    ]
    rest = [secrets.choice(alphabet) for _ in range(length - len(required))]
    chars = required + rest
    secrets.SystemRandom().shuffle(chars)
    return "".join(chars)
