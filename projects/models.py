from django.conf import settings
from django.db import models

from videogen.ids import new_id

NAME_MAX_LENGTH = 200
DESCRIPTION_MAX_LENGTH = 5000


class Project(models.Model):
    """A user's named group of jobs.

    Writes go through projects.services; deleting a project keeps its jobs (their
    project becomes null).
    """

    id = models.CharField(primary_key=True, max_length=32, default=new_id, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="projects")
    name = models.CharField(max_length=NAME_MAX_LENGTH)
    description = models.TextField(blank=True, default="", max_length=DESCRIPTION_MAX_LENGTH)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at", "-id"], name="project_user_newest")]

    def __str__(self) -> str:
        return self.name
