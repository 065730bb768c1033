from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from projects.models import DESCRIPTION_MAX_LENGTH, NAME_MAX_LENGTH, Project
from videogen.api.strict_fields import StrictCharField


class ProjectSerializer(serializers.ModelSerializer):
    userId = serializers.CharField(source="user_id", read_only=True)
    jobCount = serializers.SerializerMethodField()
    createdAt = serializers.DateTimeField(source="created_at", read_only=True)
    updatedAt = serializers.DateTimeField(source="updated_at", read_only=True)

    class Meta:
        model = Project
        fields = ["id", "userId", "name", "description", "jobCount", "createdAt", "updatedAt"]
        read_only_fields = fields

    @extend_schema_field(serializers.IntegerField(min_value=0))
    def get_jobCount(self, project: Project) -> int:
        # Loaded through projects.selectors the count is annotated (no query per row);
        # a project fresh from project_create has none yet and is counted here.
        count = getattr(project, "job_count", None)
        return project.jobs.count() if count is None else count


class ProjectListSerializer(serializers.Serializer):
    projects = ProjectSerializer(many=True)
    total = serializers.IntegerField(min_value=0)
    skip = serializers.IntegerField(min_value=0)
    take = serializers.IntegerField(min_value=1)


# Body of create (name required) and PATCH (every field optional). projects.services
# checks the same limits with the same messages; here they make the OpenAPI schema
# say what the endpoint accepts. (A comment, not a docstring: that would become the
# schema's description.)
class ProjectWriteSerializer(serializers.Serializer):
    name = StrictCharField(max_length=NAME_MAX_LENGTH)
    # null is read as "no description", the way clients of the original spec send it.
    description = StrictCharField(max_length=DESCRIPTION_MAX_LENGTH, allow_blank=True, allow_null=True, required=False)

    def validate_description(self, value: str | None) -> str:
        return "" if value is None else value
