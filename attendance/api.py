"""Attendance API: a session's roster (read and record) and headcounts (DESIGN.md, API contract).

Who may call it: the session's trainers and its provider's staff (Alliance admins too). Anyone
else signed in gets 403 for a session they can see in the catalog and 404 for one they cannot
(a draft course of another provider); anonymous callers get 401. Every rule beyond the shape of
the input (confirmed registrations only, meetings of this session, partial minutes, the 14-day
lock for trainers) is attendance.services'; this module only translates HTTP.
"""

from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
)
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from courses.filters import visible_sessions
from courses.models import Meeting, Session
from organizations.models import District
from pd_platform.parsers import JSONParser
from registrations.models import Registration

from .models import Attendance, Headcount
from .permissions import can_take_attendance
from .services import AttendanceEntry, record_attendance, record_headcount

MAX_ROWS = 5_000
MAX_ID = 2**63 - 1  # the database's own limit; larger ids would be an error there, not a 400


# --- errors, as documented in the schema ---------------------------------------------------------


class AttendanceErrorSerializer(serializers.Serializer):
    """{"detail": "..."}; named apart from other apps' error components so schemas never clash."""

    detail = serializers.CharField()


NOT_AUTHENTICATED = OpenApiResponse(
    AttendanceErrorSerializer, description="Not signed in, or a bad token."
)
FORBIDDEN = OpenApiResponse(
    AttendanceErrorSerializer,
    description="Signed in, but neither a trainer of the session nor staff of its provider.",
)
NOT_FOUND = OpenApiResponse(
    AttendanceErrorSerializer, description="No such session that you may see."
)
UNSUPPORTED = OpenApiResponse(AttendanceErrorSerializer, description="The body is not JSON.")
ROSTER_INPUT_ERROR = OpenApiResponse(
    response=OpenApiTypes.ANY,
    description="Nothing was saved. A malformed row gives DRF's list of per-row messages; a "
    "row the rules refuse gives `entries` (one message per problem, naming the row); a roster "
    "locked for trainers gives `non_field_errors`.",
    examples=[
        OpenApiExample("Malformed row", value=[{}, {"status": ['"late" is not a valid choice.']}]),
        OpenApiExample(
            "Refused row",
            value={
                "entries": ["Row 2: partial attendance needs the minutes attended, from 1 to 360."]
            },
        ),
        OpenApiExample(
            "Locked",
            value={
                "non_field_errors": [
                    "Attendance of this session locked on Tue, Nov 24, 2026, 3:00 PM EST; "
                    "the provider's staff can still correct it."
                ]
            },
        ),
        OpenApiExample(
            "Too many rows",
            value={"non_field_errors": ["Ensure this field has no more than 5000 elements."]},
        ),
    ],
)
HEADCOUNT_INPUT_ERROR = OpenApiResponse(
    response=OpenApiTypes.OBJECT,
    description="Nothing was saved: a list of messages per field.",
    examples=[
        OpenApiExample(
            "Per field", value={"count": ["Ensure this value is less than or equal to 10000."]}
        )
    ],
)
SESSION_ID = OpenApiParameter(
    "id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The session's id."
)


# --- the roster ---------------------------------------------------------------------------------


class RosterMeetingSerializer(serializers.ModelSerializer):
    class Meta:
        model = Meeting
        fields = ["id", "starts_at", "ends_at", "length_minutes"]
        read_only_fields = fields


class RosterRegistrationSerializer(serializers.ModelSerializer):
    person = serializers.CharField(
        source="person.get_full_name", read_only=True, help_text="The registrant's name."
    )
    district = serializers.CharField(
        source="district.name",
        read_only=True,
        allow_null=True,
        default=None,
        help_text="The district at the time of registration.",
    )
    credited_minutes = serializers.IntegerField(read_only=True)
    completed = serializers.BooleanField(read_only=True)

    class Meta:
        model = Registration
        fields = ["id", "person", "district", "position", "credited_minutes", "completed"]
        read_only_fields = fields


class RosterAttendanceSerializer(serializers.ModelSerializer):
    registration = serializers.IntegerField(source="registration_id", read_only=True)
    meeting = serializers.IntegerField(source="meeting_id", read_only=True)

    class Meta:
        model = Attendance
        fields = ["registration", "meeting", "status", "minutes", "source", "recorded_at"]
        read_only_fields = fields


