from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


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


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's, with its message in our catalogue: Django 5.2.x changed the message id and its Italian
    catalogue no longer matches, so the stock validator answers in English."""

    def get_error_message(self) -> str:
        return ngettext(
            "La password è troppo corta: deve avere almeno %(n)d carattere.",
            "La password è troppo corta: deve avere almeno %(n)d caratteri.",
            self.min_length,
        ) % {"n": self.min_length}

    def get_help_text(self) -> str:
        return ngettext(
            "Almeno %(n)d carattere.",
            "Almeno %(n)d caratteri.",
            self.min_length,
        ) % {"n": self.min_length}
