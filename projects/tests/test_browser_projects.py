"""The projects pages in a real browser: create, rename, open, a job in it, delete."""

from __future__ import annotations

import re

import pytest

from conftest import PASSWORD
from jobs.models import Job
from projects.models import Project
from videogen.tests.browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

expect = pytest.importorskip("playwright.sync_api").expect


def test_a_project_is_created_renamed_given_a_job_and_deleted_keeping_the_job(page, owner, clean_redis):
    sign_in(page, owner.email, PASSWORD)
    page.get_by_test_id("nav-projects").click()
    expect(page.get_by_test_id("empty-state")).to_be_visible()
    page.get_by_label("Name").fill("Launch film")
    page.get_by_label("Description").fill("Teasers for the spring launch")
    page.get_by_test_id("create-project").click()

    expect(page).to_have_url(re.compile(r"/projects/[^/]+$"))
    expect(page.get_by_test_id("flash")).to_contain_text("created")
    expect(page.get_by_test_id("project-name")).to_have_text("Launch film")
    project = Project.objects.get(user=owner)

    page.get_by_test_id("edit-project").click()
    expect(page).to_have_url(re.compile(rf"/projects/{project.id}/edit$"))
    page.get_by_label("Name").fill("Launch film, final cut")
    page.get_by_test_id("save-project").click()
    expect(page.get_by_test_id("flash")).to_contain_text("Project saved")
    expect(page.get_by_test_id("project-name")).to_have_text("Launch film, final cut")

    page.get_by_test_id("nav-projects").click()
    listed = page.locator(f'[data-testid="project-card"][data-project-id="{project.id}"]')
    expect(listed.get_by_test_id("project-job-count")).to_have_text("0 jobs")
    listed.get_by_test_id("project-link").click()
    expect(page.get_by_test_id("project-name")).to_have_text("Launch film, final cut")

    page.get_by_test_id("new-job-in-project").click()
    expect(page).to_have_url(re.compile(rf"/create\?project={project.id}$"))
    expect(page.get_by_label("Project")).to_have_value(project.id)
    page.get_by_label("Prompt").fill("A slow pan across a snowy mountain ridge at dawn")
    page.get_by_label("Resolution").select_option("480p")
    page.get_by_label("Quality").select_option("low")
    page.get_by_label("Duration (seconds)").fill("2")
    page.get_by_test_id("submit-job").click()
    expect(page).to_have_url(re.compile(r"/jobs$"))
    job = Job.objects.get(user=owner)
    assert job.project_id == project.id
    expect(page.get_by_test_id("job-card").locator(".meta-project")).to_have_text("Launch film, final cut")

    page.goto(f"/projects/{project.id}")
    expect(page.locator(f'[data-testid="job-card"][data-job-id="{job.id}"]')).to_be_visible()
    dialogs: list[str] = []

    def accept(dialog):
        dialogs.append(dialog.message)
        dialog.accept()

    page.once("dialog", accept)
    page.get_by_test_id("delete-project").click()
    expect(page).to_have_url(re.compile(r"/projects$"))
    expect(page.get_by_test_id("flash")).to_contain_text("Its jobs were kept")
    expect(page.get_by_test_id("empty-state")).to_be_visible()
    assert dialogs == ["Delete the project “Launch film, final cut”? Its jobs are kept."]
    assert not Project.objects.filter(pk=project.id).exists()
    job.refresh_from_db()
    assert job.project_id is None

    page.get_by_test_id("nav-jobs").click()
    card = page.locator(f'[data-testid="job-card"][data-job-id="{job.id}"]')
    expect(card).to_be_visible()
    expect(card.locator(".meta-project")).to_have_count(0)
