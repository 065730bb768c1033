from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts.two_factor import views as two_factor_views
from accounts.two_factor.urls import api_urlpatterns as two_factor_api
from accounts.urls import api_urlpatterns as accounts_api
from jobs.urls import api_urlpatterns as jobs_api
from jobs.webhooks.urls import api_urlpatterns as webhooks_api
from projects.urls import api_urlpatterns as projects_api
from videogen import health_api
from videogen.rq_dashboard import dashboard_patterns as rq_dashboard_patterns

api_urlpatterns = [
    *accounts_api,
    *two_factor_api,
    *projects_api,
    *jobs_api,
    *webhooks_api,
    path("health", health_api.HealthView.as_view(), name="api-health"),
    path("health/live", health_api.LiveView.as_view(), name="api-health-live"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start-up script as a file (no inline script: CSP).
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]

admin.site.site_header = "videogen administration"
admin.site.site_title = "videogen admin"

urlpatterns = [
    *rq_dashboard_patterns(),
    # The admin signs in through the site's login (throttle + two-factor step).
    path("admin/login/", two_factor_views.admin_login, name="admin-login"),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_urlpatterns)),
    path("", include("accounts.urls")),
    path("", include("accounts.two_factor.urls")),
    path("", include("projects.urls")),
    path("", include("jobs.urls")),
    path("", include("jobs.webhooks.urls")),
]

handler400 = "videogen.error_views.bad_request"
handler403 = "videogen.error_views.permission_denied"
handler404 = "videogen.error_views.page_not_found"
handler500 = "videogen.error_views.server_error"
