"""GET /api/v1/activity/?registration=<id> or ?session=<id>: a record's history, newest first.

A registration's history: whoever may see the registration (the registrant, its district's
coordinators, the provider's staff, Alliance admins); anyone else gets 404, as for the
registration itself. A session's history: its provider's staff and Alliance admins; anyone
else 403 (sessions are public, so there is nothing to hide about their existence); an unknown
session 404. Non-staff see other people by role only (activity.presenters).
"""

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import serializers
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import IsAuthenticated

from courses.models import Session
from registrations.models import Registration

from .models import Activity
from .permissions import (
    Audience,
    audience_of,
    can_see_registration_history,
    can_see_session_history,
)
from .presenters import Entry, present
from .selectors import history_of_registration, history_of_session, with_actor_roles

MAX_ID = 2**63 - 1  # the largest id SQLite and PostgreSQL (bigint) store
ID = {"type": "integer", "format": "int64", "minimum": 1, "maximum": MAX_ID}


class ActivityQuerySerializer(serializers.Serializer):
    registration = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False)
    session = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False)

    def validate(self, data: dict) -> dict:
        if ("registration" in data) == ("session" in data):
            raise serializers.ValidationError(
                "Give either registration=<id> or session=<id>, not both and not neither."
            )
        return data


class ChangeLineSerializer(serializers.Serializer):
    label = serializers.CharField()
    before = serializers.CharField()
    after = serializers.CharField()
    value = serializers.CharField()


ACTOR = inline_serializer(
    "ActivityActor",
    {
        "id": serializers.IntegerField(),
        "name": serializers.CharField(),
        "email": serializers.EmailField(),
    },
    allow_null=True,
)


class ActivitySerializer(serializers.Serializer):
    id = serializers.IntegerField(source="activity.pk")
    created_at = serializers.DateTimeField(source="activity.created_at")
    verb = serializers.CharField(source="activity.verb")
    label = serializers.CharField(source="what")
    who = serializers.CharField(
        help_text="Who acted: a name for staff; for anyone else 'You' or a role "
        "('LEARN staff', 'Your district coordinator', 'The system (settle_sessions command)')."
    )
    actor = serializers.SerializerMethodField()
    system = serializers.CharField(source="activity.system")
    target_type = serializers.CharField(source="activity.target_type.model")
    target_id = serializers.IntegerField(source="activity.target_id")
    registration = serializers.IntegerField(source="activity.registration_id", allow_null=True)
    session = serializers.IntegerField(source="activity.session_id", allow_null=True)
    changes = serializers.JSONField(
        help_text='{"field": [before, after]} for changed fields, other facts under plain keys.'
    )
    lines = ChangeLineSerializer(many=True, help_text="`changes` as a person reads them.")
    reason = serializers.CharField()

    @extend_schema_field(ACTOR)
    def get_actor(self, entry: Entry) -> dict | None:
        """Who acted, by name and email: for staff only (the `who` text for everyone)."""
        actor = entry.activity.actor
        if self.context.get("audience") != Audience.STAFF or actor is None:
            return None
        return {"id": actor.pk, "name": actor.get_full_name(), "email": actor.email}


ERROR = OpenApiResponse(
    inline_serializer("ActivityError", {"detail": serializers.CharField()}),
    description='{"detail": "..."}',
)


@extend_schema(
    parameters=[
        OpenApiParameter(
            "registration",
            ID,
            description="A registration's history (give this or `session`).",
        ),
        OpenApiParameter(
            "session",
            ID,
            description="A session's history: its own changes and its registrations'.",
        ),
    ],
    responses={
        200: ActivitySerializer(many=True),
        400: OpenApiResponse(
            OpenApiTypes.OBJECT,
            description='Neither or both parameters, or a bad id: {"session": ["..."]}.',
        ),
        401: ERROR,
        403: ERROR,
        404: ERROR,
    },
    summary="The history of a registration or a session",
)
class ActivityList(GenericAPIView):
    serializer_class = ActivitySerializer
    permission_classes = [IsAuthenticated]
    queryset = Activity.objects.none()  # for the schema; rows come from the selectors
    filter_backends: list = []

    def get(self, request):
        query = ActivityQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        if "registration" in query.validated_data:
            activities, audience = self._registration_history(query.validated_data["registration"])
        else:
            activities, audience = self._session_history(query.validated_data["session"])
        page = self.paginate_queryset(activities)
        entries = present(page, audience=audience, viewer=request.user)
        serializer = ActivitySerializer(entries, many=True, context={"audience": audience})
        return self.get_paginated_response(serializer.data)

    def _registration_history(self, pk: int):
        registration = Registration.objects.select_related("session__course").filter(pk=pk).first()
        if registration is None or not can_see_registration_history(
            self.request.user, registration
        ):
            raise NotFound("No such registration that you may see.")
        audience = audience_of(self.request.user, registration)
        return with_actor_roles(history_of_registration(registration)), audience

    def _session_history(self, pk: int):
        session = get_object_or_404(Session.objects.select_related("course"), pk=pk)
        if not can_see_session_history(self.request.user, session):
            raise PermissionDenied("Only the provider's staff may see a session's history.")
        return history_of_session(session), Audience.STAFF