class HeadcountSerializer(serializers.ModelSerializer):
    meeting = serializers.IntegerField(source="meeting_id", read_only=True)
    district = serializers.IntegerField(source="district_id", read_only=True, allow_null=True)
    district_name = serializers.CharField(
        source="district.name", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = Headcount
        fields = ["id", "meeting", "audience", "district", "district_name", "count", "recorded_at"]
        read_only_fields = fields


class RosterSerializer(serializers.Serializer):
    """A session's roster: confirmed registrations with credited minutes and completion, the
    attendance recorded so far, and headcounts."""

    session = serializers.IntegerField(source="session.pk")
    completion_threshold = serializers.IntegerField(source="session.completion_threshold")
    meetings = RosterMeetingSerializer(many=True)
    registrations = RosterRegistrationSerializer(many=True)
    attendance = RosterAttendanceSerializer(many=True)
    headcounts = HeadcountSerializer(many=True)


def _roster(session: Session) -> dict:
    """Everything the roster shows, in four queries whatever the number of people."""
    confirmed = Registration.objects.filter(session=session, status=Registration.Status.CONFIRMED)
    registrations: QuerySet[Registration] = confirmed.select_related("person", "district")
    return {
        "session": session,
        "meetings": session.meetings.order_by("starts_at", "pk"),
        "registrations": registrations.order_by("person__last_name", "person__first_name", "pk"),
        "attendance": Attendance.objects.filter(
            meeting__session=session, registration__in=confirmed
        ).order_by("registration_id", "meeting__starts_at"),
        "headcounts": Headcount.objects.filter(meeting__session=session)
        .select_related("district")
        .order_by("meeting__starts_at", "recorded_at", "pk"),
    }


# --- input ----------------------------------------------------------------------------------------


class AttendanceRowSerializer(serializers.Serializer):
    """One row of a PUT: the shape only; attendance.services decides whether it is allowed."""

    registration = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    meeting = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    status = serializers.ChoiceField(choices=Attendance.Status.choices)
    minutes = serializers.IntegerField(
        min_value=0,
        max_value=MAX_ID,
        required=False,
        allow_null=True,
        default=None,
        help_text="Minutes attended, for partial attendance only (1 to the meeting's length).",
    )

    def to_entry(self, row: dict) -> AttendanceEntry:
        return AttendanceEntry(row["registration"], row["meeting"], row["status"], row["minutes"])


class HeadcountRequestSerializer(serializers.Serializer):
    meeting = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, help_text="A meeting of this session."
    )
    audience = serializers.ChoiceField(choices=Headcount.Audience.choices)
    district = serializers.PrimaryKeyRelatedField(
        queryset=District.objects.all(),
        allow_null=True,
        required=False,
        default=None,
        help_text="The district's id, or null when the participants are from several.",
    )
    count = serializers.IntegerField(min_value=1, max_value=10_000)


# --- views --------------------------------------------------------------------------------------


class SessionAttendanceView(APIView):
    """Shared lookup: the session, if the signed-in person takes its attendance."""

    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser]

    def session_for(self, request, pk: int) -> Session:
        session = get_object_or_404(Session.objects.select_related("course"), pk=pk)
        if can_take_attendance(request.user, session):
            return session
        if not visible_sessions(request.user).filter(pk=session.pk).exists():
            raise Http404("No such session.")
        raise PermissionDenied(
            "Only the session's trainers and the provider's staff see and take attendance."
        )


class RosterView(SessionAttendanceView):
    @extend_schema(
        summary="Get a session's roster",
        description="Meetings, confirmed registrations (with credited minutes and completion), "
        "the attendance recorded and the headcounts. For the session's trainers and its "
        "provider's staff; 403 for anyone else signed in, 404 for a session they cannot see "
        "in the catalog.",
        parameters=[SESSION_ID],
        responses={
            200: RosterSerializer,
            401: NOT_AUTHENTICATED,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
    )
    def get(self, request, pk: int):
        session = self.session_for(request, pk)
        return Response(RosterSerializer(_roster(session)).data)

    @extend_schema(
        summary="Record attendance",
        description="Record many rows at once (at most 5,000, and at most one per confirmed "
        "registration and meeting of the roster: a repeated pair is 400 naming its rows): all "
        "are saved, or none is. A row for a registration and meeting already recorded replaces "
        "it. Completions (once the session's last meeting has ended) issue "
        "certificates; a correction that undoes one revokes it. Trainers may record until 14 "
        "days after the last meeting, provider staff at any time. Answers with the roster.",
        parameters=[SESSION_ID],
        request=AttendanceRowSerializer(many=True),
        responses={
            200: RosterSerializer,
            400: ROSTER_INPUT_ERROR,
            401: NOT_AUTHENTICATED,
            403: FORBIDDEN,
            404: NOT_FOUND,
            415: UNSUPPORTED,
        },
    )
    def put(self, request, pk: int):
        session = self.session_for(request, pk)
        rows = AttendanceRowSerializer(data=request.data, many=True, max_length=MAX_ROWS)
        rows.is_valid(raise_exception=True)
        record_attendance(
            session=session,
            entries=[rows.child.to_entry(row) for row in rows.validated_data],
            by=request.user,
            source=Attendance.Source.API,
        )
        return Response(RosterSerializer(_roster(session)).data)


class HeadcountView(SessionAttendanceView):
    @extend_schema(
        summary="Record a headcount",
        description="Participants without accounts, as a number (youth are only ever "
        "counted): audience youth or adult, optionally their district, 1 to 10,000.",
        parameters=[SESSION_ID],
        request=HeadcountRequestSerializer,
        responses={
            201: HeadcountSerializer,
            400: HEADCOUNT_INPUT_ERROR,
            401: NOT_AUTHENTICATED,
            403: FORBIDDEN,
            404: NOT_FOUND,
            415: UNSUPPORTED,
        },
    )
    def post(self, request, pk: int):
        session = self.session_for(request, pk)
        body = HeadcountRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        meeting = session.meetings.filter(pk=data["meeting"]).first()
        if meeting is None:
            raise serializers.ValidationError({"meeting": ["Not a meeting of this session."]})
        headcount = record_headcount(
            meeting=meeting,
            audience=data["audience"],
            count=data["count"],
            district=data["district"],
            by=request.user,
        )
        return Response(HeadcountSerializer(headcount).data, status=status.HTTP_201_CREATED)
