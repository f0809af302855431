"""The admin for programs, courses, venues and sessions, scoped to the user's providers.

A thin interface: a session is scheduled, changed and cancelled by the services every other
interface calls (courses.services.schedule_session, registrations.services.update_session and
cancel_session), so the admin keeps their rules (trainers, capacity, calendar updates,
completions) without restating them. Their checks run as the forms validate, so a broken rule
shows next to its field.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.views.main import ORDER_VAR, ChangeList
from django.core.exceptions import ValidationError
from django.db.models import Min, QuerySet
from django.forms.models import BaseInlineFormSet, construct_instance
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

from accounts.models import User
from organizations.admin import ProviderScopedAdmin, ProviderScopedInline

from .models import CertifiedTrainer, Course, Meeting, Program, Session, Venue
from .selectors import eligible_trainers, hours_mismatch
from .services import (
    MeetingTimes,
    check_session,
    check_trainers,
    meeting_errors,
    revoke_trainer_certification,
    schedule_session,
    validate_schedule,
)


@admin.register(Program)
class ProgramAdmin(ProviderScopedAdmin, admin.ModelAdmin):
    list_display = ("name", "provider", "funders")
    list_select_related = ("provider",)
    list_filter = (("provider", admin.RelatedOnlyFieldListFilter),)
    search_fields = ("name", "slug", "funders")
    prepopulated_fields = {"slug": ("name",)}


class CourseForm(forms.ModelForm):
    class Meta:
        model = Course
        fields = (
            "provider",
            "program",
            "title",
            "slug",
            "summary",
            "description",
            "audience",
            "hours",
            "member_price",
            "non_member_price",
            "trains_trainers",
            "status",
        )

    def clean(self) -> dict:
        cleaned = super().clean()
        provider, program = cleaned.get("provider"), cleaned.get("program")
        if provider and program and program.provider_id != provider.pk:
            self.add_error("program", "The program belongs to another provider.")
        return cleaned


@admin.register(Course)
class CourseAdmin(ProviderScopedAdmin, admin.ModelAdmin):
    form = CourseForm
    list_display = ("title", "provider", "program", "status", "audience", "hours", "member_price")
    list_select_related = ("provider", "program")
    list_filter = (
        "status",
        "audience",
        "trains_trainers",
        ("provider", admin.RelatedOnlyFieldListFilter),
        ("program", admin.RelatedOnlyFieldListFilter),
    )
    search_fields = ("title", "slug", "summary")
    prepopulated_fields = {"slug": ("title",)}
    autocomplete_fields = ("program",)
    readonly_fields = ("created_at", "updated_at")


@admin.register(Venue)
class VenueAdmin(ProviderScopedAdmin, admin.ModelAdmin):
    list_display = ("name", "town", "provider")
    list_select_related = ("provider",)
    list_filter = (("provider", admin.RelatedOnlyFieldListFilter), "town")
    search_fields = ("name", "town", "address")


class MeetingFormSet(BaseInlineFormSet):
    """Checks the meetings together with the session's registration window."""

    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return  # each broken meeting already says what is wrong with it
        meetings = [
            MeetingTimes(
                form.cleaned_data["starts_at"],
                form.cleaned_data["ends_at"],
                form.cleaned_data.get("break_minutes") or 0,
            )
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        if not meetings:
            raise ValidationError("A session needs at least one meeting.")
        session = self.instance  # carries the session form's cleaned values by now
        try:
            validate_schedule(
                registration_opens_at=session.registration_opens_at,
                registration_closes_at=session.registration_closes_at,
                meetings=meetings,
            )
        except ValidationError as error:
            # "Registration must open before it closes" is the session form's own error.
            raise ValidationError(
                [
                    message
                    for field, messages in error.message_dict.items()
                    if field != "registration_opens_at"
                    for message in messages
                ]
            ) from error


class _MinutesOrZero(forms.IntegerField):
    """Empty is 0 (no break), so a row sent without a break is not a change."""

    def to_python(self, value) -> int:
        return super().to_python(value) or 0


class MeetingForm(forms.ModelForm):
    """One meeting's own rules (courses.services), shown by the field they are about."""

    break_minutes = _MinutesOrZero(
        label=Meeting._meta.get_field("break_minutes").verbose_name,
        help_text=Meeting._meta.get_field("break_minutes").help_text,
        required=False,
        min_value=0,
        initial=0,
    )

    class Meta:
        model = Meeting
        fields = ("starts_at", "ends_at", "break_minutes")

    def clean(self) -> dict:
        cleaned = super().clean()
        starts_at, ends_at = cleaned.get("starts_at"), cleaned.get("ends_at")
        # A meeting that ends before it starts is the formset's message ("Meeting 2: ...").
        if starts_at and ends_at and ends_at > starts_at and not self.has_error("break_minutes"):
            times = MeetingTimes(starts_at, ends_at, cleaned.get("break_minutes") or 0)
            for message in meeting_errors(times):
                self.add_error("break_minutes" if "break" in message else "ends_at", message)
        return cleaned


class MeetingInline(ProviderScopedInline, admin.TabularInline):
    model = Meeting
    form = MeetingForm
    formset = MeetingFormSet
    provider_field = "course__provider"  # from the session, the parent
    fields = ("starts_at", "ends_at", "break_minutes")
    min_num = 1
    extra = 0


class SessionForm(forms.ModelForm):
    actor: User | None = None  # set by SessionAdmin.get_form: who names the trainers

    class Meta:
        model = Session
        fields = (
            "course",
            "title",
            "delivery",
            "format",
            "venue",
            "online_url",
            "capacity",
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
        )

    def clean(self) -> dict:
        """The services' own checks of the session (the meetings are the formset's)."""
        cleaned = super().clean()
        if self.errors or not cleaned.get("course"):
            return cleaned
        from registrations.services import check_capacity

        session = construct_instance(self, self.instance, fields=self._meta.fields)
        checks = [
            lambda: check_session(session, []),
            lambda: check_trainers(session=session, trainers=cleaned["trainers"], by=self.actor),
        ]
        if self.instance.pk and "capacity" in self.changed_data:
            checks.append(lambda: check_capacity(session=session, capacity=cleaned["capacity"]))
        for check in checks:
            try:
                check()
            except ValidationError as error:
                for field, messages_ in error.message_dict.items():
                    self.add_error(field if field in self.fields else None, messages_)
        return cleaned


class _Refused(Exception):
    """A service refused the save after the forms validated (a race): nothing was saved."""

    def __init__(self, error: ValidationError):
        super().__init__(" ".join(error.messages))


class SessionChangeList(ChangeList):
    """Latest first meeting first, unless the user sorts by a column. (Not
    SessionAdmin.ordering: other admins order their session choices by it, unannotated.)"""

    def get_ordering(self, request: HttpRequest, queryset: QuerySet) -> list[str]:
        if ORDER_VAR in self.params:
            return super().get_ordering(request, queryset)
        return ["-first_meeting", "-pk"]


@admin.register(Session)
class SessionAdmin(ProviderScopedAdmin, admin.ModelAdmin):
    provider_field = "course__provider"
    form = SessionForm
    inlines = [MeetingInline]
    list_display = (
        "__str__",
        "provider",
        "first_meeting",
        "status",
        "capacity",
        "delivery",
        "format",
    )
    list_select_related = ("course__provider",)
    list_filter = (
        "status",
        "delivery",
        "format",
        "requires_approval",
        "is_free",
        ("course__provider", admin.RelatedOnlyFieldListFilter),
    )
    search_fields = ("course__title", "title", "venue__name", "venue__town")
    autocomplete_fields = ("course",)
    filter_horizontal = ("trainers",)
    # Cancelling goes through services.cancel_session (the action below), which records when
    # and, once registrations exist, tells the people registered.
    readonly_fields = ("status", "cancelled_at", "created_at", "updated_at")
    actions = ["cancel_sessions"]
    fieldsets = (
        (None, {"fields": ("course", "title", "status", "delivery", "format")}),
        ("Place", {"fields": ("venue", "online_url")}),
        (
            "Registration",
            {
                "fields": (
                    "capacity",
                    "registration_opens_at",
                    "registration_closes_at",
                    "requires_approval",
                )
            },
        ),
        ("Price", {"fields": ("is_free", "member_price", "non_member_price")}),
        (
            "Completion and trainers",
            {"fields": ("completion_threshold", "evaluation_required", "trainers")},
        ),
        ("Notes", {"fields": ("notes", "cancelled_at", "created_at", "updated_at")}),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).annotate(first_meeting=Min("meetings__starts_at"))

    def get_changelist(self, request: HttpRequest, **kwargs) -> type[ChangeList]:
        return SessionChangeList

    @admin.display(description="provider", ordering="course__provider__short_name")
    def provider(self, session: Session) -> str:
        return session.course.provider.short_name

    @admin.display(description="first meeting", ordering="first_meeting")
    def first_meeting(self, session: Session):
        return session.first_meeting

    def save_model(self, request: HttpRequest, obj: Session, form, change: bool) -> None:
        """Nothing yet: the session is saved with its meetings, in save_related."""

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        """Schedule or update the session through the services, with its meetings."""
        from registrations.services import update_session

        meeting_formset = next(f for f in formsets if f.model is Meeting)
        # The service saves the meetings; the session's history in the activity log says
        # what changed, the admin's own log only that something did.
        meeting_formset.new_objects = meeting_formset.changed_objects = []
        meeting_formset.deleted_objects = []
        meetings = [
            MeetingTimes(
                f.cleaned_data["starts_at"],
                f.cleaned_data["ends_at"],
                f.cleaned_data.get("break_minutes") or 0,
            )
            for f in meeting_formset.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]
        cleaned = form.cleaned_data
        try:
            if not change:
                fields = {
                    name: cleaned[name]
                    for name in form.Meta.fields
                    if name not in ("course", "trainers") and name in cleaned
                }
                session = schedule_session(
                    course=cleaned["course"],
                    meetings=meetings,
                    trainers=cleaned.get("trainers", []),
                    by=request.user,
                    **fields,
                )
            else:
                changed = set(form.changed_data)
                session = update_session(
                    session=form.instance,
                    by=request.user,
                    capacity=cleaned["capacity"] if "capacity" in changed else None,
                    meetings=meetings if meeting_formset.has_changed() else None,
                    trainers=cleaned["trainers"] if "trainers" in changed else None,
                    **{
                        name: cleaned[name]
                        for name in changed
                        if name not in ("capacity", "trainers")
                    },
                )
        except ValidationError as error:
            raise _Refused(error) from error
        # The admin logs and redirects with the object it made the form for.
        form.instance.pk = session.pk
        form.instance._state.adding = False
        form.instance.refresh_from_db()
        warning = hours_mismatch(form.instance)
        if warning:
            messages.warning(request, warning)

    def changeform_view(
        self, request: HttpRequest, object_id=None, form_url="", extra_context=None
    ) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except _Refused as refused:  # the admin's transaction was rolled back
            self.message_user(request, f"Not saved: {refused}", messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    @admin.action(description="Cancel the selected sessions")
    def cancel_sessions(self, request: HttpRequest, queryset: QuerySet[Session]) -> None:
        sessions = [s for s in queryset.select_related("course") if not s.is_cancelled]
        # Also cancels its registrations and revokes their certificates.
        from registrations.services import cancel_session

        for session in sessions:
            cancel_session(session=session, by=request.user)
        self.message_user(request, f"Cancelled {len(sessions)} session(s).", messages.SUCCESS)

    def get_form(self, request: HttpRequest, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.actor = request.user
        return form

    def formfield_for_manytomany(self, db_field, request: HttpRequest, **kwargs):
        if db_field.name == "trainers":
            # The pool of the user's providers (not every registered educator); the form's
            # clean applies the session's own rule (turnkey: certified trainers only).
            kwargs["queryset"] = eligible_trainers(by=request.user)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


@admin.register(CertifiedTrainer)
class CertifiedTrainerAdmin(ProviderScopedAdmin, admin.ModelAdmin):
    """Certified trainers per program. A certification comes from completing the program's
    train-the-trainer course (certificates.services), so it is not added or edited here; the
    action below revokes it through services.revoke_trainer_certification (the row is kept)."""

    provider_field = "program__provider"
    list_display = ("person", "program", "certified_at", "source_session", "active", "revoked_at")
    list_select_related = ("person", "program", "source_session__course")
    list_filter = (
        ("program", admin.RelatedOnlyFieldListFilter),
        ("revoked_at", admin.EmptyFieldListFilter),
    )
    search_fields = ("person__email", "person__first_name", "person__last_name", "program__name")
    ordering = ("program__name", "-certified_at", "-pk")
    actions = ["revoke_certifications"]

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description="active", boolean=True, ordering="revoked_at")
    def active(self, certification: CertifiedTrainer) -> bool:
        return certification.is_active

    @admin.action(description="Revoke certification")
    def revoke_certifications(
        self, request: HttpRequest, queryset: QuerySet[CertifiedTrainer]
    ) -> None:
        active = list(queryset.filter(revoked_at__isnull=True).select_related("program"))
        for certification in active:
            revoke_trainer_certification(
                certification=certification, by=request.user, reason="Revoked by staff"
            )
        self.message_user(request, f"Revoked {len(active)} certification(s).", messages.SUCCESS)
