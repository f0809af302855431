"""The reach report API (DESIGN.md, "Reach report" and the API contract).

GET /api/v1/reports/reach/ takes the page's filters (reports.forms.ReachFilterForm) and answers
with the figures of reports.selectors.reach_report as JSON, or with the same report as a CSV,
XLSX or PDF download (`format=`), the very responses the page's export links give.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotAcceptable, PermissionDenied, ValidationError
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.settings import APISettings
from rest_framework.views import APIView

from courses.models import Session
from organizations.models import Provider

from .exports import FIGURES
from .forms import ANY_DELIVERY, ReachFilterForm
from .permissions import can_see_reports
from .selectors import ReachReport, reach_report
from .views_exports import CONTENT_TYPES, export_response

FORMATS = ("json", "csv", "xlsx", "pdf")


# --- errors, as documented in the schema ----------------------------------------------------


class ReportErrorSerializer(serializers.Serializer):
    """{"detail": "..."}; named apart from other apps' error components so schemas never clash."""

    detail = serializers.CharField()


VALIDATION_ERROR = OpenApiResponse(
    response=OpenApiTypes.OBJECT,
    description="Bad filters: a list of messages per parameter; nothing is computed.",
    examples=[
        OpenApiExample(
            "Per parameter",
            value={
                "provider": ["Choose one of the providers in the list."],
                "end": ["Choose an end date on or after the start date."],
            },
        )
    ],
)
NOT_AUTHENTICATED = OpenApiResponse(
    ReportErrorSerializer, description="Not signed in, or a bad token."
)
FORBIDDEN = OpenApiResponse(
    ReportErrorSerializer,
    description="Signed in without a reporting role (educators, trainers), or provider staff "
    "asking for another provider's figures.",
)


# --- the report as JSON -------------------------------------------------------------------------

HOURS = {"max_digits": 14, "decimal_places": 2, "help_text": "Hours, as a string with 2 decimals."}


class ReachDistrictSerializer(serializers.Serializer):
    district_id = serializers.IntegerField()
    name = serializers.CharField()
    staff_trained = serializers.IntegerField()
    completions = serializers.IntegerField()
    pd_hours = serializers.DecimalField(**HOURS)
    youth_reached = serializers.IntegerField()
    adults_uncounted = serializers.IntegerField()
    free = serializers.BooleanField(help_text="Paid for nothing in scope (see free_districts).")


class ReachPositionSerializer(serializers.Serializer):
    position = serializers.CharField(help_text='The position code at registration; "" when none.')
    label = serializers.CharField()
    staff_trained = serializers.IntegerField()
    completions = serializers.IntegerField()
    pd_hours = serializers.DecimalField(**HOURS)


class ReachSessionSerializer(serializers.Serializer):
    session_id = serializers.IntegerField()
    title = serializers.CharField()
    provider = serializers.CharField(help_text="The provider's short name.")
    first_date = serializers.DateField(help_text="Local date of the first meeting.")
    delivery = serializers.ChoiceField(choices=Session.Delivery.choices)
    is_free = serializers.BooleanField()
    delivered = serializers.BooleanField(help_text="Counted in sessions_delivered.")
    staff_trained = serializers.IntegerField()
    completions = serializers.IntegerField()
    pd_hours = serializers.DecimalField(**HOURS)
    youth_reached = serializers.IntegerField()
    adults_uncounted = serializers.IntegerField()


class ReachDeliverySerializer(serializers.Serializer):
    delivery = serializers.ChoiceField(choices=Session.Delivery.choices)
    label = serializers.CharField()
    sessions_delivered = serializers.IntegerField()
    staff_trained = serializers.IntegerField()
    completions = serializers.IntegerField()
    pd_hours = serializers.DecimalField(**HOURS)
    youth_reached = serializers.IntegerField()


class ReachMultiplierSerializer(serializers.Serializer):
    program_id = serializers.IntegerField()
    program = serializers.CharField()
    trainers_certified = serializers.IntegerField(
        help_text="Trainers certified for the program in the period (not since revoked)."
    )
    turnkey_sessions = serializers.IntegerField(
        help_text="Delivered turnkey sessions in scope led by a certified trainer of the program."
    )
    staff_trained = serializers.IntegerField()
    youth_reached = serializers.IntegerField()


