"""A stored document version sent to the browser: a PDF opens in the browser's viewer (inline),
anything else — and a PDF asked for with ``?download=1`` — downloads."""

from __future__ import annotations

from django.http import FileResponse, HttpRequest

PDF = "application/pdf"


def version_response(request: HttpRequest, version) -> FileResponse:
    # the type was checked by its leading bytes at upload (documents.services)
    inline = version.content_type == PDF and request.GET.get("download") != "1"
    response = FileResponse(
        version.file.open("rb"),
        as_attachment=not inline,
        filename=version.filename,
        content_type=version.content_type or None,
    )
    response["X-Content-SM3"] = version.sm3
    return response
