from django.conf import settings
from django.db import models

from videogen.ids import new_id


class Upload(models.Model):
    """A still image a user uploaded, decoded and re-encoded (orientation applied, metadata dropped)."""

    id = models.CharField(primary_key=True, max_length=32, default=new_id, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="uploads")
    path = models.CharField(max_length=500)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    content_type = models.CharField(max_length=32)
    size_bytes = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        app_label = "jobs"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"], name="upload_user_newest")]

    def __str__(self) -> str:
        return f"{self.id} ({self.width}x{self.height} {self.content_type})"
