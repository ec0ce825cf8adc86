"""The public portal's pages: no login, published data only (issue 4 point 5, DOMAIN.md
"Double random, one public" and "Credit lists": risk classes are internal, nothing unpublished,
no staff names)."""

import csv
import re

import pytest
from django.test import Client
from django.urls import reverse

from .builders import SECRET_TEXTS

pytestmark = pytest.mark.django_db


def html(url, **params):
    response = Client().get(url, params)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def entity_page(entity):
    return html(reverse("portal:entity_detail", kwargs={"uscc": entity.uscc}))


FORBIDDEN = [
    *SECRET_TEXTS.values(),
    "风险分类",
    "D类",
    "高风险",
    "特殊重点",
    "重点领域",
    "risk",
]


def assert_nothing_internal(text):
    for word in FORBIDDEN:
        assert word not in text, word


def test_published_result_is_shown_with_authority_date_task_item(portal_world):
    """Issue 4 point 5: an entity's published check results (authority, date, items, result)."""
    w = portal_world
    text = entity_page(w.published_entity)
    assert w.published_entity.name in text and w.published_entity.uscc in text
    assert "存续" in text and w.published_entity.address in text
    r = w.result
    for value in (r.authority, "2026-06-03", r.task_title, r.item, r.code_text):
        assert value in text, value
    assert_nothing_internal(text)


def test_withdrawn_result_is_shown_as_withdrawn_without_result(portal_world):
    """Issue 4 point 3: a withdrawal is itself recorded and shown (date and reason, no result)."""
    w = portal_world
    text = entity_page(w.withdrawn_entity)
    assert "已撤回" in text and w.withdrawn.withdrawal_reason in text
    assert w.withdrawn.withdrawn_at.astimezone().strftime("%Y-%m-%d") in text
    assert w.withdrawn.code_text not in text  # 未发现问题 was withdrawn: not shown
    assert_nothing_internal(text)


@pytest.mark.parametrize("which", ["unchecked_entity", "nonpublic_entity", "unpublished_entity"])
def test_no_result_at_all_unless_published(portal_world, which):
    """Issue 4 point 5: drawn-but-unchecked, non-public by law, or not yet published → no result
    at all, never a default such as 未发现问题."""
    text = entity_page(getattr(portal_world, which))
    assert "暂无已公示的抽查检查结果" in text
    for code in ("未发现问题", "发现问题", "检查结果："):
        assert code not in text, code
    assert_nothing_internal(text)


def test_active_listing_is_shown(portal_world):
    """DOMAIN.md "Credit lists": the business-abnormal list is public while the listing is in force."""
    text = entity_page(portal_world.listed_entity)
    assert "经营异常名录" in text and "2025-07-10" in text and "黄市监异〔2025〕7号" in text


def test_search_by_name_lists_entities_without_internals(portal_world):
    """Issue 4 point 5: search by name (substring); no internal field in the list."""
    text = html(reverse("portal:search"), q="公示测试企业0")
    assert portal_world.entities[0].name in text and "共找到" in text
    assert_nothing_internal(text)


def test_search_by_normalised_uscc_goes_to_the_entity(portal_world):
    """DOMAIN.md: a USCC typed with spaces and lower case is the same code."""
    code = portal_world.published_entity.uscc
    typed = f"{code[:4].lower()} {code[4:10]} {code[10:].lower()}"
    response = Client().get(reverse("portal:search"), {"q": typed})
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:entity_detail", kwargs={"uscc": code})
    # and the lower-case address redirects to the one spelling
    response = Client().get(reverse("portal:entity_detail", kwargs={"uscc": code.lower()}))
    assert response.status_code == 302 and response["Location"].endswith(f"/{code}/")


def test_bad_check_character_gets_a_clear_message(portal_world):
    """GB 32100-2015 check character; ENGINEERING: every user mistake gets a clear Chinese message."""
    code = portal_world.published_entity.uscc
    wrong = code[:17] + ("0" if code[17] != "0" else "1")
    text = html(reverse("portal:search"), q=wrong)
    assert "校验位错误" in text and f"第18位应为“{code[17]}”" in text


