"""JSON API for projects: every endpoint is scoped to the caller."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from projects.selectors import get_project_for_user, project_list
from projects.serializers import ProjectListSerializer, ProjectSerializer, ProjectWriteSerializer
from projects.services import project_create, project_delete, project_update
from videogen.api.schema import error_responses
from videogen.api.validation import validated
from videogen.pagination import DEFAULT_TAKE, MAX_TAKE, page_from_query

PAGE_PARAMETERS = [
    OpenApiParameter("skip", {"type": "integer", "minimum": 0, "default": 0}, description="Rows to skip."),
    OpenApiParameter(
        "take",
        {"type": "integer", "minimum": 1, "maximum": MAX_TAKE, "default": DEFAULT_TAKE},
        description="Page size.",
    ),
]


class ProjectCollectionView(APIView):
    @extend_schema(
        operation_id="projects_list",
        tags=["projects"],
        parameters=PAGE_PARAMETERS,
        responses={200: ProjectListSerializer, **error_responses(400, 401)},
    )
    def get(self, request):
        page = page_from_query(request.query_params)
        rows, total = project_list(user=request.user, skip=page.skip, take=page.take)
        return Response(
            {
                "projects": ProjectSerializer(rows, many=True).data,
                "total": total,
                "skip": page.skip,
                "take": page.take,
            }
        )

    @extend_schema(
        operation_id="projects_create",
        tags=["projects"],
        request=ProjectWriteSerializer,
        responses={201: ProjectSerializer, **error_responses(400, 401)},
    )
    def post(self, request):
        data = validated(ProjectWriteSerializer, request.data)
        project = project_create(user=request.user, name=data["name"], description=data.get("description", ""))
        return Response(ProjectSerializer(project).data, status=status.HTTP_201_CREATED)


class ProjectDetailView(APIView):
    @extend_schema(
        operation_id="projects_retrieve",
        tags=["projects"],
        responses={200: ProjectSerializer, **error_responses(401, 403, 404)},
    )
    def get(self, request, project_id: str):
        project = get_project_for_user(user=request.user, project_id=project_id)
        return Response(ProjectSerializer(project).data)

    @extend_schema(
        operation_id="projects_partial_update",
        tags=["projects"],
        request=ProjectWriteSerializer,
        responses={200: ProjectSerializer, **error_responses(400, 401, 403, 404)},
    )
    def patch(self, request, project_id: str):
        project = get_project_for_user(user=request.user, project_id=project_id)
        data = validated(ProjectWriteSerializer, request.data, partial=True)
        project = project_update(project=project, name=data.get("name"), description=data.get("description"))
        return Response(ProjectSerializer(project).data)

    @extend_schema(
        operation_id="projects_destroy",
        tags=["projects"],
        responses={204: None, **error_responses(401, 403, 404)},
    )
    def delete(self, request, project_id: str):
        project = get_project_for_user(user=request.user, project_id=project_id)
        project_delete(project=project)
        return Response(status=status.HTTP_204_NO_CONTENT)
