"""Project reads: the caller's list, and the one ownership-checked way to load a project."""

from __future__ import annotations

from django.db.models import QuerySet
from django.db.models.functions import Coalesce

from accounts.models import User
from jobs.selectors import job_count_per_project
from projects.models import Project
from videogen.errors import Forbidden, NotFound

PROJECT_NOT_FOUND = "Project not found."
PROJECT_FORBIDDEN = "You do not have access to this project."


def projects_with_job_count(queryset: QuerySet[Project] | None = None) -> QuerySet[Project]:
    """Annotate ``job_count`` on each project in the same query.

    A correlated subquery rather than JOIN + GROUP BY, so the count is computed only
    for the rows a page returns (served by the jobs' project index).
    """
    queryset = Project.objects.all() if queryset is None else queryset
    return queryset.annotate(job_count=Coalesce(job_count_per_project(), 0))


def project_list(*, user: User, skip: int, take: int) -> tuple[list[Project], int]:
    """One page of the user's projects, newest first, and the user's total.

    Two queries whatever the page size: the count and the page (with job counts).
    """
    own = Project.objects.filter(user=user)
    total = own.count()
    rows = list(projects_with_job_count(own).order_by("-created_at", "-id")[skip : skip + take])
    return rows, total


def get_project_for_user(*, user: User, project_id: str) -> Project:
    """Load a project (with ``job_count``) for ``user``.

    Raises NotFound when no such project exists and Forbidden when it belongs to
    someone else; staff get no special access through the API.
    """
    if "\x00" in project_id:  # PostgreSQL cannot even compare it; no id holds one.
        raise NotFound(PROJECT_NOT_FOUND)
    project = projects_with_job_count().filter(pk=project_id).first()
    if project is None:
        raise NotFound(PROJECT_NOT_FOUND)
    if project.user_id != user.pk:
        raise Forbidden(PROJECT_FORBIDDEN)
    return project
