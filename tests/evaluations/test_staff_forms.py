"""The staff form builder: /staff/evaluation-forms/ (evaluations.staff_views)."""

import pytest
from django.urls import reverse

from activity.models import Activity
from evaluations.models import EvaluationForm
from evaluations.services import QuestionSpec, ask_for_evaluations, save_evaluation_form
from tests.certificates.helpers import confirmed, mark, past_session
from tests.factories import CourseFactory, ProgramFactory, alliance_admin, staff_of

pytestmark = pytest.mark.django_db

LIST = reverse("evaluation_forms:list")
NEW = reverse("evaluation_forms:new")


def _edit(form) -> str:
    return reverse("evaluation_forms:edit", kwargs={"pk": form.pk})


def _detail(form) -> str:
    return reverse("evaluation_forms:detail", kwargs={"pk": form.pk})


@pytest.fixture
def program(provider):
    return ProgramFactory(provider=provider, name="UPLIFT")


@pytest.fixture
def signed_in(client, staff):
    client.force_login(staff)
    return client


def _form(program, questions=None, title="UPLIFT evaluation"):
    return save_evaluation_form(
        by=None,
        title=title,
        questions=questions
        or [
            QuestionSpec("agreement", "The session met its objectives", is_overall=True),
            QuestionSpec("single", "How did you take part?", choices=("In person", "Online")),
            QuestionSpec("text", "What will you try first?", required=False),
        ],
        program=program,
    )


def _post(title: str, rows: list[dict], **extra) -> dict:
    """The builder's POST: a title and question rows (kind, text, choices, required,
    is_overall, order, DELETE), as the browser sends them."""
    data = {
        "title": title,
        "questions-TOTAL_FORMS": str(len(rows)),
        "questions-INITIAL_FORMS": "0",
        "questions-MIN_NUM_FORMS": "0",
        "questions-MAX_NUM_FORMS": "40",
        "save": "1",
        **extra,
    }
    for index, row in enumerate(rows):
        for key, value in row.items():
            if value is True:
                value = "on"
            elif value is False:
                continue
            data[f"questions-{index}-{key}"] = str(value)
    return data


def _row(kind, text, **kwargs) -> dict:
    return {"kind": kind, "text": text, "required": True, **kwargs}


def _texts(form) -> list[str]:
    return list(form.questions.order_by("position").values_list("text", flat=True))


def _in_use(program, form):
    """Someone completed a session of the program and was asked to answer `form`."""
    course = CourseFactory(provider=program.provider, program=program)
    session = past_session(course=course)
    registration = confirmed(session)
    mark(session, registration)
    ask_for_evaluations()
    return registration


# Creating ------------------------------------------------------------------------------------


def test_staff_create_a_program_form_with_choices_one_per_line(signed_in, program):
    page = signed_in.get(f"{NEW}?program={program.pk}")
    assert page.status_code == 200
    assert "For the program UPLIFT" in page.content.decode()

    response = signed_in.post(
        f"{NEW}?program={program.pk}",
        _post(
            "UPLIFT evaluation",
            [
                _row("agreement", "The session met its objectives", is_overall=True),
                _row("single", "How did you take part?", choices="In person\r\n\r\n  Online  \r\n"),
                _row("text", "What will you try first?", required=False),
                {"kind": "", "text": "", "choices": "", "required": True},  # a blank row: skipped
            ],
        ),
    )

    form = EvaluationForm.objects.get(program=program)
    assert response.status_code == 303 and response["Location"] == _detail(form)
    assert (form.title, form.version, form.is_current) == ("UPLIFT evaluation", 1, True)
    questions = list(form.questions.order_by("position"))
    assert [(q.kind, q.text, q.required, q.is_overall) for q in questions] == [
        ("agreement", "The session met its objectives", True, True),
        ("single", "How did you take part?", True, False),
        ("text", "What will you try first?", False, False),
    ]
    assert questions[1].choices == ["In person", "Online"]
    shown = signed_in.get(response["Location"]).content.decode()
    assert "Created “UPLIFT evaluation” (version 1)" in shown
    assert "Evaluation form created" in shown  # the history on the form's page


def test_a_new_form_for_an_owner_that_has_one_goes_to_its_editor(signed_in, program):
    form = _form(program)
    response = signed_in.get(f"{NEW}?program={program.pk}")
    assert response.status_code == 302 and response["Location"] == _edit(form)


