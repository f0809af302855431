"""API token for scripts and integrations: POST email and password to get the key, DELETE (as
the token's owner, by the token or a signed-in session) to revoke it. One token per person."""

from django.core.exceptions import ValidationError
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from .services import TooManySignInAttempts, revoke_api_token, sign_in_for_api_token


class TokenThrottle(AnonRateThrottle):
    scope = "token"


def _detail_schema(name: str):
    return inline_serializer(name, {"detail": serializers.CharField()})


class TokenRequestSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(max_length=4096, trim_whitespace=False, write_only=True)


class TokenView(APIView):
    """Exchange email and password for the person's API token (created on first use), or
    revoke the caller's token."""

    throttle_classes = [TokenThrottle]

    def _revoking(self) -> bool:
        return getattr(self, "request", None) is not None and self.request.method == "DELETE"

    def get_authenticators(self):
        # POST must not depend on who is signed in (no CSRF check for a signed-in browser, no
        # 401 for a stale token header); only DELETE asks who the caller is.
        return super().get_authenticators() if self._revoking() else []

    def get_permissions(self):
        return [IsAuthenticated()] if self._revoking() else [AllowAny()]

    @extend_schema(
        request=TokenRequestSerializer,
        responses={
            200: inline_serializer("TokenResponse", {"token": serializers.CharField()}),
            # Missing or malformed fields are named; a wrong password is non_field_errors.
            400: inline_serializer(
                "TokenError",
                {
                    name: serializers.ListField(child=serializers.CharField(), required=False)
                    for name in ("email", "password", "non_field_errors")
                },
            ),
            429: _detail_schema("TokenThrottled"),
        },
        auth=[],
    )
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            token = sign_in_for_api_token(
                request=request, email=data["email"], password=data["password"]
            )
        except TooManySignInAttempts as error:
            return Response(
                {"detail": error.messages[0]},
                status=status.HTTP_429_TOO_MANY_REQUESTS,
                headers={"Retry-After": "300"},
            )
        except ValidationError as error:
            return Response(
                {"non_field_errors": error.messages}, status=status.HTTP_400_BAD_REQUEST
            )
        return Response({"token": token.key})

    @extend_schema(
        request=None,
        responses={204: None, 401: _detail_schema("TokenRevokeUnauthenticated")},
        description="Revoke the caller's API token (the one sent, or the signed-in person's). "
        "204 whether or not there was one; 401 when not signed in.",
    )
    def delete(self, request):
        revoke_api_token(person=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
