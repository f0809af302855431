"""The public catalog: course list with filters, a course, a session. Anyone may read them."""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from registrations.selectors import with_seat_counts

from .forms import CatalogFilterForm
from .models import Course, Session
from .selectors import catalog_courses, public_sessions, session_details

COURSES_PER_PAGE = 12


def catalog(request: HttpRequest) -> HttpResponse:
    """Published courses with upcoming sessions, filtered by the GET form, 12 a page.

    A bad filter value shows an error by its field and is ignored; a bad page number gives
    the first or last page (Paginator.get_page), never an error page.
    """
    form = CatalogFilterForm(request.GET)
    courses = catalog_courses(form.filters(), seats=with_seat_counts)
    page = Paginator(courses, COURSES_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "courses/catalog.html", {"form": form, "page": page})


def course_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """A published course and its upcoming scheduled sessions; drafts and archived are 404."""
    course = get_object_or_404(
        Course.objects.select_related("provider", "program"),
        slug=slug,
        status=Course.Status.PUBLISHED,
    )
    sessions = (
        session_details(
            public_sessions().filter(course=course, status=Session.Status.SCHEDULED),
            seats=with_seat_counts,
        )
        .filter(first_starts_at__gt=timezone.now())
        .order_by("first_starts_at")
    )
    return render(request, "courses/course_detail.html", {"course": course, "sessions": sessions})


def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A session of a published course (cancelled ones too, marked as such), else 404."""
    session = get_object_or_404(session_details(public_sessions(), seats=with_seat_counts), pk=pk)
    context = {
        "session": session,
        "course": session.course,
        "member_price": session.price_for(member=True),
        "non_member_price": session.price_for(member=False),
        "now": timezone.now(),
    }
    return render(request, "courses/session_detail.html", context)
