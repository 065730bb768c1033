"""Serving stored videos and posters with HTTP Range support (browsers seek)."""

from __future__ import annotations

import mimetypes
import re

from django.core.files.storage import default_storage
from django.http import HttpResponse, HttpResponseRedirect, StreamingHttpResponse

from videogen.errors import NotFound

# At most 19 digits: larger numbers are not byte offsets (and int() refuses > 4300 digits).
_RANGE = re.compile(r"^bytes=(\d{0,19})-(\d{0,19})$")
CHUNK = 256 * 1024


def is_local_storage() -> bool:
    try:
        default_storage.path("x")
        return True
    except NotImplementedError:
        return False


def download_name(job_id: str) -> str:
    return f"videogen-{job_id}.mp4"


def parse_range(header: str, size: int) -> tuple[int, int] | None | str:
    """(start, end) inclusive for one satisfiable range; None when absent or not a
    single byte range (serve the whole file); "unsatisfiable" for a 416."""
    match = _RANGE.match(header.strip()) if header else None
    if not match:
        return None
    first, last = match.groups()
    if first == "" and last == "":
        return None
    if first == "":
        length = int(last)
        if length == 0:
            return "unsatisfiable"
        return max(0, size - length), size - 1
    start = int(first)
    end = int(last) if last else size - 1
    if start >= size or end < start:
        return "unsatisfiable"
    return start, min(end, size - 1)


def _stream(handle, start: int, length: int):
    try:
        handle.seek(start)
        remaining = length
        while remaining > 0:
            chunk = handle.read(min(CHUNK, remaining))
            if not chunk:
                break
            remaining -= len(chunk)
            yield chunk
    finally:
        handle.close()


def serve_stored_file(request, name: str, *, download_name: str | None = None) -> HttpResponse:
    if not name:
        raise NotFound("This job has no such file.")
    if not is_local_storage():
        # Object storage: hand out a short-lived presigned URL instead of proxying.
        return HttpResponseRedirect(default_storage.url(name))
    try:
        size = default_storage.size(name)
        handle = default_storage.open(name, "rb")
    except (FileNotFoundError, OSError):
        raise NotFound("The file is no longer available.") from None
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    wanted = parse_range(request.headers.get("Range", ""), size)
    if wanted == "unsatisfiable":
        handle.close()
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        response["Accept-Ranges"] = "bytes"
        return response
    if wanted is None:
        start, end, status = 0, size - 1, 200
    else:
        start, end = wanted
        status = 206
    length = end - start + 1 if size else 0
    response = StreamingHttpResponse(_stream(handle, start, length), status=status, content_type=content_type)
    response["Content-Length"] = str(length)
    response["Accept-Ranges"] = "bytes"
    response["Cache-Control"] = "private, max-age=3600"
    if status == 206:
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
    if download_name:
        response["Content-Disposition"] = f'attachment; filename="{download_name}"'
    return response
