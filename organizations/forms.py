from django import forms

from accounts.validators import validate_single_line

from .models import District, Position, School


class ProfileForm(forms.Form):
    first_name = forms.CharField(max_length=150, validators=[validate_single_line])
    last_name = forms.CharField(max_length=150, validators=[validate_single_line])
    district = forms.ModelChoiceField(
        queryset=District.objects.order_by("name"), empty_label="Choose your district"
    )
    school = forms.ModelChoiceField(
        queryset=School.objects.select_related("district").order_by("district__name", "name"),
        required=False,
        empty_label="District office / no single school",
        help_text="Schools are listed by district.",
    )
    position = forms.ChoiceField(choices=[("", "Choose your position"), *Position.choices])
    certification_number = forms.CharField(
        label="CT educator certification number",
        max_length=20,
        required=False,
        help_text="Optional. Printed on your certificates.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].label_from_instance = lambda school: f"{school.district} — {school}"

    def clean(self):
        cleaned = super().clean()
        district, school = cleaned.get("district"), cleaned.get("school")
        if district and school and school.district_id != district.pk:
            self.add_error("school", "That school is not in the district you chose.")
        return cleaned


class RejectClaimForm(forms.Form):
    reason = forms.CharField(label="Reason (the person sees it)", max_length=500)
