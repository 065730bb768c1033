import pytest

from jobs.models import Job
from projects.models import Project


@pytest.fixture
def make_project(db):
    def make(user, name: str = "Trailers", description: str = "") -> Project:
        return Project.objects.create(user=user, name=name, description=description)

    return make


@pytest.fixture
def make_job(db):
    def make(user, project: Project | None = None) -> Job:
        return Job.objects.create(
            user=user,
            project=project,
            prompt="x",
            model="videogen-procedural-1",
            resolution="480p",
            quality="low",
            duration=1,
        )

    return make


@pytest.fixture
def project(make_project, owner) -> Project:
    return make_project(owner, name="Launch film", description="Teasers for the launch")
