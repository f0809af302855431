"""Evaluations API: a session's evaluation form (anyone who may see the session), and a
person's own evaluation of a registration (read, send or change it). The rules (who was asked,
required answers, ranges, the 7-day change window, the certificate that waits) are
evaluations.services'; this module only translates HTTP.

Errors of a PUT: the shape of the answers, and what the service refuses, both come back as
`{"answers": {"<question id>": ["message"]}}`; a message about the answers as a whole is under
`{"answers": {"non_field_errors": [...]}}`, one about the evaluation (it can no longer be
changed) under `{"non_field_errors": [...]}`. Nothing is saved when any is given.
"""

import datetime as dt

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from certificates.models import Certificate
from courses.filters import visible_sessions
from pd_platform.parsers import JSONParser
from registrations.models import Registration

from .models import CHANGE_DAYS, MAX_CHOICES, Answer, Evaluation, EvaluationRequest, Question
from .selectors import form_for_session
from .services import MAX_TEXT, submit_evaluation

Kind = Question.Kind
MAX_ANSWERS = 200  # far more questions than any form has; a bigger body is refused whole
NON_FIELD = "non_field_errors"


# --- errors, as documented in the schema ---------------------------------------------------------


class EvaluationErrorSerializer(serializers.Serializer):
    """{"detail": "..."}; named apart from other apps' error components so schemas never clash."""

    detail = serializers.CharField()


NOT_AUTHENTICATED = OpenApiResponse(
    EvaluationErrorSerializer, description="Not signed in, or a bad token."
)
NOT_YOURS = OpenApiResponse(
    EvaluationErrorSerializer,
    description="No such registration of yours, or one you were not asked to evaluate (the "
    "session has not ended, you did not complete it, or it has no evaluation form).",
)
BUSY = OpenApiResponse(
    EvaluationErrorSerializer, description="The session is busy; retry after Retry-After seconds."
)
UNSUPPORTED = OpenApiResponse(EvaluationErrorSerializer, description="The body is not JSON.")
INPUT_ERROR = OpenApiResponse(
    response=OpenApiTypes.OBJECT,
    description="Nothing was saved. Messages per question id under `answers` (and the "
    "answers as a whole under `answers.non_field_errors`); `non_field_errors` when the "
    "evaluation can no longer be changed; `detail` when the body is not valid JSON.",
    examples=[
        OpenApiExample(
            "Per question",
            value={
                "answers": {
                    "12": ["Please answer this question."],
                    "13": ["Choose 1 to 5 for before and for now."],
                    "999": ["Not a question of this form."],
                }
            },
        ),
        OpenApiExample(
            "Closed",
            value={
                NON_FIELD: [
                    "An evaluation can be changed for 7 days after it is sent; this one can "
                    "no longer be changed."
                ]
            },
        ),
    ],
)
REGISTRATION_ID = OpenApiParameter(
    "id", OpenApiTypes.INT, OpenApiParameter.PATH, description="Your registration's id."
)
SESSION_ID = OpenApiParameter(
    "id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The session's id."
)


# --- the form ------------------------------------------------------------------------------------


class EvaluationQuestionSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(
        choices=Kind.choices,
        help_text="agreement: 1-5 (1 strongly disagree … 5 strongly agree); prepost: "
        '{"before": 1-5, "now": 1-5}; single: one option index; multiple: a list of option '
        "indexes; text: up to 2,000 characters.",
    )
    choices = serializers.ListField(
        child=serializers.CharField(),
        help_text="The options of a choice question, answered by their index from 0.",
    )

    class Meta:
        model = Question
        fields = ["id", "position", "kind", "text", "choices", "required", "is_overall"]
        read_only_fields = fields


class EvaluationFormSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    version = serializers.IntegerField()
    questions = EvaluationQuestionSerializer(many=True)


class SessionEvaluationFormView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        summary="Get a session's evaluation form",
        description="The questions the session's participants are asked once it ends (the "
        "course's form, else its program's), in order. For anyone who may see the session.",
        parameters=[SESSION_ID],
        responses={
            200: EvaluationFormSerializer,
            404: OpenApiResponse(
                EvaluationErrorSerializer,
                description="No such session that you may see, or it has no evaluation form.",
            ),
        },
    )
    def get(self, request, pk: int):
        session = get_object_or_404(visible_sessions(request.user).select_related("course"), pk=pk)
        form = form_for_session(session)
        if form is None:
            raise NotFound("This session has no evaluation form.")
        data = {
            "id": form.pk,
            "title": form.title,
            "version": form.version,
            "questions": form.questions.all(),
        }
        return Response(EvaluationFormSerializer(data).data)