def test_unknown_code_says_not_found(portal_world):
    """A valid code that is not in the roster: said so, not an error page."""
    from jianguan.core import uscc

    text = html(reverse("portal:search"), q=uscc.compose("91310101MA9999999"))
    assert "未找到统一社会信用代码为" in text


def test_pages_need_no_javascript_and_no_staff_navigation(portal_world):
    """Issue 4 point 5: pages that work without JavaScript — plain GET forms, no <script>."""
    w = portal_world
    urls = [
        reverse("portal:search"),
        reverse("portal:search") + "?q=公示测试企业",
        reverse("portal:entity_detail", kwargs={"uscc": w.published_entity.uscc}),
        reverse("portal:task_list"),
        reverse("portal:task_detail", kwargs={"pk": w.task.pk}),
        reverse("portal:draw_verify", kwargs={"pk": w.draw.pk}),
    ]
    for url in urls:
        text = html(url)
        assert "<script" not in text, url
        # its own base, not the staff one (no navigation, no logout form, no Bootstrap)
        assert "主导航" not in text and reverse("logout") not in text, url
        assert "bootstrap" not in text and "portal.css" in text, url
        assert_nothing_internal(text)
    form = re.search(r"<form[^>]*>", html(reverse("portal:search"))).group(0)
    assert 'method="get"' in form


def test_published_tasks_only(portal_world):
    """Issue 4 point 5: list published tasks; a pending one is not listed and its page is 404."""
    w = portal_world
    text = html(reverse("portal:task_list"))
    assert w.task.title in text and w.pending_task.title not in text
    assert (
        Client().get(reverse("portal:task_detail", kwargs={"pk": w.pending_task.pk})).status_code
        == 404
    )


def test_task_page_counts_results_and_offers_the_proof(portal_world):
    """Issue 4 point 5: each published draw's proof package and how to verify it."""
    w = portal_world
    text = html(reverse("portal:task_detail", kwargs={"pk": w.task.pk}))
    assert "1 条" in text and "另有 1 条已撤回" in text
    assert reverse("portal:draw_proof", kwargs={"pk": w.draw.pk}) in text
    assert w.draw.commitment in text
    assert_nothing_internal(text)


def test_proof_package_of_a_published_task_verifies(portal_world, tmp_path):
    """docs/draw-protocol.md: the package downloaded from the portal verifies with the
    standard-library verifier (tools/verify_draw.py, also served by the portal)."""
    import io
    import subprocess
    import sys
    import zipfile

    w = portal_world
    response = Client().get(reverse("portal:draw_proof", kwargs={"pk": w.draw.pk}))
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))).extractall(tmp_path)
    tool = Client().get(reverse("portal:verifier"))
    (tmp_path / "verify_draw.py").write_bytes(b"".join(tool.streaming_content))
    done = subprocess.run(  # noqa: S603 (our own interpreter and the file the portal served)
        [sys.executable, str(tmp_path / "verify_draw.py"), str(tmp_path / f"draw-{w.draw.pk}")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "验证通过" in done.stdout
    verify = html(reverse("portal:draw_verify", kwargs={"pk": w.draw.pk}))
    assert "python3 tools/verify_draw.py" in verify and f"draw-{w.draw.pk}" in verify


def test_the_public_proof_reveals_no_class_tier_or_staff_id(portal_world, tmp_path):
    """Issue 11 item 7: the proof the portal hands out carries no risk class, no key tier (no
    certain column) and no stable staff id — persons under per-draw pseudonyms, conflict reasons
    left out; the full files are bound by digest. Grepped file by file."""
    import io
    import zipfile

    from jianguan.personnel.models import Inspector
    from jianguan.sampling import protocol

    w = portal_world
    response = Client().get(reverse("portal:draw_proof", kwargs={"pk": w.draw.pk}))
    zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))).extractall(tmp_path)
    folder = tmp_path / f"draw-{w.draw.pk}"
    names = sorted(p.name for p in folder.iterdir())
    assert names == sorted(
        ["proof.json", "targets.public.csv", "inspectors.csv", "experts.csv"]
        + ["exclusions.public.csv", "result.public.csv"]
    )
    assert protocol.verify(folder) == []
    entities = [v.entity for v in w.draw.visits.select_related("entity")]
    assert {(e.risk_class, e.key_tier) for e in entities} == {("D", "special")}  # 特殊重点
    people = list(Inspector.objects.all())
    for path in folder.iterdir():
        text = path.read_text("utf-8")
        header = text.splitlines()[0]
        for column in ("risk_class", "certain", "stratum", "reason", "staff_id"):
            assert column not in header, (path.name, column)
        for person in people:
            assert person.staff_no not in text and person.name not in text, path.name
        if path.suffix == ".csv":
            fields = {f for line in text.splitlines() for f in line.replace(";", ",").split(",")}
            assert not {str(p.pk) for p in people} & fields, path.name  # no database id
            assert not {"D", "1", "0", "special"} & fields, path.name  # no class, no tier flag
    proof = (folder / "proof.json").read_text("utf-8")
    assert not any(e.uscc in proof for e in entities) and "secret" in proof


