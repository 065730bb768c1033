import pytest

from projects.models import Project


@pytest.fixture
def project(make_project, owner) -> Project:
    return make_project(owner, name="Launch film", description="Teasers for the launch")
