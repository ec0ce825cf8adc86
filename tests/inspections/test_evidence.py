"""Evidence files (证据材料): photos and PDFs, checked by content and size, stored under
MEDIA_ROOT (outside the web root) and served only to those who may see the inspection.

Rules: issue 4 §2 ("evidence files (photos, PDF; type and size checked)"); docs/security.md
(files only through permission-checking views).
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from jianguan.core.models import AuditEvent
from jianguan.inspections import filetypes
from jianguan.inspections.models import Evidence

pytestmark = pytest.mark.django_db


def png_bytes(width: int = 2, height: int = 2) -> bytes:
    """A real, tiny PNG (red pixels)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def upload(client, visit, name: str, content: bytes, content_type="image/png"):
    return client.post(
        reverse("inspections:evidence_upload", args=[visit.pk]),
        {"file": SimpleUploadedFile(name, content, content_type=content_type)},
        follow=True,
    )


def test_photo_is_stored_outside_the_web_root_and_served_with_a_check(
    client, world, admin_a, admin_b
):
    """A member's photo is stored under MEDIA_ROOT/evidence/<visit>/ and served to those who may
    see the record (team, jurisdiction); another district gets 404."""
    client.force_login(world["first"])
    content = png_bytes()
    response = upload(client, world["visit"], "现场照片.png", content)
    assert "已上传「现场照片.png」" in response.content.decode()
    evidence = Evidence.objects.get()
    path = Path(evidence.file.path)
    assert path.is_relative_to(Path(settings.MEDIA_ROOT).resolve())
    assert f"evidence/{world['visit'].pk}/" in evidence.file.name
    assert path.read_bytes() == content
    assert (evidence.content_type, evidence.suffix, evidence.size) == (
        "image/png",
        ".png",
        len(content),
    )
    assert AuditEvent.objects.filter(object_type="inspections.evidence").count() == 1

    url = reverse("inspections:evidence", args=[evidence.pk])
    for user in (world["second"], admin_a):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "image/png"
        assert b"".join(response.streaming_content) == content
    client.force_login(admin_b)
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302  # to the login page
    path.unlink()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("病毒.exe", b"MZ\x90\x00" + b"\x00" * 100, "不是允许的类型"),
        ("伪装.jpg", b"<script>alert(1)</script>", "不是允许的类型"),
        ("照片.pdf", png_bytes(), "扩展名与内容不符"),
        ("空.png", b"", "空文件"),
    ],
)
def test_refused_types(client, world, name, content, message):
    """The type is checked by the magic bytes, not only the extension; a clear Chinese message."""
    client.force_login(world["first"])
    response = upload(client, world["visit"], name, content)
    html = response.content.decode()
    assert message in html or "请选择要上传的照片或 PDF 文件" in html
    assert not Evidence.objects.exists()
    assert not AuditEvent.objects.filter(object_type="inspections.evidence").exists()


def test_size_limit(client, world):
    """A file over 10 MB is refused, saying how large it is and what the limit is."""
    client.force_login(world["first"])
    big = png_bytes() + b"\x00" * (filetypes.MAX_BYTES + 1)
    response = upload(client, world["visit"], "大照片.png", big)
    html = response.content.decode()
    assert "过大" in html and "10 MB" in html
    assert not Evidence.objects.exists()


def test_pdf_and_jpeg_accepted():
    """The pure check: JPEG, PNG and PDF by their magic bytes."""
    assert filetypes.check("a.JPG", 10, b"\xff\xd8\xff\xe0rest").content_type == "image/jpeg"
    assert filetypes.check("a.jpeg", 10, b"\xff\xd8\xff\xe1rest").suffix == ".jpg"
    assert filetypes.check("报告.pdf", 10, b"%PDF-1.7\n").content_type == "application/pdf"
    with pytest.raises(filetypes.BadFile):
        filetypes.check("no-extension", 10, b"%PDF-1.7\n")


def test_non_member_cannot_upload(client, world):
    client.force_login(world["outsider"])
    response = client.post(
        reverse("inspections:evidence_upload", args=[world["visit"].pk]),
        {"file": SimpleUploadedFile("a.png", png_bytes(), content_type="image/png")},
    )
    assert response.status_code == 403
    assert not Evidence.objects.exists()


def test_member_removes_a_wrong_photo_before_confirmation(
    client, world, django_capture_on_commit_callbacks
):
    """A member may take back a file before confirmation (audited, with its digest); after
    confirmation the evidence is final."""
    client.force_login(world["first"])
    upload(client, world["visit"], "错拍.png", png_bytes())
    evidence = Evidence.objects.get()
    path = Path(evidence.file.path)
    client.force_login(world["outsider"])
    url = reverse("inspections:evidence_delete", args=[evidence.pk])
    assert client.post(url).status_code == 403
    client.force_login(world["second"])
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url).status_code == 302
    assert not Evidence.objects.exists() and not path.exists()
    event = AuditEvent.objects.get(object_type="inspections.evidence", action="delete")
    assert evidence.sha256 in event.note

    from .helpers import post_record

    client.force_login(world["first"])
    upload(client, world["visit"], "现场.png", png_bytes())
    post_record(client, world["visit"], timezone.localdate())
    client.force_login(world["second"])
    client.post(reverse("inspections:confirm", args=[world["visit"].pk]))
    kept = Evidence.objects.get()
    response = client.post(reverse("inspections:evidence_delete", args=[kept.pk]), follow=True)
    assert "已确认" in response.content.decode()
    assert Evidence.objects.filter(pk=kept.pk).exists()
    Path(kept.file.path).unlink()