def test_a_course_form_of_its_own(signed_in, provider):
    course = CourseFactory(provider=provider, title="Restorative circles")
    response = signed_in.post(
        f"{NEW}?course={course.pk}",
        _post("Circles", [_row("agreement", "Useful", is_overall=True)]),
    )
    assert response.status_code == 303
    assert EvaluationForm.objects.get(course=course).questions.count() == 1


# Editing -------------------------------------------------------------------------------------


def test_a_form_nobody_was_asked_to_answer_is_changed_in_place(signed_in, program):
    form = _form(program)
    response = signed_in.post(
        _edit(form),
        _post(
            "UPLIFT evaluation, revised",
            [
                _row("agreement", "The session met its objectives", is_overall=True, order=1),
                _row("prepost", "Confidence in co-regulation", order=2),
            ],
        ),
        follow=True,
    )
    form.refresh_from_db()
    assert EvaluationForm.objects.count() == 1
    assert (form.title, form.version) == ("UPLIFT evaluation, revised", 1)
    assert _texts(form) == ["The session met its objectives", "Confidence in co-regulation"]
    page = response.content.decode()
    assert "it was changed in place" in page
    assert Activity.objects.filter(verb="evaluation_form.updated", target_id=form.pk).exists()


def test_editing_a_form_in_use_warns_then_makes_the_next_version(signed_in, program):
    form = _form(program)
    _in_use(program, form)

    page = signed_in.get(_edit(form)).content.decode()
    assert "This form is in use" in page
    assert "Saving creates <strong>version 2</strong>" in page
    assert "earlier answers, and people already asked, stay with version 1" in page
    assert "Save as version 2" in page

    response = signed_in.post(
        _edit(form),
        _post("UPLIFT evaluation", [_row("agreement", "The session met its objectives")]),
        follow=True,
    )
    new = EvaluationForm.objects.get(program=program, is_current=True)
    form.refresh_from_db()
    assert (new.version, new.previous, form.is_current) == (2, form, False)
    assert _texts(form) == [  # version 1 keeps its questions
        "The session met its objectives",
        "How did you take part?",
        "What will you try first?",
    ]
    assert _texts(new) == ["The session met its objectives"]
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == _detail(new)
    assert "Saved as version 2 of “UPLIFT evaluation”" in page
    assert "stay with version 1" in page
    # Older versions are reachable from the current one, and keep their own page.
    assert _detail(form) in page and "Previous versions" in page
    old = signed_in.get(_detail(form)).content.decode()
    assert "An earlier version" in old and "How did you take part?" in old
    # Its history covers both versions.
    assert "New version of the evaluation form" in page and "Evaluation form created" in page


def test_editing_an_earlier_version_goes_to_the_current_one(signed_in, program):
    form = _form(program)
    _in_use(program, form)
    new = _form(program, title="Second")
    response = signed_in.get(_edit(form))
    assert response.status_code == 302 and response["Location"] == _edit(new)


def test_rows_are_reordered_by_their_order_numbers(signed_in, program):
    form = _form(program)
    signed_in.post(
        _edit(form),
        _post(
            "UPLIFT evaluation",
            [
                _row("agreement", "The session met its objectives", is_overall=True, order=3),
                _row("single", "How did you take part?", choices="In person\nOnline", order=1),
                _row("text", "What will you try first?", order=2),
                _row("agreement", "A new one without a number"),
            ],
        ),
    )
    form.refresh_from_db()
    assert _texts(form) == [
        "How did you take part?",
        "What will you try first?",
        "The session met its objectives",
        "A new one without a number",
    ]


def test_a_removed_row_is_left_out(signed_in, program):
    form = _form(program)
    signed_in.post(
        _edit(form),
        _post(
            "UPLIFT evaluation",
            [
                _row("agreement", "The session met its objectives", is_overall=True),
                _row("single", "How did you take part?", choices="In person\nOnline", DELETE=True),
                _row("text", "What will you try first?"),
            ],
        ),
    )
    assert _texts(form) == ["The session met its objectives", "What will you try first?"]


