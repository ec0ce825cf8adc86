"""Demo data (seed_demo): a synthetic Shanghai that looks real and is the same for the same seed.

Rules checked: every code is a valid, unique USCC (GB 32100-2015) with a real GB/T 2260 region and
the category of its entity type; every entity's station is in its district; testing bodies carry
qualification data valid 6 years (seed 001); risk classes ~55/30/12/3 and key tiers ~2/8 (the draw
stratifies by them); inspectors belong to stations/teams and some certificates have expired;
conflict declarations exist; --if-empty does nothing on a filled roster; --to-file writes the
import format.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import stat
from collections import Counter

import numpy as np
import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.db.models import F
from openpyxl import load_workbook

from jianguan.core import uscc
from jianguan.demo import city as demo
from jianguan.demo import load as demo_load
from jianguan.demo.city import DemoCity
from jianguan.org import units
from jianguan.org.models import Unit
from jianguan.personnel.models import ConflictDeclaration, Expert, Inspector
from jianguan.registry import models as registry_models
from jianguan.registry.models import DOMAINS, Entity

TODAY = dt.date(2026, 11, 23)
N = 2000
CATEGORY = {"enterprise": "1", "individual": "2", "cooperative": "3", "other": "1"}
REGIONS = {d[3] for d in units.DISTRICTS if d[3]}  # 临港, 机场: 310115 / 310112, already in


def city(seed: int = 1, n: int = N, chunk_size: int = 700) -> DemoCity:
    return DemoCity(n, seed=seed, today=TODAY, chunk_size=chunk_size)


@pytest.fixture(scope="module")
def generated():
    c = city()
    chunks = list(c.entity_chunks())
    cols = {k: np.concatenate([ch.cols[k] for ch in chunks]) for k in chunks[0].cols}
    testing = {k: np.concatenate([ch.testing[k] for ch in chunks]) for k in chunks[0].testing}
    testing["offset"] = np.concatenate([ch.start + ch.testing["offset"] for ch in chunks])
    return c, cols, testing, c.people()


# -- the generator (no database) ----------------------------------------------------------------


def test_codes_are_valid_unique_and_match_region_and_type(generated):
    _, cols, _, _ = generated
    codes = cols["uscc"].tolist()
    assert [uscc.validate(code) for code in codes] == codes
    assert len(set(codes)) == N
    assert {code[2:8] for code in codes} <= REGIONS
    assert cols["region_code"].tolist() == [code[2:8] for code in codes]
    assert all(
        code[:2] == "9" + CATEGORY[t]
        for code, t in zip(codes, cols["entity_type"].tolist(), strict=True)
    )


def test_codes_stay_unique_at_scale():
    c = DemoCity(300_000, seed=7, today=TODAY)
    codes = np.concatenate([ch.cols["uscc"] for ch in c.entity_chunks()])
    assert len(np.unique(codes)) == len(codes)
    assert uscc.validate_bulk(codes.tolist()).all()


def test_same_seed_same_data_other_seed_other_data():
    assert city(1).digest() == city(1).digest()
    assert city(1).digest() != city(2).digest()


def test_mix_of_types_statuses_risk_and_tiers(generated):
    _, cols, _, _ = generated
    share = {k: v / N for k, v in Counter(cols["entity_type"].tolist()).items()}
    assert 0.58 < share["enterprise"] < 0.75 and 0.26 < share["individual"] < 0.40
    assert np.mean(cols["status"] == "active") == pytest.approx(0.92, abs=0.03)
    risk = Counter(cols["risk_class"].tolist())
    assert [risk[k] / N for k in "ABCD"] == pytest.approx([0.55, 0.30, 0.12, 0.03], abs=0.01)
    tiers = Counter(cols["key_tier"].tolist())
    assert tiers["special"] / N == pytest.approx(0.02, abs=0.005)
    assert tiers["general"] / N == pytest.approx(0.08, abs=0.01)


def test_risk_and_tiers_follow_domains(generated):
    _, cols, _, _ = generated
    risky = (cols["domains"] & DOMAINS.mask(["drug", "special_equipment", "food"])) > 0
    high = np.isin(cols["risk_class"], ["C", "D"])
    assert high[risky].mean() > high[~risky].mean()
    keyed = cols["key_tier"] != ""
    key_domains = (cols["domains"] & DOMAINS.mask(demo.V.KEY_WEIGHT)) > 0
    assert key_domains[keyed].all()
    assert (cols["status"][keyed] == "active").all()


def test_domains_follow_industry(generated):
    _, cols, _, _ = generated
    codes, domains = cols["industry_code"], cols["domains"]
    catering = np.strings.startswith(codes, "62")
    assert ((domains[catering] & DOMAINS.by_code["food"]) > 0).all()
    enterprise = cols["entity_type"] == "enterprise"
    assert ((domains[enterprise] & DOMAINS.by_code["public_info"]) > 0).all()


def test_testing_bodies_have_qualification_data(generated):
    c, cols, testing, _ = generated
    assert len(testing["offset"]) == demo.testing_body_count(N) == len(c.testing_bodies)
    assert (testing["fields"] > 0).all()
    issued, expires = testing["cert_issued_on"], testing["cert_expires_on"]
    years = expires.astype("datetime64[Y]").astype(int) - issued.astype("datetime64[Y]").astype(int)
    assert (years == 6).all()
    today = np.datetime64(TODAY)
    assert (expires < today).any() and (expires >= today).any()
    assert len(set(testing["cert_no"].tolist())) == len(testing["cert_no"])
    assert 0.05 < testing["by_commitment"].mean() < 0.4
    assert set(cols["industry_code"][testing["offset"]].tolist()) <= {"7452", "7453", "7461"}


def test_inspectors_belong_to_stations_and_some_certificates_expired(generated):
    _, _, _, people = generated
    codes = {p["unit"] for p in people.inspectors}
    for d, (code, *_rest, stations) in enumerate(units.DISTRICTS):
        mine = {units.station_code(code, s + 1) for s in range(len(stations))} | {
            units.team_code(code)
        }
        assert {p["unit"] for p in people.inspectors if p["district"] == d} <= mine
    assert len(codes) > 150
    expired = sum(p["cert_expires_on"] < TODAY for p in people.inspectors)
    assert 0 < expired < 0.12 * len(people.inspectors)
    assert all(1 <= len(p["expertise"]) <= 3 for p in people.inspectors)
    assert len({p["staff_no"] for p in people.inspectors}) == len(people.inspectors)


def test_conflicts_between_people_and_entities(generated):
    c, _, _, people = generated
    kinds = Counter(x["kind"] for x in people.conflicts)
    assert kinds["inspector"] >= 200 and kinds["expert"] > 0
    bodies = {b.index for b in c.testing_bodies}
    for x in people.conflicts:
        if x["kind"] == "expert" and x["reason"] == "本人工作单位":
            assert x["entity"] in bodies
            assert people.experts[x["person"]]["employer_index"] == x["entity"]


# -- the command --------------------------------------------------------------------------------


@pytest.fixture
def var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    return tmp_path


def seed(**options):
    call_command("seed_demo", entities=N, seed=options.pop("seed", 1), today=TODAY, **options)


def db_digest() -> str:
    rows = Entity.objects.order_by("uscc").values_list(
        "uscc",
        "name",
        "entity_type",
        "region_code",
        "district__code",
        "station__code",
        "address",
        "industry_code",
        "status",
        "established_on",
        "capital_wan",
        "legal_rep",
        "domains",
        "key_tier",
        "risk_class",
        "testing_body__cert_no",
        "testing_body__fields",
    )
    people = Inspector.objects.order_by("staff_no").values_list(
        "staff_no", "name", "unit__code", "cert_expires_on"
    )
    return hashlib.sha256(repr((list(rows), list(people))).encode()).hexdigest()


@pytest.mark.django_db
def test_seed_writes_a_consistent_roster(var_dir):
    seed()
    assert Entity.objects.count() == N
    assert not Entity.objects.exclude(station__district=F("district")).exists()
    assert set(Entity.objects.values_list("region_code", flat=True)) <= REGIONS
    for entity in Entity.objects.select_related("station", "district")[::97]:
        entity.full_clean()
    bodies = registry_models.TestingBody.objects.select_related("entity")
    assert bodies.count() == demo.testing_body_count(N)
    assert all(b.fields and "检验检测机构" in b.entity.domain_labels for b in bodies)
    inspectors = Inspector.objects.select_related("unit")
    assert {i.unit.kind for i in inspectors} == {Unit.Kind.STATION, Unit.Kind.TEAM}
    assert inspectors.filter(cert_expires_on__lt=TODAY).exists()
    assert Inspector.expertise.through.objects.count() >= inspectors.count()
    assert Expert.objects.exclude(employer_uscc="").exists()
    assert ConflictDeclaration.objects.filter(inspector__isnull=False).exists()
    assert ConflictDeclaration.objects.filter(expert__isnull=False).exists()


@pytest.mark.django_db
def test_accounts_share_one_stored_password(var_dir):
    out = io.StringIO()
    seed(stdout=out)
    path = var_dir / demo_load.PASSWORD_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    password = path.read_text().strip()
    assert f"用户名 admin / 密码 {password}" in out.getvalue()
    admin = authenticate(username="admin", password=password)
    assert admin and admin.role == "city_admin"
    district = authenticate(username="admin_lingang", password=password)
    assert district.unit.code == "LINGANG" and district.role == "district_admin"
    inspector = authenticate(username="inspector_310101", password=password)
    assert inspector.inspector.unit == inspector.unit and inspector.unit.district.code == "310101"
    assert inspector.inspector.qualified_on(TODAY)


@pytest.mark.django_db
def test_if_empty_does_nothing_on_a_filled_roster(var_dir):
    seed()
    before = db_digest()
    seed(if_empty=True, seed=2)
    assert db_digest() == before
    with pytest.raises(CommandError, match="名录库已有数据"):
        seed(seed=2)


@pytest.mark.django_db
def test_reset_with_same_seed_gives_same_rows(var_dir):
    seed(seed=5)
    first = db_digest()
    seed(seed=6, reset=True)
    assert db_digest() != first
    seed(seed=5, reset=True)
    assert db_digest() == first
    assert Entity.objects.count() == N


@pytest.mark.django_db
def test_a_failed_reset_keeps_the_old_roster(var_dir, monkeypatch):
    seed(seed=5)
    before = db_digest()

    def fail(*args):
        raise RuntimeError("boom")

    monkeypatch.setattr(demo_load, "_write_users", fail)
    with pytest.raises(RuntimeError):
        seed(seed=6, reset=True)
    assert db_digest() == before


@pytest.mark.django_db
def test_ids_keep_counting_after_seed(var_dir, make_entity):
    # Rows were written with explicit ids: the sequences must have moved past them.
    seed()
    entity = make_entity()
    assert entity.pk > Entity.objects.exclude(pk=entity.pk).order_by("-pk").first().pk


def test_to_file_csv_has_import_headers_and_every_entity(tmp_path):
    path = tmp_path / "demo.csv"
    call_command("seed_demo", entities=N, today=TODAY, to_file=path)
    with path.open(encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))
    assert rows[0] == demo_load.FILE_HEADERS
    assert len(rows) == N + 1
    first = dict(zip(rows[0], rows[1], strict=True))
    assert uscc.is_valid(first["统一社会信用代码"])
    assert first["所属区"] in {d[2] for d in units.DISTRICTS}
    assert first["所属所"].startswith(first["所属区"]) and first["所属所"].endswith("市场监管所")
    assert first["主体类型"] in {str(t.label) for t in Entity.Type}
    assert any(r[11] and "企业公示信息" in r[11].split("；") for r in rows[1:])
    assert {r[12] for r in rows[1:]} == {"", "特殊重点", "一般重点"}


def test_to_file_xlsx(tmp_path):
    path = tmp_path / "demo.xlsx"
    call_command("seed_demo", entities=300, today=TODAY, to_file=path)
    sheet = load_workbook(path, read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == demo_load.FILE_HEADERS
    assert len(rows) == 301


@pytest.mark.django_db
def test_station_names_in_file_are_real_units(tmp_path):
    path = tmp_path / "demo.csv"
    call_command("seed_demo", entities=300, today=TODAY, to_file=path)
    with path.open(encoding="utf-8-sig") as f:
        stations = {row["所属所"] for row in csv.DictReader(f)}
    assert stations <= set(
        Unit.objects.filter(kind=Unit.Kind.STATION).values_list("name", flat=True)
    )
