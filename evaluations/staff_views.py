"""Provider staff's evaluation forms: the list of forms asked now, the builder (a new form, a
change that makes a new version once the form is in use) and a read-only version with its
history.

Scoped by role first, like the other /staff/ pages: provider staff see their providers' forms,
Alliance admins every provider's; anyone else signed in gets 403, another provider's form,
program or course 404. The rules are evaluations.services.save_evaluation_form's.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from accounts.models import User
from activity.permissions import Audience
from activity.presenters import present
from activity.selectors import history_of_records
from courses.models import Course, Program
from organizations.permissions import managed_provider_ids, roles_of

from .models import EvaluationForm
from .selectors import (
    courses_without_form,
    current_forms,
    form_versions,
    programs_without_form,
    with_usage,
)
from .services import save_evaluation_form
from .staff_forms import BLANK_ROWS, TitleForm, initial_rows, question_formset, with_more_rows

PREFIX = "questions"


def _provider_ids(user: User) -> frozenset[int] | None:
    """The providers `user` manages (None: all); 403 for anyone who manages none."""
    if not roles_of(user).is_provider_staff:
        raise PermissionDenied
    return managed_provider_ids(user)


def _scoped(queryset: QuerySet, user: User, field_name: str = "provider_id") -> QuerySet:
    provider_ids = _provider_ids(user)
    return (
        queryset if provider_ids is None else queryset.filter(**{f"{field_name}__in": provider_ids})
    )


def _see_other(name: str, **kwargs) -> HttpResponse:
    response = redirect(name, **kwargs)
    response.status_code = 303  # the browser follows with GET: a reload never saves twice
    return response


@login_required
@require_GET
def form_list(request: HttpRequest) -> HttpResponse:
    provider_ids = _provider_ids(request.user)
    context = {
        "forms": list(current_forms(provider_ids)),
        "programs": list(programs_without_form(provider_ids)),
        "courses": list(courses_without_form(provider_ids)),
        "many_providers": provider_ids is None or len(provider_ids) > 1,
    }
    return render(request, "evaluations/staff/form_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def form_new(request: HttpRequest) -> HttpResponse:
    """A new form for `?program=<id>` or `?course=<id>`; one that has a form goes to it."""
    owner = _owner_from_query(request)
    current = EvaluationForm.objects.filter(is_current=True, **_owner_filter(owner)).first()
    if current is not None:
        return redirect("evaluation_forms:edit", pk=current.pk)
    return _builder(request, owner=owner, form=None)


@login_required
@require_http_methods(["GET", "POST"])
def form_edit(request: HttpRequest, pk: int) -> HttpResponse:
    form = get_object_or_404(
        with_usage(
            _scoped(EvaluationForm.objects.select_related("program", "course"), request.user)
        ),
        pk=pk,
    )
    if not form.is_current:
        current = EvaluationForm.objects.filter(
            is_current=True, **_owner_filter(form.owner)
        ).first()
        if current is None:
            raise Http404("This form is no longer asked.")
        messages.info(
            request,
            f"Version {form.version} stays as it was answered; this is the version asked now.",
        )
        return redirect("evaluation_forms:edit", pk=current.pk)
    return _builder(request, owner=form.owner, form=form)


@login_required
@require_GET
def form_detail(request: HttpRequest, pk: int) -> HttpResponse:
    form = get_object_or_404(
        with_usage(
            _scoped(
                EvaluationForm.objects.select_related(
                    "provider", "program", "course", "created_by"
                ),
                request.user,
            )
        ),
        pk=pk,
    )
    versions = list(form_versions(form))
    history = history_of_records(EvaluationForm, [version.pk for version in versions])
    context = {
        "form": form,
        "questions": list(form.questions.all()),
        "versions": versions,
        "entries": present(history, audience=Audience.STAFF, viewer=request.user),
    }
    return render(request, "evaluations/staff/form_detail.html", context)


# The builder -------------------------------------------------------------------------------


def _owner_from_query(request: HttpRequest) -> Program | Course:
    for name, model in (("program", Program), ("course", Course)):
        value = request.GET.get(name, "")
        if value:
            if not (value.isascii() and value.isdigit() and len(value) < 12):
                raise Http404
            return get_object_or_404(
                _scoped(model.objects.select_related("provider"), request.user), pk=int(value)
            )
    _provider_ids(request.user)  # 403 before 404 for people who manage nothing
    raise Http404("Say which program or course the form is for.")


def _owner_filter(owner: Program | Course) -> dict:
    return {"program": owner} if isinstance(owner, Program) else {"course": owner}


def _builder(
    request: HttpRequest, *, owner: Program | Course, form: EvaluationForm | None
) -> HttpResponse:
    # A new form starts with one more blank row; posted data says how many rows it has.
    blank_rows = BLANK_ROWS + (1 if form is None else 0)
    formset_class = question_formset(extra=blank_rows if request.method == "GET" else 0)
    general_errors: list[str] = []
    show_errors = request.method == "POST"
    if request.method == "GET":
        title_form = TitleForm(initial={"title": form.title if form else ""})
        formset = formset_class(prefix=PREFIX, initial=initial_rows(form))
    elif "add_rows" in request.POST:
        show_errors = False
        try:
            data = with_more_rows(request.POST, PREFIX)
        except ValidationError as error:
            data, general_errors, show_errors = request.POST, error.messages, True
        title_form = TitleForm(data)
        formset = formset_class(data, prefix=PREFIX)
    else:
        title_form = TitleForm(request.POST)
        formset = formset_class(request.POST, prefix=PREFIX)
        if title_form.is_valid() and formset.is_valid():
            rows = formset.rows_in_order()
            try:
                saved = save_evaluation_form(
                    by=request.user,
                    title=title_form.cleaned_data["title"],
                    questions=[row.spec() for row in rows],
                    **_owner_filter(owner),
                )
            except PermissionDenied as error:
                raise Http404 from error
            except ValidationError as error:
                errors = error.message_dict
                for message in errors.get("title", []):
                    title_form.add_error("title", message)
                general_errors = formset.attach_errors(rows, errors.get("questions", []))
            else:
                messages.success(request, _saved_message(before=form, saved=saved))
                return _see_other("evaluation_forms:detail", pk=saved.pk)
        general_errors += formset.non_form_errors()
    rows_with_errors = [f for f in formset.forms if f.question_errors or (show_errors and f.errors)]
    context = {
        "owner": owner,
        "owner_kind": "program" if isinstance(owner, Program) else "course",
        "form": form,
        "title_form": title_form,
        "formset": formset,
        "show_errors": show_errors,
        "general_errors": general_errors,
        "rows_with_errors": rows_with_errors,
        "has_errors": show_errors and bool(general_errors or rows_with_errors or title_form.errors),
        "next_version": form.version + 1 if form is not None and form.in_use else None,
    }
    return render(request, "evaluations/staff/form_edit.html", context)


def _saved_message(*, before: EvaluationForm | None, saved: EvaluationForm) -> str:
    if before is None:
        return (
            f"Created “{saved.title}” (version {saved.version}). People who complete a session "
            f"of {saved.owner} from now on are asked to answer it."
        )
    if saved.pk == before.pk:
        return (
            f"Saved “{saved.title}” (version {saved.version}). Nobody had been asked to answer "
            "it yet, so it was changed in place."
        )
    return (
        f"Saved as version {saved.version} of “{saved.title}”. The answers given to version "
        f"{before.version}, and the people already asked to answer it, stay with version "
        f"{before.version}."
    )
