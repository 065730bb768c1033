"""JSON API for uploads: POST /uploads (multipart, field ``file``), GET/DELETE /uploads/<id>,
GET /uploads/<id>/content (the image, owner only)."""

from __future__ import annotations

from django.urls import path, reverse
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import parsers, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from jobs import file_responses
from jobs.uploads import selectors, services
from jobs.uploads.images import FIELD, MAX_BYTES
from videogen.api.schema import error_responses
from videogen.errors import InvalidInput

# Multipart framing around the file: a body beyond this is refused before it is read.
_ENVELOPE_BYTES = 64 * 1024

UploadSerializer = inline_serializer(
    "Upload",
    {"id": serializers.CharField(), "width": serializers.IntegerField(), "height": serializers.IntegerField(),
     "contentType": serializers.CharField(), "sizeBytes": serializers.IntegerField(),
     "contentUrl": serializers.CharField()},
)
UploadRequestSerializer = inline_serializer("UploadRequest", {"file": serializers.FileField()})


def _json(request, upload) -> dict:
    url = request.build_absolute_uri(reverse("api-upload-content", args=[upload.id]))
    return selectors.upload_json(upload, content_url=url)


def _too_big() -> InvalidInput:
    return InvalidInput.for_field(FIELD, f"The image must be at most {MAX_BYTES // (1024 * 1024)} MB.")


class UploadCollectionView(APIView):
    parser_classes = [parsers.MultiPartParser]

    @extend_schema(request={"multipart/form-data": UploadRequestSerializer},
                   responses={201: UploadSerializer, **error_responses(400, 401, 415)})
    def post(self, request):
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if declared > MAX_BYTES + _ENVELOPE_BYTES:
            raise _too_big()
        sent = request.FILES.getlist(FIELD)
        if len(sent) != 1:
            raise InvalidInput.for_field(FIELD, "Send exactly one image as the multipart field 'file'.")
        if sent[0].size > MAX_BYTES:
            raise _too_big()
        upload = services.upload_create(user=request.user, data=sent[0].read())
        return Response(_json(request, upload), status=status.HTTP_201_CREATED)


class UploadDetailView(APIView):
    @extend_schema(responses={200: UploadSerializer, **error_responses(401, 404)})
    def get(self, request, upload_id: str):
        return Response(_json(request, selectors.get_upload_for_user(user=request.user, upload_id=upload_id)))

    @extend_schema(responses={204: None, **error_responses(401, 404)})
    def delete(self, request, upload_id: str):
        services.upload_delete(upload=selectors.get_upload_for_user(user=request.user, upload_id=upload_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class UploadContentView(APIView):
    @extend_schema(responses={(200, "image/*"): bytes, **error_responses(401, 404)})
    def get(self, request, upload_id: str):
        upload = selectors.get_upload_for_user(user=request.user, upload_id=upload_id)
        return file_responses.serve_stored_file(request, upload.path)


api_urlpatterns = [
    path("uploads", UploadCollectionView.as_view(), name="api-uploads"),
    path("uploads/<str:upload_id>", UploadDetailView.as_view(), name="api-upload"),
    path("uploads/<str:upload_id>/content", UploadContentView.as_view(), name="api-upload-content"),
]
