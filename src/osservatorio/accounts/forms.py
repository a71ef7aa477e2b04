from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from . import services
from .roles import Role


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _(
            "Nome utente o password non corretti. Controlli di averli scritti bene (le maiuscole contano): "
            "dopo %(limit)s tentativi falliti l'accesso resta bloccato per %(minutes)s minuti."
        ),
        "inactive": _("Questo account è disattivato: si rivolga all'amministratore dell'Osservatorio."),
    }

    def get_invalid_login_error(self):
        limit = getattr(settings, "AXES_FAILURE_LIMIT", 5)
        minutes = int(float(getattr(settings, "AXES_COOLOFF_TIME", 0.25) or 0) * 60)
        return ValidationError(
            self.error_messages["invalid_login"],
            code="invalid_login",
            params={"limit": limit, "minutes": minutes},
        )


class UserForm(forms.Form):
    """Create or edit a user; the password fields are required only on creation."""

    username = forms.CharField(
        label=_("Nome utente"),
        max_length=150,
        help_text=_("Lettere, cifre e . @ + - _ (per esempio mario.rossi)."),
    )
    first_name = forms.CharField(label=_("Nome"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Cognome"), max_length=150, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    role = forms.ChoiceField(label=_("Ruolo"), choices=Role.choices)
    comuni = forms.CharField(
        label=_("Comuni (solo per l'operatore comunale)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Codici ISTAT a 6 cifre separati da virgola o a capo, per esempio 019036, 019035."),
    )
    is_active = forms.BooleanField(label=_("Account attivo"), required=False, initial=True)
    password1 = forms.CharField(
        label=_("Password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Ripeta la password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, instance=None, **kwargs):
        self.instance = instance
        if instance is not None:
            initial = kwargs.setdefault("initial", {})
            initial.update(
                username=instance.username,
                first_name=instance.first_name,
                last_name=instance.last_name,
                email=instance.email,
                role=instance.effective_role,
                is_active=instance.is_active,
                comuni=", ".join(sorted(instance.comune_scopes.values_list("comune_code", flat=True))),
            )
        super().__init__(*args, **kwargs)
        if instance is not None:
            self.fields["username"].disabled = True
            self.fields["password1"].label = _("Nuova password (lasci vuoto per non cambiarla)")
        else:
            self.fields["password1"].required = True
            self.fields["password2"].required = True

    def clean_username(self):
        value = self.cleaned_data["username"].strip()
        validator = self.instance.username_validator if self.instance else None
        if validator is None:
            from django.contrib.auth import get_user_model

            validator = get_user_model().username_validator
        try:
            validator(value)
        except ValidationError as e:
            raise ValidationError(
                _("Il nome utente può contenere solo lettere, cifre e i caratteri . @ + - _")
            ) from e
        return value

    def clean_comuni(self):
        return services.parse_comune_codes(self.cleaned_data.get("comuni") or "")

    def clean(self):
        cleaned = super().clean()
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if (p1 or p2) and p1 != p2:
            self.add_error("password2", _("Le due password non coincidono: le riscriva uguali."))
        # Checked here too, so that every mistake of the form is listed at once.
        if "role" in cleaned and "comuni" in cleaned:
            for problem in services.scope_errors(cleaned["role"], cleaned["comuni"]):
                self.add_error("comuni", problem)
        return cleaned

    def user_data(self) -> services.UserData:
        c = self.cleaned_data
        return services.UserData(
            username=c["username"] if self.instance is None else self.instance.username,
            role=c["role"],
            first_name=c.get("first_name", ""),
            last_name=c.get("last_name", ""),
            email=c.get("email", ""),
            is_active=bool(c.get("is_active")),
            comune_codes=c.get("comuni") or [],
        )

    def add_service_errors(self, error: ValidationError) -> None:
        """Errors raised by the service land on the field they name, or on the form."""
        if hasattr(error, "error_dict"):
            for field, errors in error.message_dict.items():
                self.add_error(field if field in self.fields else None, errors)
        else:
            self.add_error(None, error.messages)


class AuditFilterForm(forms.Form):
    KIND_CHOICES = [
        ("", _("Tutti gli eventi")),
        ("lettura", _("Letture di dati personali")),
        ("scrittura", _("Modifiche")),
        ("accesso", _("Ingressi e tentativi falliti")),
    ]

    kind = forms.ChoiceField(label=_("Tipo"), choices=KIND_CHOICES, required=False)
    username = forms.CharField(label=_("Utente"), required=False, max_length=150)
    role = forms.ChoiceField(
        label=_("Ruolo"), choices=[("", _("Tutti"))] + list(Role.choices), required=False
    )
    date_from = forms.DateField(
        label=_("Dal"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    date_to = forms.DateField(
        label=_("Al"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    comune = forms.CharField(
        label=_("Comune (codice ISTAT)"),
        required=False,
        max_length=6,
        help_text=_("6 cifre, per esempio 019036"),
    )
    text = forms.CharField(label=_("Pagina o oggetto contiene"), required=False, max_length=200)

    def clean_comune(self):
        value = (self.cleaned_data.get("comune") or "").strip()
        if value and not services.COMUNE_CODE_RE.match(value):
            raise ValidationError(_("Il codice ISTAT di un comune ha 6 cifre (per esempio 019036)."))
        return value

    def clean(self):
        cleaned = super().clean()
        a, b = cleaned.get("date_from"), cleaned.get("date_to")
        if a and b and a > b:
            self.add_error("date_to", _("La data finale viene prima di quella iniziale: le inverta."))
        return cleaned
