"""Who may see what of certificates: plain predicates."""

from accounts.models import User
from organizations.permissions import can_manage_provider

from .models import Certificate


def can_download_certificate(user: User, certificate: Certificate) -> bool:
    """The certificate's owner, its provider's staff (Alliance admins too), its trainers."""
    session = certificate.registration.session
    # Not attendance.permissions.is_trainer_of: attendance sits above certificates.
    return (
        certificate.registration.person_id == user.pk
        or can_manage_provider(user, session.course.provider_id)
        or any(trainer.pk == user.pk for trainer in session.trainers.all())
    )
