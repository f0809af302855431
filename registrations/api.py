"""Registration API: register, list, cancel, approve, decline (DESIGN.md, API contract)."""

import django_filters
from django import forms
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from courses.selectors import public_sessions

from .models import Registration
from .selectors import registrations_with_sessions, visible_registrations
from .services import approve_registration, cancel_registration, decline_registration, register

MAX_ID = 2**63 - 1  # the largest id SQLite and PostgreSQL (bigint) store


class RegistrationSerializer(serializers.ModelSerializer):
    session = serializers.IntegerField(source="session_id", read_only=True)
    session_title = serializers.CharField(source="session.__str__", read_only=True)
    person = serializers.SerializerMethodField()
    district = serializers.CharField(
        source="district.name", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = Registration
        fields = [
            "id",
            "session",
            "session_title",
            "person",
            "status",
            "district",
            "position",
            "price",
            "payer",
            "purchase_order",
            "decline_reason",
            "created_at",
        ]
        read_only_fields = fields

    def get_person(self, registration: Registration) -> dict:
        return {
            "id": registration.person_id,
            "name": registration.person.get_full_name(),
            "email": registration.person.email,
        }


class RegisterRequestSerializer(serializers.Serializer):
    payer = serializers.ChoiceField(
        choices=Registration.Payer.choices, default=Registration.Payer.SELF
    )
    purchase_order = serializers.CharField(
        max_length=50, required=False, allow_blank=True, default=""
    )


class DeclineRequestSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


ERROR = inline_serializer("Error", {"detail": serializers.CharField()})
FIELD_ERRORS = OpenApiResponse(
    OpenApiTypes.OBJECT, description='Per-field messages, e.g. {"non_field_errors": ["…"]}'
)
BUSY = OpenApiResponse(ERROR, description="The session is busy; retry after Retry-After seconds.")
NOT_AUTHENTICATED = OpenApiResponse(ERROR, description="Not signed in, or a bad token.")
NOT_FOUND = OpenApiResponse(ERROR, description="No such registration (or page) that you may see.")
UNSUPPORTED = OpenApiResponse(ERROR, description="The body's media type is not accepted.")


ACTION_RESPONSES = {
    200: RegistrationSerializer,
    400: FIELD_ERRORS,
    401: NOT_AUTHENTICATED,
    403: ERROR,
    404: NOT_FOUND,
    409: BUSY,
    415: UNSUPPORTED,
}


THROTTLED = OpenApiResponse(ERROR, description="Too many registrations in a minute; retry later.")


class RegisterView(APIView):
    permission_classes = [IsAuthenticated]
    # Per person, in the shared cache (Redis in production), so limits hold across workers.
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "register"

    @extend_schema(
        request=RegisterRequestSerializer,
        responses={
            201: RegistrationSerializer,
            200: RegistrationSerializer,
            400: FIELD_ERRORS,
            401: NOT_AUTHENTICATED,
            404: ERROR,
            409: BUSY,
            415: UNSUPPORTED,
            429: THROTTLED,
        },
        summary="Register the signed-in person for a session",
        description="201 with the new registration (confirmed, waitlisted or pending); 200 with the existing one when repeated.",
    )
    def post(self, request, pk: int):
        session = get_object_or_404(public_sessions(), pk=pk)
        body = RegisterRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        result = register(person=request.user, session=session, **body.validated_data)
        data = RegistrationSerializer(result.registration).data
        return Response(
            data, status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK
        )


@extend_schema_field({"type": "integer", "format": "int64", "minimum": 1, "maximum": MAX_ID})
class IdFilter(django_filters.NumberFilter):
    """A whole number within the database's range: `1.5`, `1e30` or 2**64 are a 400, not a
    silent rounding or an overflow error inside the database driver."""

    field_class = forms.IntegerField


class RegistrationFilter(django_filters.FilterSet):
    session = IdFilter(field_name="session_id", min_value=1, max_value=MAX_ID)
    status = django_filters.ChoiceFilter(choices=Registration.Status.choices)

    class Meta:
        model = Registration
        fields = ["session", "status"]


@extend_schema_view(
    list=extend_schema(
        responses={
            200: RegistrationSerializer(many=True),
            400: FIELD_ERRORS,
            401: NOT_AUTHENTICATED,
            404: NOT_FOUND,
        }
    ),
    retrieve=extend_schema(
        responses={200: RegistrationSerializer, 401: NOT_AUTHENTICATED, 404: NOT_FOUND}
    ),
)
class RegistrationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Own registrations; coordinators also their district's, staff their provider's."""

    serializer_class = RegistrationSerializer
    permission_classes = [IsAuthenticated]
    filterset_class = RegistrationFilter

    queryset = Registration.objects.none()  # for the schema; real rows come from get_queryset

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Registration.objects.none()
        return (
            registrations_with_sessions(visible_registrations(self.request.user))
            .select_related("person")
            .order_by("-created_at", "-pk")
        )

    def _act(self, service, **kwargs) -> Response:
        registration = self.get_object()
        try:
            registration = service(registration=registration, by=self.request.user, **kwargs)
        except DjangoPermissionDenied as error:
            if registration.person_id == self.request.user.pk:
                raise
            raise NotFound() from error
        registration = self.get_queryset().get(pk=registration.pk)
        return Response(RegistrationSerializer(registration).data)

    @extend_schema(
        request=None,
        responses=ACTION_RESPONSES,
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self._act(cancel_registration)

    @extend_schema(
        request=None,
        responses=ACTION_RESPONSES,
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._act(approve_registration)

    @extend_schema(
        request=DeclineRequestSerializer,
        responses=ACTION_RESPONSES,
    )
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        self.get_object()  # someone else's registration is a 404 before the body is judged
        body = DeclineRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._act(decline_registration, reason=body.validated_data["reason"])
