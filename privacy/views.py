"""/me/data/: what we hold about you, as a download, and deleting your account."""

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from .forms import DeleteAccountForm
from .selectors import personal_data
from .services import delete_personal_data, deletion_refusal


@never_cache
@login_required
@require_GET
def my_data(request: HttpRequest) -> HttpResponse:
    context = {"refusal": deletion_refusal(request.user)}
    return render(request, "privacy/my_data.html", context)


@never_cache
@login_required
@require_GET
def my_data_json(request: HttpRequest) -> HttpResponse:
    response = JsonResponse(
        personal_data(request.user), encoder=DjangoJSONEncoder, json_dumps_params={"indent": 2}
    )
    response["Content-Disposition"] = 'attachment; filename="my-pd-data.json"'
    return response


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def delete_account(request: HttpRequest) -> HttpResponse:
    refusal = deletion_refusal(request.user)
    form = DeleteAccountForm(request.POST or None, person=request.user)
    if request.method == "POST" and not refusal and form.is_valid():
        try:
            delete_personal_data(person=request.user)
        except ValidationError as error:
            refusal = " ".join(error.messages)
        else:
            logout(request)
            messages.success(request, "Your account is deleted. Thank you for learning with us.")
            return redirect("/")
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "refusal": refusal}
    return render(request, "privacy/delete_account.html", context, status=status)
