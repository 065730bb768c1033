from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from accounts.urls import api_urlpatterns as accounts_api
from jobs.urls import api_urlpatterns as jobs_api
from projects.urls import api_urlpatterns as projects_api
from videogen import health_api

api_urlpatterns = [
    *accounts_api,
    *projects_api,
    *jobs_api,
    path("health", health_api.HealthView.as_view(), name="api-health"),
    path("health/live", health_api.LiveView.as_view(), name="api-health-live"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]

admin.site.site_header = "videogen administration"
admin.site.site_title = "videogen admin"

urlpatterns = [
    path("admin/rq/", include("django_rq.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_urlpatterns)),
    path("", include("accounts.urls")),
    path("", include("projects.urls")),
    path("", include("jobs.urls")),
]

handler400 = "videogen.error_views.bad_request"
handler403 = "videogen.error_views.permission_denied"
handler404 = "videogen.error_views.page_not_found"
handler500 = "videogen.error_views.server_error"
