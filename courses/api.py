"""The catalog API: courses and sessions. Reads go through courses.selectors, every write through
courses.services; this module only translates HTTP."""

import datetime as dt
from collections.abc import Mapping

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import permissions, serializers, status, viewsets
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.decorators import action
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.response import Response
from rest_framework.settings import APISettings

from accounts.models import User
from accounts.validators import validate_single_line
from organizations.models import Provider
from organizations.permissions import can_manage_provider, managed_provider_ids, roles_of
from pd_platform.parsers import JSONParser
from registrations.selectors import with_seat_counts

from . import services
from .filters import CourseFilter, SessionFilter, visible_courses, visible_sessions
from .models import Course, Meeting, Program, Session, Venue
from .selectors import eligible_trainers, hours_mismatch, session_details

# --- errors, as documented in the schema ----------------------------------------------------


class CatalogErrorSerializer(serializers.Serializer):
    """{"detail": "..."}; named apart from other apps' error components so schemas never clash."""

    detail = serializers.CharField()


VALIDATION_ERROR = OpenApiResponse(
    response=OpenApiTypes.OBJECT,
    description="Invalid input: a list of messages per field (`non_field_errors` for the "
    "request as a whole).",
    examples=[
        OpenApiExample("Per field", value={"provider": ["Select a valid choice."]}),
    ],
)
NOT_AUTHENTICATED = OpenApiResponse(
    CatalogErrorSerializer, description="Not signed in, or a bad token."
)
FORBIDDEN = OpenApiResponse(
    CatalogErrorSerializer, description="Signed in, but not allowed to do this."
)
NOT_FOUND = OpenApiResponse(CatalogErrorSerializer, description="No such object that you may see.")
UNSUPPORTED = OpenApiResponse(CatalogErrorSerializer, description="The body is not JSON.")

SESSION_ID = OpenApiParameter(
    "id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The session's id."
)
READ_ERRORS = {400: VALIDATION_ERROR, 401: NOT_AUTHENTICATED, 404: NOT_FOUND}
WRITE_ERRORS = {
    400: VALIDATION_ERROR,
    401: NOT_AUTHENTICATED,
    403: FORBIDDEN,
    404: NOT_FOUND,
    415: UNSUPPORTED,
}


# --- shared pieces ------------------------------------------------------------------------------


class RejectUnknownFieldsMixin:
    """A write naming a field the endpoint does not take is a 400, not silently ignored."""

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            writable = {name for name, field in self.fields.items() if not field.read_only}
            unknown = sorted(str(key) for key in data if key not in writable)
            if unknown:
                raise serializers.ValidationError({key: ["Unknown field."] for key in unknown})
        return super().to_internal_value(data)


class SlugRelatedField(serializers.SlugRelatedField):
    """Refers to an object by its `slug`. A NUL character is refused before the lookup, which
    PostgreSQL would answer with an error instead of "no such row"."""

    def __init__(self, **kwargs):
        super().__init__(slug_field="slug", **kwargs)

    def to_internal_value(self, data):
        if isinstance(data, str) and "\x00" in data:
            self.fail("invalid")
        return super().to_internal_value(data)


class ManagesCatalogOrReadOnly(permissions.BasePermission):
    """Anyone reads; provider staff (and Alliance admins) write, each for their own provider."""

    message = "Only provider staff may change the catalog."

    def has_permission(self, request, view) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        return request.user.is_authenticated and roles_of(request.user).is_provider_staff

    def has_object_permission(self, request, view, obj) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        provider_id = obj.provider_id if isinstance(obj, Course) else obj.course.provider_id
        return can_manage_provider(request.user, provider_id)


class FormatIsAFilter(DefaultContentNegotiation):
    """`?format=online` filters by session format here; DRF would read it as a renderer choice
    (and answer 404). The API renders JSON only anyway."""

    settings = APISettings(user_settings={"URL_FORMAT_OVERRIDE": None})


