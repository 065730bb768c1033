from django.urls import path

from projects import api

app_name = "projects"

urlpatterns: list = []

api_urlpatterns = [
    path("projects", api.ProjectCollectionView.as_view(), name="api-projects"),
    path("projects/<str:project_id>", api.ProjectDetailView.as_view(), name="api-project"),
]
