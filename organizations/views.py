from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from .forms import ProfileForm, RejectClaimForm
from .models import Profile
from .permissions import roles_of
from .selectors import district_is_verified, unverified_people
from .services import complete_profile, confirm_district_member, reject_district_member


@login_required
def profile(request):
    """Complete or change a person's profile: name, district, school, position."""
    current = (
        Profile.objects.select_related("district", "district_confirmed_by")
        .filter(user=request.user)
        .first()
    )
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
            "profile": current,
            "district_verified": district_is_verified(request.user),
            "district_domains": (
                list(current.district.domains.values_list("domain", flat=True))
                if current and current.district
                else []
            ),
        },
    )


@login_required
def district_people(request: HttpRequest) -> HttpResponse:
    """Coordinators (and, for districts without one, the provider's staff and Alliance
    admins) confirm or reject the people who name their district and are not verified."""
    roles = roles_of(request.user)
    if not (roles.is_coordinator or roles.is_provider_staff):
        raise PermissionDenied
    return render(
        request,
        "organizations/district_people.html",
        {"people": unverified_people(request.user), "roles": roles},
    )


@login_required
@require_POST
def decide_district_member(request: HttpRequest, pk: int) -> HttpResponse:
    profile = get_object_or_404(unverified_people(request.user), user__pk=pk)
    person = profile.user
    try:
        if request.POST.get("decision") == "confirm":
            confirm_district_member(person=person, by=request.user)
            messages.success(request, f"Confirmed {person.get_full_name()} for {profile.district}.")
        else:
            form = RejectClaimForm(request.POST)
            if not form.is_valid():
                messages.error(
                    request, "Please give a reason for rejecting (under 500 characters)."
                )
                return redirect("organizations:district_people")
            reject_district_member(
                person=person, by=request.user, reason=form.cleaned_data["reason"]
            )
            messages.success(
                request,
                f"{person.get_full_name()} no longer names {profile.district}; they are emailed the reason.",
            )
    except PermissionDenied as error:
        raise Http404 from error
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("organizations:district_people")