class CatalogViewSet(viewsets.GenericViewSet):
    # Token first: its WWW-Authenticate header makes an anonymous write a 401, not a 403.
    authentication_classes = [TokenAuthentication, SessionAuthentication]
    permission_classes = [permissions.IsAuthenticatedOrReadOnly, ManagesCatalogOrReadOnly]
    parser_classes = [JSONParser]
    content_negotiation_class = FormatIsAFilter
    # Any id or slug reaches the view, so a malformed one is a JSON 404, not Django's HTML one.
    lookup_value_regex = "[^/]+"

    def get_object(self):
        if "\x00" in str(self.kwargs.get(self.lookup_url_kwarg or self.lookup_field, "")):
            raise Http404  # PostgreSQL refuses NUL in a lookup; no object has one anyway
        return super().get_object()

    def filter_queryset(self, queryset):
        # Query-string filters narrow the list only, never the object of a detail or a write.
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    def managed_filter(self, field: str) -> dict:
        """Keyword filter restricting a queryset to the providers the person manages."""
        managed = managed_provider_ids(self.request.user)
        return {} if managed is None else {f"{field}__in": managed}


class ProviderRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Provider
        fields = ["short_name", "slug"]
        read_only_fields = fields


# --- courses ------------------------------------------------------------------------------------


class ProgramRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Program
        fields = ["slug", "name"]
        read_only_fields = fields


class CourseSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api-course-detail", lookup_field="slug")
    provider = ProviderRefSerializer(read_only=True)
    program = ProgramRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Course
        fields = [
            "slug",
            "url",
            "title",
            "summary",
            "description",
            "provider",
            "program",
            "audience",
            "hours",
            "member_price",
            "non_member_price",
            "trains_trainers",
            "status",
        ]
        read_only_fields = fields


class CourseListSerializer(CourseSerializer):
    next_starts_at = serializers.DateTimeField(
        read_only=True,
        allow_null=True,
        help_text="Start of the soonest upcoming scheduled session (matching the session "
        "filters, when given); null when there is none.",
    )

    class Meta(CourseSerializer.Meta):
        fields = [*CourseSerializer.Meta.fields, "next_starts_at"]
        read_only_fields = fields


class CourseWriteSerializer(RejectUnknownFieldsMixin, serializers.ModelSerializer):
    provider = SlugRelatedField(queryset=Provider.objects.all())
    program = SlugRelatedField(queryset=Program.objects.all(), allow_null=True, required=False)

    class Meta:
        model = Course
        fields = [
            "slug",
            "title",
            "summary",
            "description",
            "provider",
            "program",
            "audience",
            "hours",
            "member_price",
            "non_member_price",
            "trains_trainers",
            "status",
        ]
        extra_kwargs = {"title": {"validators": [validate_single_line]}}


