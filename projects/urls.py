from django.urls import path

from projects import api, views

app_name = "projects"

urlpatterns = [
    path("projects", views.project_list, name="list"),
    path("projects/<str:project_id>", views.project_detail, name="detail"),
    path("projects/<str:project_id>/edit", views.project_edit, name="edit"),
    path("projects/<str:project_id>/delete", views.project_delete, name="delete"),
]

api_urlpatterns = [
    path("projects", api.ProjectCollectionView.as_view(), name="api-projects"),
    path("projects/<str:project_id>", api.ProjectDetailView.as_view(), name="api-project"),
]
