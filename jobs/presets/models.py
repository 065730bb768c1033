from django.conf import settings
from django.db import models

from videogen.ids import new_id

PRESET_NAME_MAX_LENGTH = 100


class Preset(models.Model):
    """A named set of job parameters (the job create body's keys), one user's."""

    id = models.CharField(primary_key=True, max_length=32, default=new_id, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="presets")
    name = models.CharField(max_length=PRESET_NAME_MAX_LENGTH)
    parameters = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        app_label = "jobs"
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["user", "name"], name="preset_user_name_unique")]

    def __str__(self) -> str:
        return self.name
