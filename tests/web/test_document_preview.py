"""A PDF opens in the browser (inline), with a separate link to download it; other files
download as before."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse

from govit.documents.services import document_upload
from tests.workflow.conftest import PDF
from tests.workflow.flows import declared

pytestmark = pytest.mark.django_db


def test_a_pdf_previews_inline_and_downloads_on_request(client, cast):
    project = declared(cast)
    unit = cast.user("unit")
    pdf = document_upload(
        actor=unit, project=project, name="建设方案", upload=io.BytesIO(PDF), filename="方案.pdf"
    )
    zipped = document_upload(
        actor=unit,
        project=project,
        name="附件包",
        upload=io.BytesIO(b"PK\x03\x04rest"),
        filename="附件.zip",
    )
    client.force_login(cast.user("competent_department"))
    url = reverse("document-download", args=[project.pk, pdf.pk])
    shown = client.get(url)
    assert shown.status_code == 200 and shown["Content-Type"] == "application/pdf"
    assert shown["Content-Disposition"].startswith("inline")
    assert b"".join(shown.streaming_content) == PDF
    saved = client.get(url, {"download": "1"})
    assert saved["Content-Disposition"].startswith("attachment")
    assert saved["X-Content-SM3"] == pdf.sm3
    other = client.get(reverse("document-download", args=[project.pk, zipped.pk]))
    assert other["Content-Disposition"].startswith("attachment")

    page = client.get(reverse("project-detail", args=[project.pk])).content.decode()
    assert f'href="{url}" target="_blank"' in page and f'href="{url}?download=1" download' in page
    zip_url = reverse("document-download", args=[project.pk, zipped.pk])
    assert f'href="{zip_url}?download=1"' not in page
