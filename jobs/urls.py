from django.urls import path

from jobs import api, views
from jobs.presets import views as preset_views
from jobs.presets.api import api_urlpatterns as presets_api
from jobs.uploads.api import api_urlpatterns as uploads_api

app_name = "jobs"

urlpatterns = [
    path("jobs", views.job_list, name="list"),
    path("create", views.job_create, name="create"),
    path("jobs/<str:job_id>", views.job_detail, name="detail"),
    path("jobs/<str:job_id>/cancel", views.job_cancel, name="cancel"),
    path("jobs/<str:job_id>/retry", views.job_retry, name="retry"),
    path("jobs/<str:job_id>/delete", views.job_delete, name="delete"),
    path("jobs/<str:job_id>/preset", preset_views.preset_save_from_job, name="preset-save"),
    path("presets", preset_views.preset_list, name="presets"),
    path("presets/<str:preset_id>/delete", preset_views.preset_delete, name="preset-delete"),
]

api_urlpatterns = [
    path("jobs", api.JobCollectionView.as_view(), name="api-jobs"),
    path("jobs/stats/summary", api.JobStatsView.as_view(), name="api-job-stats"),
    path("jobs/<str:job_id>", api.JobDetailView.as_view(), name="api-job"),
    path("jobs/<str:job_id>/cancel", api.JobCancelView.as_view(), name="api-job-cancel"),
    path("jobs/<str:job_id>/retry", api.JobRetryView.as_view(), name="api-job-retry"),
    path("jobs/<str:job_id>/video", api.JobVideoView.as_view(), name="api-job-video"),
    path("jobs/<str:job_id>/thumbnail", api.JobThumbnailView.as_view(), name="api-job-thumbnail"),
    path("jobs/<str:job_id>/preview", api.JobPreviewView.as_view(), name="api-job-preview"),
    path("models", api.ModelCatalogView.as_view(), name="api-models"),
    *uploads_api,
    *presets_api,
]
