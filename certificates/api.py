"""Certificates API: a person's own certificates, and public verification (DESIGN.md, API
contract). Certificates change only through certificates.services (called by attendance);
this module only reads."""

from django.db.models import QuerySet
from django.http import HttpResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, serializers
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from .models import Certificate
from .pdf import render_certificate
from .permissions import can_download_certificate
from .selectors import certificate_by_code, certificates_with_details, facts_of

VALID, REVOKED = "valid", "revoked"


class CertificateErrorSerializer(serializers.Serializer):
    """{"detail": "..."}; named apart from other apps' error components so schemas never clash."""

    detail = serializers.CharField()


class CertificateSerializer(serializers.ModelSerializer):
    code = serializers.CharField(
        source="display_code", read_only=True, help_text="The verification code, XXXX-XXXX-…"
    )
    status = serializers.SerializerMethodField()
    course = serializers.CharField(source="registration.session.course.title", read_only=True)
    provider = serializers.CharField(
        source="registration.session.course.provider.short_name", read_only=True
    )
    session = serializers.IntegerField(source="registration.session_id", read_only=True)
    session_title = serializers.CharField(source="registration.session.__str__", read_only=True)
    hours = serializers.DecimalField(max_digits=8, decimal_places=2, read_only=True)
    pdf_url = serializers.SerializerMethodField()
    verify_url = serializers.SerializerMethodField()

    class Meta:
        model = Certificate
        fields = [
            "id",
            "number",
            "code",
            "status",
            "course",
            "provider",
            "session",
            "session_title",
            "hours",
            "issued_at",
            "revoked_at",
            "pdf_url",
            "page_url",
            "verify_url",
        ]
        read_only_fields = fields

    def get_status(self, certificate: Certificate) -> str:
        return VALID if certificate.is_valid else REVOKED

    def _absolute(self, path: str) -> str:
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path

    page_url = serializers.SerializerMethodField(
        help_text="The PDF for a browser signed in to the site (session cookie)."
    )

    def get_pdf_url(self, certificate: Certificate) -> str:
        """The API's PDF download, which takes the same token as this list."""
        return self._absolute(reverse("api-certificate-pdf", kwargs={"pk": certificate.pk}))

    def get_page_url(self, certificate: Certificate) -> str:
        return self._absolute(reverse("certificates:pdf", kwargs={"pk": certificate.pk}))

    def get_verify_url(self, certificate: Certificate) -> str:
        return self._absolute(certificate.get_verify_path())


class VerificationSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=[VALID, REVOKED])
    name = serializers.CharField(
        allow_null=True, help_text="The person certified; null when the certificate is revoked."
    )
    number = serializers.CharField()
    course = serializers.CharField()
    provider = serializers.CharField()
    dates = serializers.ListField(
        child=serializers.DateField(), help_text="Local dates of the session's meetings."
    )
    hours = serializers.DecimalField(max_digits=8, decimal_places=2)
    issued_at = serializers.DateTimeField()
    revoked_at = serializers.DateTimeField(allow_null=True)


@extend_schema(
    summary="List my certificates",
    description="The signed-in person's certificates, valid and revoked (see `status`), "
    "latest first, with links to the PDF and the public verification page.",
    responses={
        200: CertificateSerializer(many=True),
        401: OpenApiResponse(CertificateErrorSerializer, description="Not signed in."),
        404: OpenApiResponse(CertificateErrorSerializer, description="No such page."),
    },
)
class MyCertificatesView(generics.ListAPIView):
    serializer_class = CertificateSerializer
    permission_classes = [IsAuthenticated]
    queryset = Certificate.objects.none()  # for the schema; real rows come from get_queryset

    def get_queryset(self) -> QuerySet[Certificate]:
        if getattr(self, "swagger_fake_view", False):
            return Certificate.objects.none()
        return (
            Certificate.objects.filter(registration__person=self.request.user)
            .select_related("registration__session__course__provider")
            .order_by("-issued_at", "-pk")
        )


class CertificatePdfView(APIView):
    """The certificate's PDF for a client holding an API token (or a session): its owner, its
    provider's staff and its trainers, like the page; 404 for everyone else."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Download a certificate as PDF",
        responses={
            (200, "application/pdf"): OpenApiResponse(
                OpenApiTypes.BINARY, description="The certificate of completion."
            ),
            401: OpenApiResponse(CertificateErrorSerializer, description="Not signed in."),
            404: OpenApiResponse(
                CertificateErrorSerializer, description="No certificate you may see."
            ),
            410: OpenApiResponse(
                CertificateErrorSerializer, description="The certificate was revoked."
            ),
        },
    )
    def get(self, request, pk: int):
        certificate = certificates_with_details().filter(pk=pk).first()
        if certificate is None or not can_download_certificate(request.user, certificate):
            raise NotFound("No certificate found.")
        if not certificate.is_valid:
            return Response({"detail": "This certificate was revoked."}, status=410)
        response = HttpResponse(render_certificate(certificate), content_type="application/pdf")
        response["Content-Disposition"] = (
            f'attachment; filename="certificate-{certificate.number}.pdf"'
        )
        return response


class VerifyCertificateView(APIView):
    # Public, and a stale token in the caller's headers must not turn it into a 401.
    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        summary="Verify a certificate",
        description="Anyone may check a code (dashes and case do not matter): valid or "
        "revoked; the person's name only while valid. 404 for an unknown code.",
        parameters=[
            OpenApiParameter(
                "code",
                OpenApiTypes.STR,
                OpenApiParameter.PATH,
                description="The verification code printed on the certificate.",
            )
        ],
        responses={
            200: VerificationSerializer,
            404: OpenApiResponse(
                CertificateErrorSerializer, description="No certificate has this code."
            ),
        },
    )
    def get(self, request, code: str):
        certificate = certificate_by_code(code)
        if certificate is None:
            raise NotFound("No certificate has this code. Check it against the certificate.")
        facts = facts_of(certificate)  # what the verify page and the PDF say, too
        data = {
            "status": VALID if certificate.is_valid else REVOKED,
            "name": facts.person_name if certificate.is_valid else None,
            "number": facts.number,
            "course": facts.course_title,
            "provider": facts.provider_name,
            "dates": sorted(set(facts.meeting_dates)),
            "hours": facts.hours,
            "issued_at": certificate.issued_at,
            "revoked_at": certificate.revoked_at,
        }
        return Response(VerificationSerializer(data).data)
