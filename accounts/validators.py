"""The report's password policy as a Django password validator."""

from __future__ import annotations

import string

from django.core.exceptions import ValidationError


class CharacterClassValidator:
    """At least one upper-case letter, one lower-case letter, one digit and one special
    character. The error names every class that is missing."""

    requirements = (
        ("an upper-case letter", str.isupper),
        ("a lower-case letter", str.islower),
        ("a digit", str.isdigit),
        ("a special character", lambda char: char in string.punctuation or not char.isalnum() and not char.isspace()),
    )

    def validate(self, password: str, user: object = None) -> None:
        missing = [name for name, test in self.requirements if not any(test(char) for char in password)]
        if missing:
            raise ValidationError(
                "The password must contain %(missing)s.",
                code="password_missing_character_class",
                params={"missing": ", ".join(missing)},
            )

    def get_help_text(self) -> str:
        return "Your password must contain an upper-case letter, a lower-case letter, a digit and a special character."
