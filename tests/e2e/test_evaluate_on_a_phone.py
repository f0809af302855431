"""A completer evaluates their session on a phone (the page has no script of its own): a
missing answer is announced and focused first, the sent evaluation issues the certificate they
then download."""

import pytest
from playwright.sync_api import Page, expect

from certificates.models import Certificate
from evaluations.services import QuestionSpec, ask_for_evaluations, save_evaluation_form
from tests.certificates.helpers import confirmed, mark, past_session
from tests.factories import CourseFactory, ProgramFactory, educator

from .helpers import PHONE, assert_accessible, shot, sign_in, visit

PHONE_CONTEXT = {"viewport": PHONE, "is_mobile": True, "has_touch": True}


def _asked():
    program = ProgramFactory()
    save_evaluation_form(
        by=None,
        title="UPLIFT evaluation",
        program=program,
        questions=[
            QuestionSpec("agreement", "The session met its objectives", is_overall=True),
            QuestionSpec("prepost", "My confidence in recognizing signs of trauma"),
            QuestionSpec("single", "Which part helped most?", choices=("Talks", "Practice")),
            QuestionSpec("multiple", "What will you use?", choices=("A", "B"), required=False),
            QuestionSpec("text", "What will you try first?", required=False),
        ],
    )
    session = past_session(course=CourseFactory(provider=program.provider, program=program))
    registration = confirmed(session, educator(email="pat.evaluates@example.org"))
    mark(session, registration)
    ask_for_evaluations()
    return registration


def _watch_console(page: Page) -> list[str]:
    errors: list[str] = []

    def on_console(message) -> None:
        # The refused form answers 400 on purpose; the browser logs that status as an error.
        if message.type == "error" and "status of 400" not in message.text:
            errors.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


@pytest.mark.browser_context_args(**PHONE_CONTEXT)
def test_a_completer_evaluates_on_a_phone_and_downloads_the_certificate(
    page: Page, site: str, broken_responses: list[str], caplog
):
    registration = _asked()
    errors = _watch_console(page)
    sign_in(page, site, registration.person.email)

    visit(page, f"{site}/me/")
    expect(page.get_by_text("Your certificate is issued once you evaluate.")).to_be_visible()
    shot(page, "me-evaluate")
    page.get_by_role("link", name=f"Evaluate {registration.session}").click()
    expect(page.get_by_role("heading", name="Evaluate this session")).to_be_visible()
    assert_accessible(page)
    shot(page, "evaluate")

    # Sending without the required answers: the summary is announced and focused, and links
    # to each question.
    page.get_by_role("button", name="Send my evaluation").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Nothing was saved")
    expect(summary).to_be_focused()
    assert_accessible(page)
    shot(page, "evaluate-errors")
    # The refused form answers 400 on purpose (the only such response expected).
    refused = f"400 POST {site}/evaluations/{registration.pk}/"
    assert broken_responses == [refused]
    logged = [r.getMessage() for r in caplog.get_records("call") if r.name == "django.request"]
    assert logged == [f"Bad Request: /evaluations/{registration.pk}/"]
    broken_responses.clear()
    caplog.clear()
    first = page.get_by_role("group", name="1. The session met its objectives")
    expect(first.get_by_role("radio").first).to_have_attribute(
        "aria-describedby", f"question-{first.get_attribute('id').split('-')[1]}-error"
    )
    assert not Certificate.objects.filter(registration=registration).exists()

    first.get_by_text("4 – Agree").tap()
    confidence = page.get_by_role("group", name="2. My confidence in recognizing signs of trauma")
    confidence.get_by_role("group", name="Before this session").get_by_text("2 – Low").tap()
    confidence.get_by_role("group", name="Now").get_by_text("4 – High").tap()
    page.get_by_role("group", name="3. Which part helped most?").get_by_text("Practice").tap()
    page.get_by_label("Your answer (up to 2,000 characters)").fill("Breathing breaks")
    page.get_by_role("button", name="Send my evaluation").click()

    expect(page.get_by_text("Thank you: your evaluation is saved.")).to_be_visible()
    assert_accessible(page)
    shot(page, "evaluate-saved")
    certificate = Certificate.objects.get(registration=registration)
    with page.expect_download() as download:
        page.get_by_role(
            "link", name=f"Download your certificate for {registration.session} (PDF)"
        ).click()
    assert download.value.suggested_filename.endswith(".pdf")
    assert certificate.is_valid

    visit(page, f"{site}/me/")
    expect(
        page.get_by_role("link", name=f"Change your evaluation of {registration.session}")
    ).to_be_visible()
    assert errors == []
