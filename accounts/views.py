"""A person's API token page: whether they have one, create (the key is shown once), revoke."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from rest_framework.authtoken.models import Token

from .services import create_api_token, revoke_api_token


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def api_token(request: HttpRequest) -> HttpResponse:
    new_key = ""
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "create":
            try:
                new_key = create_api_token(person=request.user).key
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
                return redirect("accounts:api_token")
        elif action == "revoke":
            if revoke_api_token(person=request.user):
                messages.success(request, "Your API token is revoked; it no longer works.")
            return redirect("accounts:api_token")
        else:
            return redirect("accounts:api_token")
    token = Token.objects.filter(user=request.user).first()
    # The key is rendered only in the response to "Create" (never cached, never shown again).
    return render(request, "accounts/api_token.html", {"token": token, "new_key": new_key})