def test_no_proof_for_an_unpublished_task(portal_world):
    """Proof packages are handed out only for draws of published tasks."""
    draw = portal_world.pending_task.draws.get()
    for name in ("portal:draw_proof", "portal:draw_verify"):
        assert Client().get(reverse(name, kwargs={"pk": draw.pk})).status_code == 404


def test_unknown_entity_is_a_portal_404(portal_world):
    """The portal's own Chinese 404 page (not the staff base)."""
    from jianguan.core import uscc

    response = Client().get(
        reverse("portal:entity_detail", kwargs={"uscc": uscc.compose("91310101MA9999998")})
    )
    assert response.status_code == 404
    assert "未找到该统一社会信用代码对应的市场主体" in response.content.decode()


def _targets_classes(draw) -> set[str]:
    from jianguan.sampling.services import draw_dir

    with open(draw_dir(draw) / "targets.csv", encoding="utf-8", newline="") as f:
        return {row["risk_class"] for row in csv.DictReader(f)}


def test_a_draw_not_by_class_publishes_no_class(portal_world):
    """DOMAIN.md "Credit lists": risk classes are internal. A draw whose rules do not read them
    writes the roster's class column empty, so its public proof package reveals none."""
    w = portal_world
    assert {e.risk_class for e in w.entities} - {""}, "the world's entities have classes"
    assert _targets_classes(w.draw) == {""}


def test_a_draw_by_class_keeps_its_proof_internal(portal_world):
    """DOMAIN.md "Credit lists": risk classes are internal. A draw with a ratio per class needs
    the classes in its roster to be verified, so the portal offers no package for it: no link,
    the download answers 404, the API gives no proof_url. Staff keep it (sampling pages)."""
    from jianguan.planning.services import task_save
    from jianguan.publication.models import Publication
    from jianguan.sampling import services as sampling

    w = portal_world
    definition = dict(w.task.definition, title="按信用分级抽取的任务")
    definition["sampling"] = dict(definition["sampling"], class_ratios=dict.fromkeys("ABCD", "1"))
    task = task_save(w.admin, definition=definition)
    draw = sampling.execute(sampling.commit(task, user=w.admin), user=w.admin)
    assert draw.status == draw.Status.DRAWN
    assert _targets_classes(draw) - {""}, "the class column is needed to verify this draw"
    Publication.objects.create(
        task=task,
        district=task.district,
        finished_on=w.publication.finished_on,
        deadline=w.publication.deadline,
        status=Publication.Status.PUBLISHED,
        published_at=w.publication.published_at,
    )

    text = html(reverse("portal:task_detail", kwargs={"pk": task.pk}))
    assert reverse("portal:draw_proof", kwargs={"pk": draw.pk}) not in text
    assert "内部信用分级" in text
    assert Client().get(reverse("portal:draw_proof", kwargs={"pk": draw.pk})).status_code == 404
    body = Client().get(f"/api/public/tasks/{task.pk}").json()
    assert body["draws"][0]["proof_url"] is None
    assert_nothing_internal(text)
