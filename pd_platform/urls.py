from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import views

api_v1 = [
    path("", include("accounts.api_urls")),
    path("", include("activity.api_urls")),
    path("", include("attendance.api_urls")),
    path("", include("certificates.api_urls")),
    path("", include("evaluations.api_urls")),
    path("", include("registrations.api_urls")),
    path("", include("courses.api_urls")),
    path("", include("reports.api_urls")),
    path("", include("evaluations.results_api_urls")),
]

urlpatterns = [
    path("", include("courses.urls")),
    path("", include("organizations.urls")),
    path("", include("registrations.urls")),
    path("", include("registrations.staff_urls")),
    path("", include("activity.urls")),
    path("", include("attendance.urls")),
    path("", include("certificates.urls")),
    path("", include("evaluations.urls")),
    path("", include("evaluations.staff_urls")),
    path("", include("evaluations.results_urls")),
    path("", include("reports.urls")),
    path("", include("privacy.urls")),
    path("", include("accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("healthz", views.healthz, name="healthz"),
]

handler400 = "pd_platform.views.bad_request"
handler403 = "pd_platform.views.permission_denied"
handler404 = "pd_platform.views.page_not_found"
handler500 = "pd_platform.views.server_error"
# allauth's rate limits (sign-in, sign-up, password reset) answer with this page too.
handler429 = "pd_platform.ratelimit.rate_limited"