# --- one's own evaluation ------------------------------------------------------------------------


@extend_schema_field(
    {
        "oneOf": [
            {"type": "integer", "description": "agreement 1-5, or a single choice's index"},
            {"type": "string", "maxLength": MAX_TEXT, "description": "text"},
            {
                "type": "array",
                "items": {"type": "integer"},
                "maxItems": MAX_CHOICES,
                "description": "a multiple choice's indexes",
            },
            {
                "type": "object",
                "properties": {
                    "before": {"type": "integer", "minimum": 1, "maximum": 5},
                    "now": {"type": "integer", "minimum": 1, "maximum": 5},
                },
                "required": ["before", "now"],
                "additionalProperties": False,
                "description": "pre/post",
            },
        ],
        "nullable": True,
    }
)
class AnswerValueField(serializers.Field):
    """An answer's shape (whole numbers, text, a list of indexes, or before/now); whether it
    fits its question is the service's to say."""

    default_error_messages = {
        "shape": "Give a whole number, text, a list of option indexes, or "
        '{{"before": 1-5, "now": 1-5}}.'  # braces doubled: DRF formats the message
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("allow_null", True)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if _whole(data) or (isinstance(data, str) and len(data) <= MAX_TEXT * 2):
            return data
        if isinstance(data, list) and len(data) <= MAX_CHOICES and all(map(_whole, data)):
            return data
        if (
            isinstance(data, dict)
            and set(data) <= {"before", "now"}
            and all(_whole(v) or v is None for v in data.values())
        ):
            return data
        self.fail("shape")

    def to_representation(self, value):
        return value


def _whole(value) -> bool:
    # bool is an int in Python, and 1e400 is a float (infinity): neither is an answer.
    return isinstance(value, int) and not isinstance(value, bool) and abs(value) < 2**31


class EvaluationAnswersSerializer(serializers.Serializer):
    answers = serializers.DictField(
        child=AnswerValueField(),
        help_text="Answers by question id (a string key). Leave out, or send null for, a "
        "question you do not answer; a required one then gives an error.",
    )

    def validate_answers(self, answers: dict) -> dict:
        if len(answers) > MAX_ANSWERS:
            raise serializers.ValidationError(f"At most {MAX_ANSWERS} answers.")
        return answers


class MyEvaluationSerializer(serializers.Serializer):
    registration = serializers.IntegerField()
    form = serializers.IntegerField(help_text="The evaluation form (version) answered.")
    answers = serializers.DictField(
        child=AnswerValueField(), help_text="By question id, in the shape a PUT takes."
    )
    submitted_at = serializers.DateTimeField(
        allow_null=True, help_text="When it was first sent; null until then."
    )
    changeable_until = serializers.DateTimeField(
        allow_null=True, help_text=f"Sent evaluations can be changed for {CHANGE_DAYS} days."
    )
    changeable = serializers.BooleanField()
    certificate_pdf_url = serializers.URLField(
        allow_null=True,
        help_text="The certificate's PDF once issued (a session may issue it only once evaluated).",
    )


def _answer_value(answer: Answer) -> object:
    question = answer.question
    if question.kind == Kind.AGREEMENT:
        return answer.rating
    if question.kind == Kind.PREPOST:
        return {"before": answer.before, "now": answer.rating}
    chosen = [i for i in range(len(question.choices)) if answer.chosen >> i & 1]
    if question.kind == Kind.SINGLE:
        return chosen[0] if chosen else None
    if question.kind == Kind.MULTIPLE:
        return chosen
    return answer.text


class MyEvaluationView(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser]

    def _asked(self, request, pk: int) -> tuple[Registration, EvaluationRequest]:
        # Someone else's registration is "not found", never "forbidden".
        registration = get_object_or_404(Registration, pk=pk, person=request.user)
        asked = (
            EvaluationRequest.objects.filter(registration=registration)
            .select_related("form")
            .first()
        )
        if asked is None or not registration.completed:
            raise NotFound("You were not asked to evaluate this registration.")
        return registration, asked

    def _body(self, request, registration: Registration, asked: EvaluationRequest) -> dict:
        evaluation = (
            Evaluation.objects.filter(registration=registration).select_related("form").first()
        )
        certificate = Certificate.objects.filter(
            registration=registration, revoked_at__isnull=True
        ).first()
        closes_at = evaluation.submitted_at + dt.timedelta(days=CHANGE_DAYS) if evaluation else None
        answers = (
            {
                str(answer.question_id): _answer_value(answer)
                for answer in evaluation.answers.select_related("question")
            }
            if evaluation
            else {}
        )
        pdf = (
            request.build_absolute_uri(
                reverse("api-certificate-pdf", kwargs={"pk": certificate.pk})
            )
            if certificate
            else None
        )
        return MyEvaluationSerializer(
            {
                "registration": registration.pk,
                "form": (evaluation.form_id if evaluation else asked.form_id),
                "answers": answers,
                "submitted_at": evaluation.submitted_at if evaluation else None,
                "changeable_until": closes_at,
                "changeable": closes_at is None or timezone.now() <= closes_at,
                "certificate_pdf_url": pdf,
            }
        ).data

    @extend_schema(
        summary="Get your evaluation of a registration",
        description="Your answers (empty until you send them), when you sent them and until "
        f"when they can be changed ({CHANGE_DAYS} days). Only your own registrations that you "
        "were asked to evaluate.",
        parameters=[REGISTRATION_ID],
        responses={200: MyEvaluationSerializer, 401: NOT_AUTHENTICATED, 404: NOT_YOURS},
    )
    def get(self, request, pk: int):
        registration, asked = self._asked(request, pk)
        return Response(self._body(request, registration, asked))

    @extend_schema(
        summary="Send or change your evaluation",
        description="All the answers at once, by question id: saved whole or not at all. "
        f"Can be changed for {CHANGE_DAYS} days after it is first sent. Where the session's "
        "certificate waits for the evaluation, it is issued at once (see "
        "`certificate_pdf_url`).",
        parameters=[REGISTRATION_ID],
        request=EvaluationAnswersSerializer,
        examples=[
            OpenApiExample(
                "Answers",
                value={
                    "answers": {
                        "12": 4,
                        "13": {"before": 2, "now": 4},
                        "14": 1,
                        "15": [0, 2],
                        "16": "Breathing breaks",
                    }
                },
                request_only=True,
            )
        ],
        responses={
            200: MyEvaluationSerializer,
            400: INPUT_ERROR,
            401: NOT_AUTHENTICATED,
            404: NOT_YOURS,
            409: BUSY,
            415: UNSUPPORTED,
        },
    )
    def put(self, request, pk: int):
        registration, asked = self._asked(request, pk)
        body = EvaluationAnswersSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        answers = body.validated_data["answers"]
        form_id = (
            Evaluation.objects.filter(registration=registration)
            .values_list("form_id", flat=True)
            .first()
        ) or asked.form_id
        known = {
            str(pk) for pk in Question.objects.filter(form_id=form_id).values_list("pk", flat=True)
        }
        unknown = {key: ["Not a question of this form."] for key in answers if key not in known}
        if unknown:
            raise serializers.ValidationError({"answers": unknown})
        try:
            submit_evaluation(registration=registration, by=request.user, answers=answers)
        except DjangoPermissionDenied as error:
            raise NotFound("You were not asked to evaluate this registration.") from error
        except DjangoValidationError as error:
            raise serializers.ValidationError(_by_question(error)) from error
        return Response(self._body(request, registration, asked))


def _by_question(error: DjangoValidationError) -> dict:
    """The service's errors (`q<id>`, `answers`) as `{"answers": {"<id>": [...]}}`."""
    if not hasattr(error, "error_dict"):
        return {NON_FIELD: error.messages}
    answers: dict[str, list[str]] = {}
    for key, messages in error.message_dict.items():
        if key.startswith("q") and key[1:].isdigit():
            answers[key[1:]] = messages
        else:
            answers.setdefault(NON_FIELD, []).extend(messages)
    return {"answers": answers}