def test_add_rows_keeps_what_was_typed_and_saves_nothing(signed_in, program):
    form = _form(program)
    response = signed_in.post(
        _edit(form),
        {
            **_post("Typed title", [_row("agreement", "Typed question")]),
            "add_rows": "1",
            "save": "",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="questions-TOTAL_FORMS" value="4"' in page
    assert "Typed question" in page and 'value="Typed title"' in page
    assert 'name="questions-3-required" id="id_questions-3-required" checked' in page
    assert "The form was not saved" not in page
    form.refresh_from_db()
    assert form.title == "UPLIFT evaluation"


def test_the_service_rules_show_on_the_rows_they_are_about(signed_in, program):
    response = signed_in.post(
        f"{NEW}?program={program.pk}",
        _post(
            "UPLIFT evaluation",
            [
                _row("agreement", "Fine question", is_overall=True),
                _row("single", "Only one option", choices="Yes"),
                {"kind": "", "text": "", "choices": "", "required": True},  # blank: skipped
                _row("text", "Not an overall question", is_overall=True),
            ],
        ),
    )
    assert response.status_code == 200
    assert not EvaluationForm.objects.exists()
    page = response.content.decode()
    assert "The form was not saved" in page
    # The summary names the question by its number; the message sits in its row.
    assert '<a href="#q-questions-1">Question 2</a>: give 2 to 12 options, none empty.' in page
    assert 'id="q-questions-1" aria-describedby="questions-1-errors"' in page
    assert '<ul class="errorlist" id="questions-1-errors"><li>give 2 to 12 options' in page
    assert '<a href="#q-questions-3">Question 3</a>: the overall question is an agreement' in page
    assert "Mark one question at most as the overall question." in page
    assert 'id="q-questions-0" aria-describedby' not in page


def test_a_missing_title_and_no_questions_are_shown(signed_in, program):
    response = signed_in.post(f"{NEW}?program={program.pk}", _post("", []))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Title: This field is required." in page
    assert not EvaluationForm.objects.exists()
    response = signed_in.post(f"{NEW}?program={program.pk}", _post("A title", []))
    assert "A form needs at least one question." in response.content.decode()


# Who sees what -------------------------------------------------------------------------------


def test_staff_of_another_provider_get_404(client, program, other_provider):
    form = _form(program)
    client.force_login(staff_of(other_provider))
    assert client.get(_detail(form)).status_code == 404
    assert client.get(_edit(form)).status_code == 404
    assert client.post(_edit(form), _post("Mine now", [_row("text", "Q")])).status_code == 404
    assert client.get(f"{NEW}?program={program.pk}").status_code == 404
    assert (
        client.get(f"{NEW}?course={CourseFactory(provider=program.provider).pk}").status_code == 404
    )
    listing = client.get(LIST).content.decode()
    assert "UPLIFT" not in listing


def test_educators_get_403(client, educator, program):
    form = _form(program)
    client.force_login(educator)
    for url in (LIST, _detail(form), _edit(form), f"{NEW}?program={program.pk}", NEW):
        assert client.get(url).status_code == 403, url
    assert client.post(_edit(form), _post("X", [_row("text", "Q")])).status_code == 403


def test_an_alliance_admin_edits_any_providers_form(client, program):
    form = _form(program)
    client.force_login(alliance_admin())
    assert client.get(LIST).status_code == 200
    response = client.post(_edit(form), _post("By the Alliance", [_row("text", "Q")]))
    assert response.status_code == 303
    form.refresh_from_db()
    assert form.title == "By the Alliance"


def test_the_list_shows_forms_usage_and_owners_without_one(signed_in, provider, program):
    form = _form(program)
    registration = _in_use(program, form)
    assert registration.evaluation_request.form == form
    other_course = CourseFactory(provider=provider, title="Co-Teaching That Works")
    program_course = CourseFactory(provider=provider, program=program, title="UPLIFT Foundations")
    page = signed_in.get(LIST).content.decode()
    assert "UPLIFT evaluation" in page and "In use" in page
    assert f"{NEW}?course={other_course.pk}" in page
    assert f"{NEW}?course={program_course.pk}" in page
    assert "asks the UPLIFT program's form" in page
    assert f"{NEW}?program={program.pk}" not in page  # it has one


def test_the_list_costs_the_same_queries_for_one_form_and_for_many(
    signed_in, provider, count_queries
):
    _form(ProgramFactory(provider=provider))
    CourseFactory(provider=provider)
    one = count_queries(signed_in.get, LIST)
    for _ in range(5):
        program = ProgramFactory(provider=provider)
        _in_use(program, _form(program))
        CourseFactory(provider=provider)
    many = count_queries(signed_in.get, LIST)
    assert one == many


def test_the_navigation_links_the_list_for_staff_only(signed_in, client, educator):
    assert f'href="{LIST}"' in signed_in.get(reverse("courses:catalog")).content.decode()
    client.force_login(educator)
    assert f'href="{LIST}"' not in client.get(reverse("courses:catalog")).content.decode()
