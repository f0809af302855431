"""Evaluation forms (versioned), the evaluations people submit, and the asking (DESIGN.md,
Evaluations).

A form belongs to a program or a course (the course's wins). A form that has been answered is
never edited in place: evaluations.services makes a new version and the old one stays with the
answers given to it. An evaluation is one registration's answers; results never say whose.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from courses.models import Course, Program, Session
from organizations.models import Provider
from registrations.models import Registration

SCALE = range(1, 6)  # the one 5-point scale: 1 strongly disagree ... 5 strongly agree
AGREE = 4  # 4 or 5 is agreement
MAX_CHOICES = 12  # answers to a choice question are kept as a bit mask
CHANGE_DAYS = 7  # an evaluation can be changed for this many days after it is submitted


class EvaluationForm(models.Model):
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="+")
    program = models.ForeignKey(
        Program, null=True, blank=True, on_delete=models.PROTECT, related_name="evaluation_forms"
    )
    course = models.ForeignKey(
        Course, null=True, blank=True, on_delete=models.PROTECT, related_name="evaluation_forms"
    )
    title = models.CharField(max_length=200)
    version = models.PositiveIntegerField(default=1)
    previous = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="next_version"
    )
    # The version new evaluations answer; older versions keep their answers.
    is_current = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["title", "-version"]
        constraints = [
            models.CheckConstraint(
                condition=Q(program__isnull=True, course__isnull=False)
                | Q(program__isnull=False, course__isnull=True),
                name="evaluation_form_of_a_program_or_a_course",
            ),
            models.UniqueConstraint(
                fields=["program"],
                condition=Q(is_current=True, program__isnull=False),
                name="one_current_form_per_program",
            ),
            models.UniqueConstraint(
                fields=["course"],
                condition=Q(is_current=True, course__isnull=False),
                name="one_current_form_per_course",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} (version {self.version})"

    @property
    def owner(self) -> Program | Course:
        return self.course or self.program


class Question(models.Model):
    class Kind(models.TextChoices):
        AGREEMENT = "agreement", "Agreement (1-5)"
        SINGLE = "single", "One choice"
        MULTIPLE = "multiple", "Several choices"
        TEXT = "text", "Open text"
        PREPOST = "prepost", "Before and now (1-5)"

    form = models.ForeignKey(EvaluationForm, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=10, choices=Kind.choices)
    text = models.CharField(max_length=300)
    choices = models.JSONField(default=list, blank=True)  # single and multiple: the options
    required = models.BooleanField(default=True)
    # The form's headline question (agreement): reach reports give its agreement percent.
    is_overall = models.BooleanField(default=False)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["form", "position"], name="question_position"),
            models.UniqueConstraint(
                fields=["form"], condition=Q(is_overall=True), name="one_overall_question"
            ),
        ]

    def __str__(self) -> str:
        return self.text


class Evaluation(models.Model):
    """One registration's answers. Nothing here names the person; only the registration does,
    and no result, export or API for trainers and staff reads through it."""

    registration = models.OneToOneField(
        Registration, on_delete=models.CASCADE, related_name="evaluation"
    )
    # The registration's session, kept here so results and the reach report count a
    # program's evaluations by index instead of through every registration (a registration
    # never changes session: moving makes a new one).
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="+")
    form = models.ForeignKey(EvaluationForm, on_delete=models.PROTECT, related_name="evaluations")
    submitted_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Evaluation {self.pk}"  # never the person's name: results are anonymous


class Answer(models.Model):
    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    rating = models.PositiveSmallIntegerField(null=True, blank=True)  # agreement; pre/post: now
    before = models.PositiveSmallIntegerField(null=True, blank=True)  # pre/post: before
    chosen = models.PositiveIntegerField(default=0)  # choice questions: bit i = option i
    text = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "question"], name="one_answer_each"),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="answer_rating_on_the_scale",
            ),
            models.CheckConstraint(
                condition=Q(before__isnull=True) | Q(before__gte=1, before__lte=5),
                name="answer_before_on_the_scale",
            ),
        ]

    def __str__(self) -> str:
        return f"Answer to question {self.question_id}"


class EvaluationRequest(models.Model):
    """A completer asked to evaluate their session (when it ended, then reminded after 2 and 7
    days), or excused from it by staff."""

    registration = models.OneToOneField(
        Registration, on_delete=models.CASCADE, related_name="evaluation_request"
    )
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="+")
    form = models.ForeignKey(EvaluationForm, on_delete=models.PROTECT, related_name="+")
    asked_at = models.DateTimeField()
    first_reminder_at = models.DateTimeField(null=True, blank=True)
    second_reminder_at = models.DateTimeField(null=True, blank=True)
    waived_at = models.DateTimeField(null=True, blank=True)
    waived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    waive_reason = models.CharField(max_length=300, blank=True)

    def __str__(self) -> str:
        return f"Evaluation request for registration {self.registration_id}"
