from rest_framework.routers import SimpleRouter

from .api import CourseViewSet, SessionViewSet

router = SimpleRouter()
router.register("courses", CourseViewSet, basename="api-course")
router.register("sessions", SessionViewSet, basename="api-session")

urlpatterns = router.urls
