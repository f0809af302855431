"""GET /api/v1/evaluations/results/: the numbers of the results page as JSON (DESIGN.md,
Evaluations), for the same filters (evaluations.results_forms) and the same people."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from .models import Question
from .permissions import can_see_results
from .results_forms import ResultsFilterForm
from .selectors import MIN_RESPONSES, results

PERCENT = {"max_digits": 5, "decimal_places": 1, "allow_null": True}
MEAN = {"max_digits": 4, "decimal_places": 2, "allow_null": True}


class OptionCountSerializer(serializers.Serializer):
    option = serializers.CharField(help_text="The option, or the scale value 1-5.")
    count = serializers.IntegerField()


class QuestionResultSerializer(serializers.Serializer):
    question_id = serializers.IntegerField(source="question.pk")
    text = serializers.CharField(source="question.text")
    kind = serializers.ChoiceField(source="question.kind", choices=Question.Kind.choices)
    is_overall = serializers.BooleanField(source="question.is_overall")
    answered = serializers.IntegerField()
    counts_only = serializers.BooleanField(
        help_text=f"Fewer than {MIN_RESPONSES} responses or answers: only `answered` is given."
    )
    distribution = serializers.SerializerMethodField(
        help_text="Count per scale value (pre/post: now) or per option; empty when counts only."
    )
    mean = serializers.DecimalField(help_text="Mean rating (pre/post: now), 1-5.", **MEAN)
    agreement_percent = serializers.DecimalField(
        help_text="Agreement questions: answers 4 or 5, percent.", **PERCENT
    )
    mean_before = serializers.DecimalField(**MEAN)
    mean_change = serializers.DecimalField(
        help_text="Pre/post: mean of now minus before.",
        max_digits=4,
        decimal_places=2,
        allow_null=True,
    )
    change_n = serializers.IntegerField(help_text="Pre/post pairs the change is the mean of.")
    comments = serializers.ListField(
        child=serializers.CharField(),
        help_text="Open text answers, sorted alphabetically, without names or dates.",
    )

    @extend_schema_field(OptionCountSerializer(many=True))
    def get_distribution(self, instance) -> list[dict]:
        return [{"option": option, "count": count} for option, count in instance.distribution]


class FormResultsSerializer(serializers.Serializer):
    form_id = serializers.IntegerField(source="form.pk")
    title = serializers.CharField(source="form.title")
    version = serializers.IntegerField(source="form.version")
    questions = QuestionResultSerializer(many=True)


class ResultsSerializer(serializers.Serializer):
    responses = serializers.IntegerField()
    asked = serializers.IntegerField(
        help_text="Completers asked to evaluate, not excused (or excused but answered)."
    )
    response_rate = serializers.DecimalField(**PERCENT)
    counts_only = serializers.BooleanField()
    forms = FormResultsSerializer(many=True)
    filters = serializers.DictField(child=serializers.CharField())


class CanSeeResults(BasePermission):
    message = "Evaluation results are for trainers and provider staff."

    def has_permission(self, request, view) -> bool:
        return can_see_results(request.user)


PARAMETERS = [
    OpenApiParameter("fiscal_year", OpenApiTypes.INT, description="Default: the current one."),
    OpenApiParameter("start", OpenApiTypes.DATE, description="First local date (first meeting)."),
    OpenApiParameter("end", OpenApiTypes.DATE, description="Last local date, inclusive."),
    OpenApiParameter("provider", OpenApiTypes.STR, description="A provider's slug."),
    OpenApiParameter("program", OpenApiTypes.STR, description="A program's slug."),
    OpenApiParameter("course", OpenApiTypes.STR, description="A course's slug."),
    OpenApiParameter("session", OpenApiTypes.INT, description="A session's id."),
    OpenApiParameter("trainer", OpenApiTypes.INT, description="A trainer's user id."),
]


class EvaluationResultsView(APIView):
    permission_classes = [IsAuthenticated, CanSeeResults]

    @extend_schema(
        summary="Evaluation results",
        description="Responses, response rate and per question the distribution, mean, "
        "agreement and pre/post change of the evaluations of the sessions in the filters that "
        "you may see (trainers: the sessions they train; provider staff: their providers'; "
        "Alliance admins: all). Never says who answered what.",
        parameters=PARAMETERS,
        responses={
            200: ResultsSerializer,
            400: OpenApiResponse(OpenApiTypes.OBJECT, description="Messages per parameter."),
            401: OpenApiResponse(OpenApiTypes.OBJECT, description="Not signed in."),
            403: OpenApiResponse(OpenApiTypes.OBJECT, description="Not a trainer or staff."),
        },
    )
    def get(self, request):
        form = ResultsFilterForm(request.query_params, user=request.user)
        if not form.is_valid():
            raise ValidationError(
                {
                    ("non_field_errors" if key == "__all__" else key): list(messages)
                    for key, messages in form.errors.items()
                }
            )
        found = results(form.sessions())
        data = {
            "responses": found.responses,
            "asked": found.asked,
            "response_rate": found.response_rate,
            "counts_only": found.counts_only,
            "forms": found.forms,
            "filters": form.describe(),
        }
        return Response(ResultsSerializer(data).data)
