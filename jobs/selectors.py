"""Reads that span rows: lists, stats, queue positions, and the access helper."""

from __future__ import annotations

from django.db.models import Avg, Count, IntegerField, OuterRef, Subquery

from accounts.models import User
from jobs import positions
from jobs.models import Job, JobStatus
from videogen.errors import Forbidden, InvalidInput, NotFound
from videogen.ids import valid_id
from videogen.pagination import page_count, pager

JOBS_PER_PAGE = 12


def get_job_for_user(*, user: User, job_id: str) -> Job:
    """The one way views load a job: 404 when missing, 403 when another user's.

    Staff included: the API and the pages show a user only their own jobs (JSON, video,
    thumbnail alike); staff see everyone's jobs, and their files, in the admin only.
    """
    job = Job.objects.select_related("project").filter(pk=job_id).first() if valid_id(job_id) else None
    if job is None:
        raise NotFound("Job not found.")
    if job.user_id != user.pk:
        raise Forbidden("You do not have access to this job.")
    return job


def queue_position(job: Job) -> int | None:
    """``job``'s place in the fair order of its queue (1 = next to start; see jobs.positions);
    None unless it is queued."""
    positions.positions_for([job])
    return job.queue_position


def job_for_display(job: Job) -> Job:
    """A job as lists show it: with its queue position (and its project, on first use).

    Callers pass a row they have just loaded or that a service has just written and
    refreshed, so only the position is read (for a queued job: its queue's waiting
    jobs, two queries), not the whole row again.
    """
    job.queue_position = queue_position(job)
    return job


def job_list(
    *, user: User, status: str | None = None, project_id: str | None = None, skip: int = 0, take: int = 50,
    with_project: bool = True,
) -> tuple[list[Job], int]:
    """One page of the user's jobs, newest first, and how many match in all.

    ``with_project=False`` leaves out the project join, for callers that only need
    ``project_id`` (the JSON API): a fifth of the list's cost at 50 rows.
    """
    if status is not None and status not in JobStatus.values:
        raise InvalidInput.for_field("status", f"Must be one of {', '.join(JobStatus.values)}.")
    rows = Job.objects.filter(user=user)
    if status:
        rows = rows.filter(status=status)
    if project_id:
        if not valid_id(project_id):
            raise InvalidInput.for_field("projectId", "Not a valid project id.")
        rows = rows.filter(project_id=project_id)
    total = rows.count()
    if with_project:
        rows = rows.select_related("project")
    page = list(rows.order_by("-created_at", "-id")[skip : skip + take])
    positions.positions_for(page)  # two queries more per queue when the page holds a queued job
    return page, total


def job_stats(*, user: User) -> dict:
    # One grouped pass, served by the (user, status) INCLUDE (generation_time_ms) index
    # alone: COUNT(*), because COUNT(id) would need the table for a column the index
    # does not hold, and PostgreSQL then scans the whole table instead.
    rows = list(
        Job.objects.filter(user=user).order_by().values("status")
        .annotate(n=Count("*"), avg_ms=Avg("generation_time_ms"))
    )
    counts = {row["status"]: row["n"] for row in rows}
    averages = {row["status"]: row["avg_ms"] for row in rows}
    by_status = {status: counts.get(status, 0) for status in JobStatus.values}
    finished = by_status[JobStatus.COMPLETED] + by_status[JobStatus.FAILED]
    average = averages.get(JobStatus.COMPLETED)
    return {
        "total": sum(by_status.values()),
        "by_status": by_status,
        "success_rate": round(by_status[JobStatus.COMPLETED] / finished, 4) if finished else 0.0,
        "avg_generation_time_ms": round(average) if average is not None else None,
    }


def job_page(*, user: User, page: int, status: str | None = None, project_id: str | None = None) -> dict:
    """One page of a user's jobs (a project's, given ``project_id``) plus what the list
    templates need to draw it and its pager; a page past the end shows the last one."""
    jobs, total = job_list(
        user=user, status=status, project_id=project_id, skip=(page - 1) * JOBS_PER_PAGE, take=JOBS_PER_PAGE
    )
    pages = page_count(total, JOBS_PER_PAGE)
    if page > pages:  # e.g. the last job of the last page was just deleted
        return job_page(user=user, page=pages, status=status, project_id=project_id)
    return {"jobs": jobs, **pager(page=page, pages=pages, total=total), "polling": any(job.is_active for job in jobs)}


def job_count_per_project() -> Subquery:
    """A subquery counting the jobs of the project ``OuterRef("pk")`` (projects annotate it)."""
    counts = Job.objects.filter(project=OuterRef("pk")).order_by().values("project").annotate(count=Count("pk"))
    return Subquery(counts.values("count"), output_field=IntegerField())
