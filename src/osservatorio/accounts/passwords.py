from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class CharacterClassValidator:
    """A strong password mixes lower case, upper case, digits and symbols (at least three of the four)."""

    def validate(self, password: str, user=None) -> None:
        classes = [
            any(c.islower() for c in password),
            any(c.isupper() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        ]
        if sum(classes) < 3:
            raise ValidationError(
                _("La password deve contenere almeno tre tra: minuscole, maiuscole, cifre e simboli."),
                code="password_too_simple",
            )

    def get_help_text(self) -> str:
        return _("Usi almeno tre tra: lettere minuscole, maiuscole, cifre e simboli.")
