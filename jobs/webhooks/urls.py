from django.urls import path

from jobs.webhooks import api, views

app_name = "webhooks"

urlpatterns = [
    path("settings/webhooks", views.endpoint_list, name="list"),
    path("settings/webhooks/secret/rotate", views.default_secret_rotate, name="default-secret-rotate"),
    path("settings/webhooks/<str:endpoint_id>", views.endpoint_detail, name="detail"),
    path("settings/webhooks/<str:endpoint_id>/rotate", views.endpoint_rotate, name="rotate"),
    path("settings/webhooks/<str:endpoint_id>/test", views.endpoint_test, name="test"),
    path("settings/webhooks/<str:endpoint_id>/redeliver", views.endpoint_redeliver, name="redeliver"),
    path("settings/webhooks/<str:endpoint_id>/delete", views.endpoint_delete, name="delete"),
]

api_urlpatterns = [
    path("webhooks", api.EndpointCollectionView.as_view(), name="api-webhooks"),
    path("webhooks/default-secret", api.DefaultSecretView.as_view(), name="api-webhook-default-secret"),
    path("webhooks/default-secret/rotate", api.DefaultSecretRotateView.as_view(), name="api-webhook-default-secret-rotate"),
    path("webhooks/<str:endpoint_id>", api.EndpointDetailView.as_view(), name="api-webhook"),
    path("webhooks/<str:endpoint_id>/rotate", api.EndpointRotateView.as_view(), name="api-webhook-rotate"),
    path("webhooks/<str:endpoint_id>/deliveries", api.EndpointAttemptsView.as_view(), name="api-webhook-deliveries"),
    path("webhooks/<str:endpoint_id>/redeliver", api.EndpointRedeliverView.as_view(), name="api-webhook-redeliver"),
    path("webhooks/<str:endpoint_id>/test", api.EndpointTestView.as_view(), name="api-webhook-test"),
    path("jobs/<str:job_id>/webhook-deliveries", api.JobWebhookAttemptsView.as_view(),
         name="api-job-webhook-deliveries"),
]
