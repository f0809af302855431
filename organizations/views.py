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
    # Bound on every POST: a POST whose body is not a form shows the form's errors.
    form = ProfileForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            complete_profile(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Your profile is saved.")
            target = request.POST.get("next") or request.GET.get("next") or "/"
            # A local path only: anything else would be taken for a URL name by redirect().
            if not target.startswith("/") or not url_has_allowed_host_and_scheme(
                target, {request.get_host()}
            ):
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
