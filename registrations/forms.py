from django import forms

from .models import Registration


class RegisterForm(forms.Form):
    payer = forms.ChoiceField(
        label="Who pays?",
        choices=Registration.Payer.choices,
        initial=Registration.Payer.SELF,
        widget=forms.RadioSelect,
    )
    purchase_order = forms.CharField(
        label="Purchase-order number",
        max_length=50,
        required=False,
        help_text="Only when your district pays and gave you one.",
    )


class DeclineForm(forms.Form):
    reason = forms.CharField(label="Reason (the registrant sees it)", max_length=500)