class ReachScopeSerializer(serializers.Serializer):
    fiscal_year = serializers.IntegerField(
        allow_null=True, help_text="The fiscal year reported on; null when start/end were given."
    )
    start = serializers.DateField(help_text="First local date of the period.")
    end = serializers.DateField(help_text="Last local date of the period (inclusive).")
    provider = serializers.CharField(
        allow_null=True, help_text="The provider's slug; null: every provider you may see."
    )
    program = serializers.CharField(allow_null=True, help_text="The program's slug, or null.")
    course = serializers.CharField(allow_null=True, help_text="The course's slug, or null.")
    delivery = serializers.ChoiceField(
        choices=Session.Delivery.choices, allow_null=True, help_text="null: both."
    )
    district_ids = serializers.ListField(
        child=serializers.IntegerField(),
        allow_null=True,
        help_text="District coordinators see only their districts' staff and the headcounts "
        "naming them: those districts. null for everyone else.",
    )


def _figure(key: str, field_class, **kwargs):
    figure = next(f for f in FIGURES if f.key == key)
    return field_class(help_text=figure.definition, **kwargs)


class ReachProviderSerializer(serializers.Serializer):
    """A reports.selectors.ProviderRow: the provider's name and its figures, flattened."""

    provider = serializers.CharField(source="name", help_text="The provider's short name.")
    sessions_delivered = serializers.IntegerField(source="figures.sessions_delivered")
    staff_trained = serializers.IntegerField(source="figures.staff_trained")
    completions = serializers.IntegerField(source="figures.completions")
    districts_reached = serializers.IntegerField(source="figures.districts_reached")
    youth_reached = serializers.IntegerField(source="figures.youth_reached")
    adults_uncounted = serializers.IntegerField(source="figures.adults_uncounted")
    pd_hours = serializers.DecimalField(source="figures.pd_hours", max_digits=14, decimal_places=2)
    free_districts = serializers.IntegerField(source="figures.free_districts")


class ReachEvaluationsSerializer(serializers.Serializer):
    """evaluations.selectors.summary of the sessions in scope."""

    responses = serializers.IntegerField(help_text="Evaluations submitted.")
    asked = serializers.IntegerField(help_text="Completers asked to evaluate, not excused.")
    response_rate = serializers.DecimalField(
        max_digits=5, decimal_places=1, allow_null=True, help_text="Percent of those asked."
    )
    overall_agreement_percent = serializers.DecimalField(
        max_digits=5,
        decimal_places=1,
        allow_null=True,
        help_text="Answers 4 or 5 to the forms' overall question, percent; null below 3 responses.",
    )
    mean_confidence_change = serializers.DecimalField(
        max_digits=4,
        decimal_places=2,
        allow_null=True,
        help_text="Mean of now minus before over the pre/post answers; null below 3 responses.",
    )


class ReachReportSerializer(serializers.Serializer):
    sessions_delivered = _figure("sessions_delivered", serializers.IntegerField)
    staff_trained = _figure("staff_trained", serializers.IntegerField)
    completions = _figure("completions", serializers.IntegerField)
    districts_reached = _figure("districts_reached", serializers.IntegerField)
    youth_reached = _figure("youth_reached", serializers.IntegerField)
    adults_uncounted = _figure("adults_uncounted", serializers.IntegerField)
    pd_hours = _figure("pd_hours", serializers.DecimalField, max_digits=14, decimal_places=2)
    free_districts = _figure("free_districts", serializers.IntegerField)
    by_district = ReachDistrictSerializer(many=True)
    by_position = ReachPositionSerializer(many=True)
    by_session = ReachSessionSerializer(many=True)
    by_delivery = ReachDeliverySerializer(many=True)
    turnkey_multiplier = ReachMultiplierSerializer(many=True)
    by_provider = ReachProviderSerializer(
        many=True,
        help_text="Each provider's figures within the scope, for an Alliance admin looking at "
        "every provider; empty otherwise.",
    )
    evaluations = ReachEvaluationsSerializer(
        allow_null=True,
        help_text="The evaluations of the sessions in scope; null for district coordinators.",
    )
    scope = ReachScopeSerializer()


def report_data(report: ReachReport, form: ReachFilterForm) -> dict:
    data = form.cleaned_data
    figures = {figure.key: getattr(report.figures, figure.key) for figure in FIGURES}
    scope = report.scope
    return {
        **figures,
        "by_district": report.by_district,
        "by_position": report.by_position,
        "by_session": report.by_session,
        "by_delivery": report.by_delivery,
        "turnkey_multiplier": report.turnkey_multiplier,
        "by_provider": report.by_provider,
        "evaluations": report.evaluations,
        "scope": {
            "fiscal_year": None if form.uses_dates else form.fiscal_year(),
            "start": scope.start,
            "end": scope.end,
            "provider": data["provider"].slug if data.get("provider") else None,
            "program": data["program"].slug if data.get("program") else None,
            "course": data["course"].slug if data.get("course") else None,
            "delivery": scope.delivery or None,
            "district_ids": None if scope.district_ids is None else list(scope.district_ids),
        },
    }


