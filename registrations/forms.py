from django import forms

from .models import Registration


class RegisterForm(forms.Form):
    """Register oneself on the session page. A free (grant-funded) session asks nobody to pay:
    the page shows no payer choice, and the registration is recorded as the person's own at
    price 0 (a district is never billed for it)."""

    payer = forms.ChoiceField(
        label="Who pays?",
        choices=Registration.Payer.choices,
        initial=Registration.Payer.SELF,
        required=False,
        widget=forms.RadioSelect,
    )
    purchase_order = forms.CharField(
        label="Purchase-order number",
        max_length=50,
        required=False,
        help_text="Only when your district pays and gave you one.",
    )

    def __init__(self, *args, session=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.session = session

    def clean(self):
        cleaned = super().clean()
        if self.session is not None and self.session.is_free:
            cleaned["payer"], cleaned["purchase_order"] = Registration.Payer.SELF, ""
        elif not cleaned.get("payer") and "payer" not in self.errors:
            self.add_error("payer", "Choose who pays: you or your district.")
        return cleaned


class DeclineForm(forms.Form):
    reason = forms.CharField(label="Reason (the registrant sees it)", max_length=500)


class PersonIdsField(forms.ModelMultipleChoiceField):
    """Ids must be whole numbers that fit a column: Django's own check passes 10**30 on to
    the database, where SQLite cannot even compare it (an OverflowError, a 500)."""

    def clean(self, value):
        if isinstance(value, list | tuple):
            for pk in value:
                if not (isinstance(pk, str) and pk.isascii() and pk.isdigit() and len(pk) < 19):
                    raise forms.ValidationError(
                        self.error_messages["invalid_pk_value"],
                        code="invalid_pk_value",
                        params={"pk": pk},
                    )
        return super().clean(value)


class GroupRegistrationForm(forms.Form):
    """A coordinator registers several people of their district for one session; provider
    staff name the district and type the addresses."""

    session = forms.ModelChoiceField(
        queryset=None,
        label="Session",
        empty_label="Choose a session",
        help_text="Upcoming sessions open for registration, soonest first.",
    )
    district = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label="District",
        empty_label="Choose a district",
        help_text="The district these people work in; it pays when the district pays.",
        error_messages={"required": "Choose the district these people work in."},
    )
    people = PersonIdsField(
        queryset=None,
        required=False,
        label="People of your district",
        widget=forms.CheckboxSelectMultiple,
    )
    emails = forms.CharField(
        label="Or type email addresses",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="One per line or separated by commas. People without an account are invited to sign up.",
        max_length=5000,
    )
    payer = forms.ChoiceField(
        label="Who pays?",
        # Said of the group, not of the person filling in the form.
        choices=[
            (Registration.Payer.DISTRICT, "The district pays"),
            (Registration.Payer.SELF, "Each person pays"),
        ],
        initial=Registration.Payer.DISTRICT,
        widget=forms.RadioSelect,
    )
    purchase_order = forms.CharField(label="Purchase-order number", max_length=50, required=False)

    def __init__(self, *args, sessions, people, districts, district_required=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["session"].queryset = sessions
        self.fields["district"].queryset = districts
        self.fields["district"].required = district_required
        self.fields["session"].label_from_instance = lambda s: (
            f"{s} — {s.first_starts_at:%a, %b %-d, %Y}"
            if getattr(s, "first_starts_at", None)
            else str(s)
        )
        self.fields["people"].queryset = people
        self.fields["people"].label_from_instance = lambda p: f"{p.get_full_name()} ({p.email})"

    def clean_emails(self) -> list[str]:
        raw = self.cleaned_data["emails"].replace(",", "\n").replace(";", "\n")
        emails = [line.strip() for line in raw.splitlines() if line.strip()]
        if len(emails) > 100:
            raise forms.ValidationError("At most 100 addresses at once.")
        return emails

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("people") and not cleaned.get("emails") and not self.errors:
            raise forms.ValidationError("Choose at least one person or type an email address.")
        if cleaned.get("purchase_order") and cleaned.get("payer") != Registration.Payer.DISTRICT:
            self.add_error(
                "purchase_order", "A purchase-order number applies only when the district pays."
            )
        return cleaned


class TransferForm(forms.Form):
    email = forms.EmailField(label="Your colleague's email", max_length=254)
