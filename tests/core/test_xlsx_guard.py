"""Spreadsheet bombs are refused before parsing (issue 12 item 1): a 100-400 KB .xlsx that
would inflate to a 2 M-string shared-string table or a 300 MB sheet is refused with a Chinese
reason in under 5 s and with under 100 MB of memory growth, through the command line and the
web import alike. Without the check openpyxl spends ~45 s and ~250 MB on the first file."""

from __future__ import annotations

import resource
import time
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from jianguan.core import xlsx_guard
from jianguan.core.models import Job
from jianguan.registry.importing import HEADERS
from jianguan.registry.models import Entity
from jianguan.risk.importing import LISTING_COLUMNS
from jianguan.risk.models import KeyAreaListing
from tests.core.xlsx_bombs import huge_sheet_bomb, real_xlsx, shared_strings_bomb

MB = 1 << 20
SECONDS = 5
MEMORY = 100 * MB

BOMBS = {
    "shared_strings": (shared_strings_bomb, "共享字符串"),
    "huge_sheet": (huge_sheet_bomb, "压缩比异常"),
}


@pytest.fixture(params=sorted(BOMBS))
def bomb(request, tmp_path):
    """(a bomb with the roster's headers, a bomb with the key-area listing's, the reason)."""
    make, reason = BOMBS[request.param]
    roster = make(tmp_path / "roster.xlsx", HEADERS)
    listing = make(tmp_path / "listing.xlsx", [c.header for c in LISTING_COLUMNS])
    for path in (roster, listing):
        assert 100_000 <= path.stat().st_size <= 400_000, path.stat().st_size
    return roster, listing, reason


class Budget:
    """Wall time, peak Python allocations and growth of the process's peak RSS of a block
    (tracing allocations slows Python down: the time bound holds even so)."""

    def __enter__(self) -> Budget:
        self.rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        tracemalloc.start()
        self.started = time.monotonic()
        return self

    def __exit__(self, *exc) -> None:
        self.seconds = time.monotonic() - self.started
        self.peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        self.rss_growth = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - self.rss

    def assert_within(self) -> None:
        assert self.seconds < SECONDS, f"{self.seconds:.1f} s"
        assert self.peak < MEMORY, f"{self.peak / MB:.0f} MB allocated"
        assert self.rss_growth < MEMORY, f"{self.rss_growth / MB:.0f} MB more resident"


@pytest.mark.django_db
def test_command_refuses_bomb_quickly(bomb, capsys):
    roster, _listing, reason = bomb
    with Budget() as spent, pytest.raises(CommandError):
        call_command("import_entities", str(roster))
    spent.assert_within()
    assert reason in capsys.readouterr().err
    assert Entity.objects.count() == 0


@pytest.mark.django_db
def test_web_roster_import_refuses_bomb_quickly(bomb, client, city_admin):
    roster, _listing, reason = bomb
    client.force_login(city_admin)
    assert client.get(reverse("registry:entity_import")).status_code == 200  # code loaded
    upload = SimpleUploadedFile("名录.xlsx", roster.read_bytes())
    with Budget() as spent:
        response = client.post(reverse("registry:entity_import"), {"file": upload})
    spent.assert_within()
    job = Job.objects.get()
    assert response.status_code == 302 and job.status == Job.Status.FAILED
    page = client.get(reverse("core:job_detail", args=[job.pk])).content.decode()
    assert reason in page
    assert Entity.objects.count() == 0


@pytest.mark.django_db
def test_web_listing_import_refuses_bomb_quickly(bomb, client, admin_a):
    _roster, listing, reason = bomb
    client.force_login(admin_a)
    assert client.get(reverse("risk:listing_import")).status_code == 200  # code loaded
    upload = SimpleUploadedFile("清单.xlsx", listing.read_bytes())
    with Budget() as spent:
        response = client.post(reverse("risk:listing_import"), {"file": upload}, follow=True)
    spent.assert_within()
    assert reason in response.content.decode()
    assert KeyAreaListing.objects.count() == 0


def test_genuine_workbook_passes_and_its_claimed_size_is_reported(tmp_path):
    path = real_xlsx(tmp_path / "ok.xlsx", HEADERS, [["x"] * len(HEADERS)] * 3)
    assert xlsx_guard.check(path).claimed_rows == 4  # header + 3 rows, as <dimension> says


def test_shared_strings_counted_exactly_across_blocks(tmp_path, monkeypatch):
    """The limit is the table the sheets could reference; strings straddling the 1 MB reading
    blocks are counted once (a namespace prefix does not hide them)."""
    monkeypatch.setattr(xlsx_guard, "SHARED_STRINGS_SLACK", 0)
    monkeypatch.setattr(xlsx_guard, "MIN_CELL_BYTES", 1)
    sheet = b"<worksheet>" + b" " * 299_977 + b"</worksheet>"  # 300,000 bytes: as many strings

    def workbook(strings: int) -> Path:
        path = tmp_path / f"{strings}.xlsx"
        body = b"<x:sst>" + b"<x:si><x:t>ab</x:t></x:si>" * strings + b"</x:sst>"
        with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
            z.writestr("xl/worksheets/sheet1.xml", sheet)
            z.writestr("xl/sharedStrings.xml", body)
        return path

    xlsx_guard.check(workbook(300_000))
    with pytest.raises(xlsx_guard.XlsxRefused, match="共享字符串超过 300000 个"):
        xlsx_guard.check(workbook(300_001))


def test_not_a_zip_is_refused_in_chinese(tmp_path):
    path = tmp_path / "fake.xlsx"
    path.write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(xlsx_guard.XlsxRefused, match="无法读取 Excel 文件"):
        xlsx_guard.check(path)