@extend_schema_view(
    list=extend_schema(
        summary="List courses",
        description="Published courses, plus the draft and archived courses of the providers "
        "you manage (every course for Alliance admins), soonest upcoming session first.\n\n"
        "Without a session-level filter (`format`, `starts_after`, `starts_before`, "
        "`has_seats=true`) every visible course is listed, also those with no upcoming session "
        "(their `next_starts_at` is null and they come last). With one, only courses that "
        "have an upcoming scheduled session matching all session-level filters together are "
        "listed, and `next_starts_at` is that session's start. `q` searches the title, "
        "summary, description and program name, and the venue, town and title of upcoming "
        "sessions.",
        responses={200: CourseListSerializer, **READ_ERRORS},
    ),
    retrieve=extend_schema(
        summary="Get a course",
        responses={200: CourseSerializer, 401: NOT_AUTHENTICATED, 404: NOT_FOUND},
    ),
    create=extend_schema(
        summary="Create a course",
        description="Provider staff create courses of their own provider (Alliance admins of "
        "any); another provider's is a 403.",
        request=CourseWriteSerializer,
        responses={201: CourseSerializer, **WRITE_ERRORS},
    ),
    partial_update=extend_schema(
        summary="Change a course",
        description="Staff of the course's provider, or an Alliance admin. Another provider's "
        "course is a 404.",
        request=CourseWriteSerializer,
        responses={200: CourseSerializer, **WRITE_ERRORS},
    ),
    destroy=extend_schema(
        summary="Delete a course",
        description="Only a course without sessions can be deleted (400 otherwise: archive it).",
        responses={204: None, **WRITE_ERRORS},
    ),
)
class CourseViewSet(CatalogViewSet):
    lookup_field = "slug"
    filterset_class = CourseFilter

    def get_queryset(self) -> QuerySet[Course]:
        if self.request.method in permissions.SAFE_METHODS:
            courses = visible_courses(self.request.user)
        else:
            courses = Course.objects.filter(**self.managed_filter("provider_id"))
        return courses.select_related("provider", "program").order_by("title", "slug")

    def get_serializer_class(self):
        return CourseListSerializer if self.action == "list" else CourseSerializer

    def list(self, request):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, slug=None):
        return Response(self.get_serializer(self.get_object()).data)

    def create(self, request):
        data = self._validated(CourseWriteSerializer(data=request.data))
        course = services.create_course(by=request.user, **data)
        body = self.get_serializer(course).data
        return Response(body, status=status.HTTP_201_CREATED, headers={"Location": body["url"]})

    def partial_update(self, request, slug=None):
        course = self.get_object()
        data = self._validated(CourseWriteSerializer(course, data=request.data, partial=True))
        course = services.update_course(course=course, by=request.user, **data)
        return Response(self.get_serializer(course).data)

    def destroy(self, request, slug=None):
        services.delete_course(course=self.get_object(), by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _validated(self, serializer: serializers.Serializer) -> dict:
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data


# --- sessions -----------------------------------------------------------------------------------


class MeetingSerializer(serializers.ModelSerializer):
    length_minutes = serializers.IntegerField(
        read_only=True, help_text="Duration minus the unpaid break: what counts as PD time."
    )

    class Meta:
        model = Meeting
        fields = ["id", "starts_at", "ends_at", "break_minutes", "length_minutes"]
        read_only_fields = fields


# Times a session can mean. Before 1883 America/New_York is on local mean time, whose offset
# (-04:56:02) has seconds: the answer was not a valid RFC 3339 date-time.
TIME_LIMITS = [
    MinValueValidator(dt.datetime(1900, 1, 1, tzinfo=dt.UTC)),
    MaxValueValidator(dt.datetime(2999, 12, 31, tzinfo=dt.UTC)),
]


class MeetingTimesSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    starts_at = serializers.DateTimeField(validators=TIME_LIMITS)
    ends_at = serializers.DateTimeField(validators=TIME_LIMITS)
    break_minutes = serializers.IntegerField(
        required=False,
        default=0,
        min_value=0,
        max_value=24 * 60,
        help_text="Unpaid break (lunch) in minutes, shorter than the meeting; it does not "
        "count towards PD hours. Default 0.",
    )

    def validate(self, attrs: dict) -> dict:
        # A PATCH is partial for the session, never for a meeting: DRF would skip `required`
        # in nested serializers too, and a meeting without its times reached the service.
        missing = {
            name: ["This field is required."]
            for name in ("starts_at", "ends_at")
            if name not in attrs
        }
        if missing:
            raise serializers.ValidationError(missing)
        return {"break_minutes": 0, **attrs}


class CourseRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Course
        fields = ["slug", "title"]
        read_only_fields = fields


class VenueSerializer(serializers.ModelSerializer):
    class Meta:
        model = Venue
        fields = ["name", "town"]
        read_only_fields = fields


class PriceField(serializers.DecimalField):
    """The price a registrant pays (Session.price_for): 0 when free, else the session's own
    price or the course's."""

    def __init__(self, *, member: bool, **kwargs):
        self.member = member
        super().__init__(max_digits=8, decimal_places=2, source="*", read_only=True, **kwargs)

    def to_representation(self, session: Session) -> str:
        return super().to_representation(session.price_for(member=self.member))


class SessionSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api-session-detail")
    course = CourseRefSerializer(read_only=True)
    provider = ProviderRefSerializer(source="course.provider", read_only=True)
    venue = VenueSerializer(read_only=True, allow_null=True)
    meetings = MeetingSerializer(many=True, read_only=True)
    starts_at = serializers.DateTimeField(
        source="first_starts_at",
        read_only=True,
        allow_null=True,
        help_text="First meeting's start.",
    )
    ends_at = serializers.DateTimeField(
        source="last_ends_at", read_only=True, allow_null=True, help_text="Last meeting's end."
    )
    seats_left = serializers.IntegerField(read_only=True)
    waitlist_count = serializers.IntegerField(read_only=True)
    member_price = PriceField(member=True, help_text="Price for members of an Alliance district.")
    non_member_price = PriceField(member=False, help_text="Price for everyone else.")
    trainers = serializers.SerializerMethodField(help_text="Names of the session's trainers.")
    hours = serializers.DecimalField(
        source="hours_offered",
        max_digits=7,
        decimal_places=2,
        read_only=True,
        help_text="PD hours the session offers: its meetings' lengths (breaks excluded) / 60.",
    )

    class Meta:
        model = Session
        fields = [
            "id",
            "url",
            "course",
            "provider",
            "title",
            "status",
            "format",
            "delivery",
            "venue",
            "hours",
            "capacity",
            "seats_left",
            "waitlist_count",
            "registration_opens_at",
            "registration_closes_at",
            "requires_approval",
            "is_free",
            "member_price",
            "non_member_price",
            "completion_threshold",
            "evaluation_required",
            "trainers",
            "notes",
            "starts_at",
            "ends_at",
            "meetings",
            "cancelled_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_trainers(self, session: Session) -> list[str]:
        return [trainer.full_name for trainer in session.trainers.all() if trainer.full_name]


class TrainerField(serializers.PrimaryKeyRelatedField):
    """A trainer id among the people the caller may name (courses.selectors.eligible_trainers;
    the service checks the session's own rule). Any other id, whether or not someone has it,
    gets the same answer, so the field cannot be used to find out who has an account."""

    def to_internal_value(self, data):
        try:
            return super().to_internal_value(data)
        except serializers.ValidationError:
            shown = data if isinstance(data, int) and not isinstance(data, bool) else "?"
            if isinstance(data, str) and data.isdigit() and len(data) < 20:
                shown = data
            raise serializers.ValidationError(
                f"Not a trainer you can assign: {shown}.", code="not_eligible"
            ) from None


class SessionWriteSerializer(RejectUnknownFieldsMixin, serializers.ModelSerializer):
    course = SlugRelatedField(queryset=Course.objects.none())
    venue = serializers.PrimaryKeyRelatedField(
        queryset=Venue.objects.all(), allow_null=True, required=False
    )
    meetings = MeetingTimesSerializer(
        many=True,
        allow_empty=False,
        help_text="Every meeting of the session; on a change, replaces them all.",
    )
    trainers = TrainerField(
        many=True,
        queryset=User.objects.none(),
        required=False,
        help_text="Ids of the people who lead the session: its provider's staff, people who "
        "led its sessions before and its programs' certified trainers; a turnkey session "
        "takes only certified trainers of its program.",
    )

    class Meta:
        model = Session
        fields = [
            "course",
            "title",
            "format",
            "delivery",
            "venue",
            "online_url",
            "capacity",
            "registration_opens_at",
            "registration_closes_at",
            "requires_approval",
            "completion_threshold",
            "evaluation_required",
            "is_free",
            "member_price",
            "non_member_price",
            "notes",
            "meetings",
            "trainers",
        ]
        # The database's own limit everywhere (SQLite would take any size).
        extra_kwargs = {
            "title": {"validators": [validate_single_line]},
            "capacity": {"max_value": 2_147_483_647},
            "registration_opens_at": {"validators": TIME_LIMITS},
            "registration_closes_at": {"validators": TIME_LIMITS},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        # A course you may not see is "unknown", whichever provider it belongs to.
        user = getattr(request, "user", None)
        self.fields["course"].queryset = visible_courses(user)
        self.fields["trainers"].child_relation.queryset = eligible_trainers(by=user)

    def validated_for_service(self) -> dict:
        data = dict(self.validated_data)
        if "meetings" in data:
            data["meetings"] = [
                services.MeetingTimes(m["starts_at"], m["ends_at"], m["break_minutes"])
                for m in data["meetings"]
            ]
        return data


class SessionWrittenSerializer(SessionSerializer):
    """A session as answered to a create or a change, with what staff should look at."""

    warnings = serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        help_text="Saved anyway, but worth a look: e.g. the meetings do not add up to the "
        "course's PD hours.",
    )

    class Meta(SessionSerializer.Meta):
        fields = [*SessionSerializer.Meta.fields, "warnings"]
        read_only_fields = fields


@extend_schema_view(
    list=extend_schema(
        summary="List sessions",
        description="Sessions of published courses, scheduled and cancelled (see `status`), "
        "plus every session of the providers you manage; by first meeting, soonest first.",
        responses={200: SessionSerializer, **READ_ERRORS},
    ),
    retrieve=extend_schema(
        summary="Get a session",
        parameters=[SESSION_ID],
        responses={200: SessionSerializer, 401: NOT_AUTHENTICATED, 404: NOT_FOUND},
    ),
    create=extend_schema(
        summary="Schedule a session",
        description="Provider staff schedule sessions of their own provider's courses; "
        "another provider's course is a 403.",
        request=SessionWriteSerializer,
        responses={201: SessionWrittenSerializer, **WRITE_ERRORS},
    ),
    partial_update=extend_schema(
        summary="Change a session",
        parameters=[SESSION_ID],
        description="Staff of the session's provider. `meetings`, when given, replaces every "
        "meeting (a meeting that only moved keeps its id).",
        request=SessionWriteSerializer,
        responses={200: SessionWrittenSerializer, **WRITE_ERRORS},
    ),
    destroy=extend_schema(
        summary="Delete a session",
        parameters=[SESSION_ID],
        description="Only a session nobody registered for (400 otherwise: cancel it).",
        responses={204: None, **WRITE_ERRORS},
    ),
    cancel=extend_schema(
        summary="Cancel a session",
        parameters=[SESSION_ID],
        description="Marks the session cancelled; repeating it changes nothing.",
        request=None,
        responses={200: SessionSerializer, **WRITE_ERRORS},
    ),
)
class SessionViewSet(CatalogViewSet):
    serializer_class = SessionSerializer
    filterset_class = SessionFilter

    def get_queryset(self) -> QuerySet[Session]:
        if self.request.method in permissions.SAFE_METHODS:
            sessions = session_details(visible_sessions(self.request.user), seats=with_seat_counts)
            return sessions.order_by("first_starts_at", "pk")
        managed = self.managed_filter("course__provider_id")
        return Session.objects.filter(**managed).select_related("course").order_by("pk")

    def list(self, request):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, pk=None):
        return Response(self.get_serializer(self.get_object()).data)

    def create(self, request):
        serializer = self._validated(data=request.data)
        data = serializer.validated_for_service()
        session = services.schedule_session(by=request.user, **data)
        body = self._read(session, written=True)
        return Response(body, status=status.HTTP_201_CREATED, headers={"Location": body["url"]})

    def partial_update(self, request, pk=None):
        session = self.get_object()
        data = self._validated(instance=session, data=request.data, partial=True)
        # Session changes reach the people registered (capacity, new invites) and their
        # completions (meeting lengths, threshold, trainers): the one update_session.
        from registrations.services import update_session

        update_session(session=session, by=request.user, **data.validated_for_service())
        return Response(self._read(session, written=True))

    def destroy(self, request, pk=None):
        services.delete_session(session=self.get_object(), by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        # Also cancels its registrations and revokes their certificates.
        from registrations.services import cancel_session

        session = cancel_session(session=self.get_object(), by=request.user)
        return Response(self._read(session))

    def _validated(self, **kwargs) -> SessionWriteSerializer:
        serializer = SessionWriteSerializer(context=self.get_serializer_context(), **kwargs)
        serializer.is_valid(raise_exception=True)
        return serializer

    def _read(self, session: Session, *, written: bool = False) -> dict:
        fresh = session_details(Session.objects.filter(pk=session.pk), seats=with_seat_counts).get()
        if not written:
            return self.get_serializer(fresh).data
        fresh.warnings = [warning for warning in [hours_mismatch(fresh)] if warning]
        return SessionWrittenSerializer(fresh, context=self.get_serializer_context()).data