# --- the view -----------------------------------------------------------------------------------


class CanSeeReports(BasePermission):
    message = "Reports are for provider staff, Alliance admins and district coordinators."

    def has_permission(self, request, view) -> bool:
        return can_see_reports(request.user)


class FormatIsAnExport(DefaultContentNegotiation):
    """`?format=pdf` picks the export here and the view handles it; DRF would read it as a
    renderer choice (and answer 404). An Accept header naming the export type is no 406."""

    settings = APISettings(user_settings={"URL_FORMAT_OVERRIDE": None})

    def select_renderer(self, request, renderers, format_suffix=None):
        try:
            return super().select_renderer(request, renderers, format_suffix)
        except NotAcceptable:
            if request.query_params.get("format") in CONTENT_TYPES:
                return renderers[0], renderers[0].media_type
            raise


PARAMETERS = [
    OpenApiParameter(
        "fiscal_year",
        OpenApiTypes.INT,
        description="Fiscal year N runs July 1 of N-1 to June 30 of N. Default: the current "
        "one. Ignored when `start` or `end` is given.",
    ),
    OpenApiParameter(
        "start",
        OpenApiTypes.DATE,
        description="First local date of the period (a session counts when its first meeting "
        "is in the period). With only `end`, the first day of its fiscal year.",
    ),
    OpenApiParameter(
        "end",
        OpenApiTypes.DATE,
        description="Last local date of the period, inclusive. With only `start`, the last "
        "day of its fiscal year.",
    ),
    OpenApiParameter(
        "provider",
        OpenApiTypes.STR,
        description="A provider's slug. Provider staff: one of their own (another one is a "
        "403). Default: every provider you may see.",
    ),
    OpenApiParameter("program", OpenApiTypes.STR, description="A program's slug."),
    OpenApiParameter("course", OpenApiTypes.STR, description="A course's slug."),
    OpenApiParameter(
        "delivery",
        OpenApiTypes.STR,
        enum=[ANY_DELIVERY, *Session.Delivery.values],
        description="direct, turnkey, or any (the default).",
    ),
    OpenApiParameter(
        "format",
        OpenApiTypes.STR,
        enum=list(FORMATS),
        description="json (the default), or an export of the same report: csv, xlsx, or pdf "
        "(a summary for funders).",
    ),
]


class ReachReportView(APIView):
    permission_classes = [IsAuthenticated, CanSeeReports]
    content_negotiation_class = FormatIsAnExport

    @extend_schema(
        summary="Reach report",
        description="The reach figures of DESIGN.md for the filters given, with breakdowns by "
        "district, position, session and delivery and the train-the-trainer multiplier. "
        "Provider staff see their providers; Alliance admins every provider; district "
        "coordinators their districts' staff and headcounts. The page, this endpoint and "
        "every export show the same numbers.",
        parameters=PARAMETERS,
        responses={
            (200, "application/json"): ReachReportSerializer,
            (200, "text/csv"): OpenApiResponse(
                OpenApiTypes.STR, description="format=csv: the report in sections."
            ),
            (200, CONTENT_TYPES["xlsx"]): OpenApiResponse(
                OpenApiTypes.BINARY,
                description="format=xlsx: a Summary sheet and one per breakdown.",
            ),
            (200, "application/pdf"): OpenApiResponse(
                OpenApiTypes.BINARY, description="format=pdf: a summary for funders."
            ),
            400: VALIDATION_ERROR,
            401: NOT_AUTHENTICATED,
            403: FORBIDDEN,
        },
    )
    def get(self, request):
        params = request.query_params
        fmt = params.get("format", "json") or "json"
        form = ReachFilterForm(params, user=request.user)
        self._check_provider(form, params.get("provider", ""))
        errors = {} if form.is_valid() else {k: list(v) for k, v in form.errors.items()}
        if fmt not in FORMATS:
            errors["format"] = ["Choose json, csv, xlsx or pdf."]
        if errors:
            raise ValidationError(
                {("non_field_errors" if k == "__all__" else k): v for k, v in errors.items()}
            )
        if fmt != "json":
            return export_response(form.scope(), fmt)
        report = reach_report(form.scope())
        return Response(ReachReportSerializer(report_data(report, form)).data)

    def _check_provider(self, form: ReachFilterForm, slug: str) -> None:
        """Another provider's figures are refused (403), an unknown slug is a bad filter (400)."""
        if not slug or form.provider_ids is None or "\x00" in slug:
            return
        others = Provider.objects.filter(slug=slug).exclude(pk__in=form.provider_ids)
        if others.exists():
            raise PermissionDenied("You may see the reports of your own providers only.")
