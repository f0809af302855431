"""Everything we hold about one person, as plain JSON-ready data (the "Download" on /me/data/).

Only the person's own records: the names of other people (trainers, whoever approved or
recorded something) are left out, so the export can be handed over as it is.
"""

from typing import Any

from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.db.models import Max, Min, Q
from rest_framework.authtoken.models import Token

from accounts.models import User
from activity.permissions import Audience
from activity.presenters import present
from activity.selectors import activities_of_person, with_actor_roles
from attendance.models import Attendance
from certificates.models import Certificate
from courses.models import CertifiedTrainer
from organizations.models import Profile, Role
from registrations.models import CalendarFeed, Invitation, Registration


def personal_data(person: User) -> dict[str, Any]:
    """The person's account, profile, roles, registrations, attendance, invitations to them,
    attendance they recorded, certificates, trainer certifications, whether a calendar feed or
    an API token exists, and the activity log's rows about them or by them. A fixed number of
    queries whatever the number of records."""
    return {
        "account": {
            "email": person.email,
            "first_name": person.first_name,
            "last_name": person.last_name,
            "date_joined": person.date_joined,
            "last_login": person.last_login,
        },
        "email_addresses": list(
            EmailAddress.objects.filter(user=person)
            .order_by("email")
            .values("email", "verified", "primary")
        ),
        "social_accounts": list(
            SocialAccount.objects.filter(user=person)
            .order_by("provider")
            .values("provider", "uid", "date_joined", "last_login")
        ),
        "profile": _profile(person),
        "roles": [
            {
                "kind": role.get_kind_display(),
                "provider": role.provider.short_name if role.provider else "",
                "district": role.district.name if role.district else "",
            }
            for role in Role.objects.filter(user=person).select_related("provider", "district")
        ],
        "registrations": _registrations(person),
        "attendance": [
            {
                "registration_id": row.registration_id,
                "session_id": row.meeting.session_id,
                "meeting_starts_at": row.meeting.starts_at,
                "meeting_ends_at": row.meeting.ends_at,
                "status": row.status,
                "minutes": row.minutes,
                "source": row.source,
                "recorded_at": row.recorded_at,
            }
            for row in Attendance.objects.filter(registration__person=person)
            .select_related("meeting")
            .order_by("meeting__starts_at", "pk")
        ],
        "invitations": _invitations(person),
        "attendance_recorded": _attendance_recorded(person),
        "certificates": [
            {
                "number": certificate.number,
                "verification_code": certificate.display_code,
                "registration_id": certificate.registration_id,
                "course": certificate.registration.session.course.title,
                "hours": certificate.hours,
                "issued_at": certificate.issued_at,
                "status": "valid" if certificate.is_valid else "revoked",
                "revoked_at": certificate.revoked_at,
                "revoked_reason": certificate.revoked_reason,
            }
            for certificate in Certificate.objects.filter(registration__person=person)
            .select_related("registration__session__course")
            .order_by("issued_at", "pk")
        ],
        "trainer_certifications": [
            {
                "program": row.program.name,
                "certified_at": row.certified_at,
                "revoked_at": row.revoked_at,
            }
            for row in CertifiedTrainer.objects.filter(person=person)
            .select_related("program")
            .order_by("certified_at")
        ],
        "calendar_feed": _exists(CalendarFeed.objects.filter(person=person), "created_at"),
        "api_token": _exists(Token.objects.filter(user=person), "created"),
        "activities": _activities(person),
    }


def _activities(person: User) -> list[dict[str, Any]]:
    """The activity log's rows about the person or by them, oldest first, read as the person
    reads their own history: other people by role only, their names and addresses scrubbed
    from the changes and reasons (activity.presenters)."""
    rows = with_actor_roles(activities_of_person(person)).order_by("created_at", "pk")
    return [
        {
            "at": entry.at,
            "verb": entry.activity.verb,
            "what": entry.what,
            "by": entry.who,
            "record": f"{entry.activity.target_type.model} {entry.activity.target_id}",
            "registration_id": entry.activity.registration_id,
            "session_id": entry.activity.session_id,
            "changes": entry.changes,
            "reason": entry.reason,
        }
        for entry in present(rows, audience=Audience.REGISTRANT, viewer=person)
    ]


def _invitations(person: User) -> list[dict[str, Any]]:
    """Invitations addressed to the person's address (accepted or not) or that became their
    registration; who sent them is left out."""
    invitations = (
        Invitation.objects.filter(Q(email__iexact=person.email) | Q(registration__person=person))
        .select_related("session__course", "district")
        .order_by("created_at", "pk")
    )
    return [
        {
            "email": invitation.email,
            "session_id": invitation.session_id,
            "course": invitation.session.course.title,
            "district": invitation.district.name,
            "payer": invitation.payer,
            "purchase_order": invitation.purchase_order,
            "sent_at": invitation.created_at,
            "registration_id": invitation.registration_id,
        }
        for invitation in invitations
    ]


def _attendance_recorded(person: User) -> list[dict[str, Any]]:
    """Attendance the person recorded as a trainer or staff, each change as kept in the
    attendance history (by registration id: the export names nobody else)."""
    changes = (
        Attendance.history.filter(Q(recorded_by=person) | Q(history_user=person))
        .select_related("meeting")
        .order_by("history_date", "history_id")
    )
    return [
        {
            "registration_id": change.registration_id,
            "session_id": change.meeting.session_id if change.meeting else None,
            "meeting_starts_at": change.meeting.starts_at if change.meeting else None,
            "change": change.get_history_type_display(),
            "changed_at": change.history_date,
            "status": change.status,
            "minutes": change.minutes,
            "source": change.source,
            "recorded_at": change.recorded_at,
        }
        for change in changes
    ]


def _profile(person: User) -> dict[str, Any] | None:
    profile = Profile.objects.filter(user=person).select_related("district", "school").first()
    if profile is None:
        return None
    return {
        "district": profile.district.name if profile.district else "",
        "school": profile.school.name if profile.school else "",
        "position": profile.get_position_display() if profile.position else "",
        "certification_number": profile.certification_number,
        "completed_at": profile.completed_at,
    }


def _registrations(person: User) -> list[dict[str, Any]]:
    registrations = (
        Registration.objects.filter(person=person)
        .select_related("session__course__provider", "district", "school")
        .annotate(
            first_starts_at=Min("session__meetings__starts_at"),
            last_ends_at=Max("session__meetings__ends_at"),
        )
        .order_by("created_at", "pk")
    )
    return [
        {
            "id": registration.pk,
            "session_id": registration.session_id,
            "course": registration.session.course.title,
            "provider": registration.session.course.provider.short_name,
            "starts_at": registration.first_starts_at,
            "ends_at": registration.last_ends_at,
            "status": registration.status,
            "registered_at": registration.created_at,
            "cancelled_at": registration.cancelled_at,
            "decline_reason": registration.decline_reason,
            "price": registration.price,
            "payer": registration.payer,
            "purchase_order": registration.purchase_order,
            "district": registration.district.name if registration.district else "",
            "school": registration.school.name if registration.school else "",
            "position": registration.get_position_display() if registration.position else "",
        }
        for registration in registrations
    ]


def _exists(queryset, created_field: str) -> dict[str, Any]:
    created = queryset.values_list(created_field, flat=True).first()
    return {"exists": created is not None, "created_at": created}
