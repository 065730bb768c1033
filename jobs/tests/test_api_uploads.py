"""POST /api/v1/uploads and the owner-only reads: every kind of bad image is a 400 naming ``file``."""

from __future__ import annotations

import io

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from jobs.tests.image_files import gradient_png, image_bytes, jpeg_rotated_by_exif, png_header_only
from jobs.uploads.images import MAX_BYTES
from jobs.uploads.models import Upload
from videogen.testing.api import assert_api_error

pytestmark = pytest.mark.django_db

URL = "/api/v1/uploads"


def upload(api, data: bytes, name: str = "picture.png", content_type: str = "image/png"):
    return api.post(URL, {"file": SimpleUploadedFile(name, data, content_type=content_type)}, format="multipart")


@pytest.mark.parametrize(
    ("fmt", "name", "content_type"),
    [("PNG", "a.png", "image/png"), ("JPEG", "a.jpg", "image/jpeg"), ("WEBP", "a.webp", "image/webp")],
)
def test_it_stores_a_png_jpeg_or_webp_and_describes_it(owner, owner_api, media_root, fmt, name, content_type):
    response = upload(owner_api, image_bytes(fmt, (64, 48)), name, content_type)

    assert response.status_code == 201, response.content
    body = response.json()
    row = Upload.objects.get()
    assert body == {
        "id": row.id, "width": 64, "height": 48, "contentType": content_type, "sizeBytes": row.size_bytes,
        "contentUrl": f"http://testserver/api/v1/uploads/{row.id}/content",
    }
    assert row.user == owner
    assert row.path.startswith(f"uploads/{owner.id}/{row.id}/")
    assert default_storage.size(row.path) == row.size_bytes


def test_the_owner_gets_the_image_back(owner_api, media_root):
    upload_id = upload(owner_api, gradient_png((120, 90))).json()["id"]

    response = owner_api.get(f"{URL}/{upload_id}/content")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    image = Image.open(io.BytesIO(b"".join(response.streaming_content)))
    assert image.size == (120, 90)


def test_exif_orientation_is_applied(owner_api, media_root):
    response = upload(owner_api, jpeg_rotated_by_exif((80, 40)), "phone.jpg", "image/jpeg")

    assert response.status_code == 201, response.content
    assert (response.json()["width"], response.json()["height"]) == (40, 80)
    stored = Image.open(default_storage.open(Upload.objects.get().path))
    assert stored.size == (40, 80)
    assert 0x0112 not in stored.getexif()  # no orientation left to apply twice


def test_the_content_type_comes_from_the_bytes_not_the_extension(owner_api, media_root):
    response = upload(owner_api, image_bytes("JPEG"), "lying.png", "image/png")

    assert response.status_code == 201, response.content
    assert response.json()["contentType"] == "image/jpeg"
    assert Upload.objects.get().path.endswith(".jpg")


@pytest.mark.parametrize(
    ("data", "name", "mentions"),
    [
        (b"just some text, not pixels", "notes.png", "not a png, jpeg or webp"),
        (image_bytes("GIF"), "anim.png", "not a png, jpeg or webp"),
        (image_bytes("BMP"), "old.jpg", "not a png, jpeg or webp"),
        (gradient_png((300, 200))[:400], "cut.png", "damaged or incomplete"),
        (image_bytes("JPEG", (300, 200))[:300], "cut.jpg", "damaged or incomplete"),
        (b"", "empty.png", "empty"),
        (image_bytes("PNG", (4097, 8)), "wide.png", "at most 4096"),
        (image_bytes("PNG", (8, 5000)), "tall.png", "at most 4096"),
        (png_header_only(50_000, 50_000), "bomb.png", "too many pixels"),
        (png_header_only(9000, 9000), "bomb2.png", "at most 4096"),
    ],
    ids=["text", "gif", "bmp", "truncated-png", "truncated-jpeg", "empty", "too-wide", "too-tall", "bomb",
         "bomb-under-pillow-limit"],
)
def test_it_refuses_what_is_not_a_sane_image(owner_api, media_root, data, name, mentions):
    response = upload(owner_api, data, name)

    assert_api_error(response, 400, field="file", mentions=mentions)
    assert not Upload.objects.exists()
    assert not (media_root / "uploads").exists() or not any((media_root / "uploads").rglob("*.*"))


def test_a_decompression_bomb_is_refused_before_its_pixels_are_decoded(owner_api, media_root):
    bomb = png_header_only(50_000, 50_000)
    assert len(bomb) < 512 * 1024  # small on the wire, 2.5 GB once decoded

    assert_api_error(upload(owner_api, bomb), 400, field="file")


def test_it_refuses_a_file_over_ten_megabytes(owner_api, media_root):
    too_big = gradient_png((64, 64)) + b"\x00" * (MAX_BYTES + 1)

    assert_api_error(upload(owner_api, too_big), 400, field="file", mentions="at most 10 MB")


def test_it_names_the_field_when_no_file_is_sent(owner_api):
    response = owner_api.post(URL, {"image": SimpleUploadedFile("a.png", image_bytes())}, format="multipart")

    assert_api_error(response, 400, field="file")


def test_it_wants_multipart(owner_api):
    response = owner_api.post(URL, {"file": "aGVsbG8="}, format="json")

    assert_api_error(response, 415)


def test_another_users_upload_is_not_found(owner_api, other_api, media_root):
    upload_id = upload(owner_api, image_bytes()).json()["id"]

    for path in (f"{URL}/{upload_id}", f"{URL}/{upload_id}/content"):
        assert_api_error(other_api.get(path), 404)
    assert_api_error(other_api.delete(f"{URL}/{upload_id}"), 404)
    assert Upload.objects.filter(pk=upload_id).exists()


def test_anonymous_requests_are_refused(anon_api, owner_api, media_root):
    upload_id = upload(owner_api, image_bytes()).json()["id"]

    assert_api_error(upload(anon_api, image_bytes()), 401)
    assert_api_error(anon_api.get(f"{URL}/{upload_id}/content"), 401)


def test_deleting_an_upload_removes_its_file(owner_api, media_root, django_capture_on_commit_callbacks):
    upload_id = upload(owner_api, image_bytes()).json()["id"]
    path = Upload.objects.get().path

    with django_capture_on_commit_callbacks(execute=True):
        response = owner_api.delete(f"{URL}/{upload_id}")

    assert response.status_code == 204
    assert not Upload.objects.exists()
    assert not default_storage.exists(path)
    assert_api_error(owner_api.get(f"{URL}/{upload_id}"), 404)
