from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from .forms import ProfileForm
from .models import Profile
from .services import complete_profile


@login_required
def profile(request):
    """Complete or change a person's profile: name, district, school, position."""
    current = Profile.objects.filter(user=request.user).first()
    initial = {"first_name": request.user.first_name, "last_name": request.user.last_name}
    if current:
        initial |= {
            "district": current.district_id,
            "school": current.school_id,
            "position": current.position,
            "certification_number": current.certification_number,
        }
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            complete_profile(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Your profile is saved.")
            target = request.POST.get("next") or request.GET.get("next") or "/"
            if not url_has_allowed_host_and_scheme(target, {request.get_host()}):
                target = "/"
            return redirect(target)
    return render(
        request,
        "organizations/profile.html",
        {
            "form": form,
            "next": request.GET.get("next", ""),
            "first_time": not (current and current.is_complete),
        },
    )
