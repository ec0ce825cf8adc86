"""Demo data of testing-body supervision on the demo city (seed_demo): bodies in every state so
each page has something to show. Deterministic for a seed. Everything is written through the
services, as the system (user None), so the audit trail and the rules are the real ones.

- the qualification register from the roster's certificates (valid and expired), a few
  suspended, cancelled and revoked — one revoked for a false commitment (3-year bar) — and
  pending applications;
- commitment follow-ups of the past year: on time, late, overdue, not yet due, rectify, untrue;
- tracked changes, some found by monitoring and never reported;
- a monitoring plan per district this year (about 60% visited so far) and last year (every body
  visited), and the city's summary of last quarter;
- a scheme library (PT and blind samples), results around the assigned value (so some 可疑 and
  不满意), missed mandatory schemes, rectifications re-tested, failed and handled, overdue; appeals;
- capability assessments; online leads with targeted checks and handling (the 3万元 rule);
  typical cases; and one grading of every body.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal

import numpy as np
from django.db import transaction
from django.utils import timezone

from jianguan.catalog.models import Violation
from jianguan.org.models import Unit
from jianguan.personnel.models import Expert
from jianguan.registry.models import TESTING_FIELDS, Entity, TestingBody
from jianguan.testing import grades, proficiency, services
from jianguan.testing.models import (
    Aspect,
    BodyChange,
    FollowUp,
    MonitoringTarget,
    Qualification,
    Rectification,
    Route,
    add_months,
)

S = Qualification.Status
PLATFORMS = ("某电商平台", "某二手交易平台", "某本地生活平台", "某社交电商平台")
NAMES = ("王伟", "李娜", "张敏", "刘洋", "陈静", "杨帆", "赵磊", "黄丽", "周杰", "吴婷")
SCHEMES = [
    # number, name, kind, field, items, provider, required field, months before today (deadline)
    (
        "SH-PT-{y}-001",
        "食品中铅、镉的测定",
        "pt",
        "food_testing",
        "铅\n镉",
        "上海市计量测试技术研究院",
        "food_testing",
        8,
    ),
    (
        "SH-PT-{y}-002",
        "机动车尾气排放检测",
        "pt",
        "motor_vehicle",
        "CO\nHC\nNOx",
        "上海机动车检测认证技术研究中心",
        "motor_vehicle",
        6,
    ),
    (
        "SH-PT-{y}-003",
        "水中氨氮的测定",
        "pt",
        "eco_monitoring",
        "氨氮",
        "上海市环境监测中心",
        "eco_monitoring",
        4,
    ),
    (
        "SH-PT-{y}-004",
        "口罩细菌过滤效率",
        "pt",
        "epidemic_supplies",
        "细菌过滤效率",
        "上海市医疗器械检测所",
        "epidemic_supplies",
        3,
    ),
    (
        "SH-MY-{y}-001",
        "食品中铅的盲样考核",
        "blind",
        "food_testing",
        "铅",
        "上海市市场监督管理局",
        "",
        2,
    ),
    (
        "SH-PT-{y}-005",
        "建筑材料抗压强度比对",
        "pt",
        "construction",
        "抗压强度",
        "上海市建筑科学研究院",
        "",
        -2,
    ),
]


class Seeder:
    def __init__(self, seed: int = 1, today: dt.date | None = None):
        self.rng = np.random.default_rng(seed)
        self.today = today or timezone.localdate()
        self.made: Counter = Counter()

    def pick(self, rows: list, k: int) -> list:
        k = min(k, len(rows))
        return [rows[i] for i in sorted(self.rng.choice(len(rows), k, replace=False))] if k else []

    def day(self, back_min: int, back_max: int) -> dt.date:
        return self.today - dt.timedelta(days=int(self.rng.integers(back_min, back_max + 1)))

    @transaction.atomic
    def run(self) -> Counter:
        bodies = list(
            Entity.objects.filter(testing_body__isnull=False, status=Entity.Status.ACTIVE)
            .select_related("testing_body", "district", "station")
            .order_by("pk")
        )
        self.register(bodies)
        self.states(bodies)
        self.follow_ups(bodies)
        self.changes(bodies)
        self.monitoring(bodies)
        self.pt(bodies)
        self.assessments(bodies)
        self.leads(bodies)
        self.cases()
        grades.run(as_of=self.today, trigger="monthly")
        self.made["graded"] = len(bodies)
        return self.made

    # -- register ------------------------------------------------------------------------------

    def register(self, bodies: list[Entity]) -> None:
        known = set(Qualification.objects.values_list("entity_id", flat=True))
        recent = self.pick([b for b in bodies if b.pk not in known], max(20, len(bodies) // 25))
        recent_ids = {b.pk for b in recent}
        for b in bodies:
            if b.pk in known:
                continue
            tb: TestingBody = b.testing_body
            fields = tb.fields or TESTING_FIELDS.by_code["product_testing"]
            if b.pk in recent_ids:  # approved on commitment in the last year: followed up
                issued, route = self.day(10, 330), Route.COMMITMENT
            else:
                issued = tb.cert_issued_on or self.day(400, 2500)
                route = Route.COMMITMENT if tb.by_commitment else Route.REVIEW
                issued = min(issued, self.today - dt.timedelta(days=400))
            q = services.qualification_grant(
                user=None,
                entity=b,
                data={
                    "cert_no": tb.cert_no or f"{issued.year % 100:02d}09{b.pk:08d}",
                    "scope": tb.scope or "产品质量检验 / 外观 / GB/T 2828.1",
                    "fields": fields,
                    "issued_on": issued,
                    "route": route,
                },
            )
            if route == Route.COMMITMENT and b.pk not in recent_ids:
                # certificates of earlier years were followed up then: the record is complete
                f = q.follow_up
                FollowUp.objects.filter(pk=f.pk).update(
                    method=FollowUp.Method.DOCUMENT,
                    checked_on=min(f.due_on, self.today),
                    outcome=FollowUp.Outcome.TRUE,
                    findings="文件核查，承诺内容属实",
                )
            self.made["qualifications"] += 1
        self.recent = recent
        services.expire_due(self.today)

    def states(self, bodies: list[Entity]) -> None:
        valid = list(
            Qualification.objects.filter(status=S.VALID, entity__in=bodies)
            .exclude(entity__in=getattr(self, "recent", []))
            .select_related("entity")
        )
        chosen = self.pick(valid, 14)
        for q in chosen[:6]:
            services.qualification_status(
                user=None,
                qualification=q,
                status=S.SUSPENDED,
                on=self.day(5, 60),
                reason="综合能力考核不符合资质认定要求，暂停相关检验检测项目",
                decision_no="沪市监认暂〔2026〕号",
            )
            self.made["suspended"] += 1
        for q in chosen[6:9]:
            services.qualification_status(
                user=None,
                qualification=q,
                status=S.CANCELLED,
                on=self.day(5, 200),
                reason="机构申请注销",
            )
            self.made["cancelled"] += 1
        for q in chosen[9:11]:
            services.qualification_status(
                user=None,
                qualification=q,
                status=S.REVOKED,
                on=self.day(5, 200),
                reason="出具虚假检验检测报告，情节严重",
                decision_no="沪市监认撤〔2026〕1号",
            )
            self.made["revoked"] += 1
        for q in chosen[11:14]:  # applied again
            services.application_record(
                user=None,
                entity=q.entity,
                data={
                    "received_on": self.day(1, 20),
                    "route": Route.REVIEW,
                    "scope": q.scope,
                    "fields": q.fields,
                },
            )
            self.made["applications"] += 1

    # -- commitment follow-up ------------------------------------------------------------------

    def follow_ups(self, bodies: list[Entity]) -> None:
        open_ = list(
            FollowUp.objects.filter(outcome="", entity__in=bodies).select_related("qualification")
        )
        for i, f in enumerate(open_):
            if f.due_on >= self.today and i % 3 == 0:
                continue  # not yet due, pending
            if f.due_on < self.today and i % 5 == 1:
                self.made["follow_ups_overdue"] += 1
                continue  # overdue, still pending
            late = i % 7 == 2
            checked = min(
                self.today,
                f.due_on + dt.timedelta(days=20)
                if late
                else f.due_on - dt.timedelta(days=int(self.rng.integers(1, 60))),
            )
            checked = max(checked, f.qualification.issued_on)
            outcome = FollowUp.Outcome.TRUE
            if i % 11 == 3:
                outcome = FollowUp.Outcome.RECTIFY
            # Done on site needs the experts the draw assigned; the demo records these as
            # document checks (the on-site ones are left pending for the draw).
            FollowUp.objects.filter(pk=f.pk).update(method=FollowUp.Method.DOCUMENT)
            f.refresh_from_db()
            services.follow_up_record(
                user=None,
                follow_up=f,
                data={
                    "checked_on": checked,
                    "findings": "对照承诺事项核查人员、场地、设备和管理体系文件",
                    "outcome": outcome,
                    "rectify_by": checked + dt.timedelta(days=30)
                    if outcome == FollowUp.Outcome.RECTIFY
                    else None,
                },
            )
            self.made["follow_ups_done"] += 1
        self._false_commitment(bodies)

    def _false_commitment(self, bodies: list[Entity]) -> None:
        """One follow-up finds the commitment untrue: revoked, and barred for 3 years."""
        f = (
            FollowUp.objects.filter(outcome=FollowUp.Outcome.TRUE, entity__in=bodies)
            .order_by("-checked_on")
            .first()
        )
        if f is None:
            return
        FollowUp.objects.filter(pk=f.pk).update(
            outcome=FollowUp.Outcome.UNTRUE,
            findings="技术负责人不在岗，关键设备未配备，承诺内容不实",
        )
        q = f.qualification
        if q.status in Qualification.IN_FORCE:
            services.qualification_status(
                user=None,
                qualification=q,
                status=S.REVOKED,
                on=max(f.checked_on, q.status_on),
                reason="告知承诺内容不实",
                decision_no="沪市监认撤〔2026〕2号",
                false_commitment=True,
            )
            self.made["false_commitment"] += 1

    # -- changes and monitoring ------------------------------------------------------------------

    def changes(self, bodies: list[Entity]) -> None:
        kinds = list(BodyChange.Kind.values)
        for b in self.pick(bodies, max(30, len(bodies) // 8)):
            kind = kinds[int(self.rng.integers(len(kinds)))]
            after = {
                "legal_rep": NAMES[int(self.rng.integers(len(NAMES)))],
                "tech_director": NAMES[int(self.rng.integers(len(NAMES)))],
                "signatory": NAMES[int(self.rng.integers(len(NAMES)))],
                "site": f"{b.district.short_name}某路{int(self.rng.integers(1, 999))}号",
                "equipment": "新增电感耦合等离子体质谱仪 1 台",
                "scope": "新增 食品 / 镉 / GB 5009.15",
            }[kind]
            services.change_record(
                user=None,
                entity=b,
                data={
                    "kind": kind,
                    "after": after,
                    "changed_on": self.day(10, 300),
                    "source": "reported",
                },
            )
            self.made["changes"] += 1

    def monitoring(self, bodies: list[Entity]) -> None:
        districts = Unit.objects.filter(kind=Unit.Kind.DISTRICT, active=True)
        for year, share in ((self.today.year - 1, 1.0), (self.today.year, 0.6)):
            for d in districts:
                plan = services.monitoring_plan_create(
                    user=None,
                    district=d,
                    year=year,
                    title=f"{year}年度{d.name}检验检测机构风险监测计划",
                    note="重点关注人员、场地、仪器设备的变化和检验检测活动的基本合规性。",
                )
                targets = list(
                    MonitoringTarget.objects.filter(plan=plan).select_related("entity", "plan")
                )
                for t in self.pick(targets, round(len(targets) * share)):
                    self._visit(t, year)
                self.made["plans"] += 1

    def _visit(self, target: MonitoringTarget, year: int) -> None:
        end = min(self.today, dt.date(year, 12, 31))
        start = dt.date(year, 1, 2)
        span = max((end - start).days, 1)
        day = start + dt.timedelta(days=int(self.rng.integers(0, span)))
        r = self.rng.random()
        aspects = {
            "staff": Aspect.OK,
            "site": Aspect.OK,
            "equipment": Aspect.OK,
            "compliance": Aspect.OK,
        }
        changes = []
        if r < 0.08:
            aspects["staff"] = Aspect.UNREPORTED
            changes = [
                {
                    "kind": "tech_director",
                    "after": NAMES[int(self.rng.integers(len(NAMES)))],
                    "changed_on": day - dt.timedelta(days=40),
                    "note": "风险监测时发现",
                }
            ]
        elif r < 0.14:
            aspects["equipment"] = Aspect.PROBLEM
        elif r < 0.18:
            aspects["compliance"] = Aspect.PROBLEM
        services.monitoring_visit_record(
            user=None,
            target=target,
            data={
                **aspects,
                "visited_on": day,
                "inspectors": "、".join(self.pick(list(NAMES), 2)),
                "findings": "原始记录不完整，已当场要求整改"
                if aspects["compliance"] == Aspect.PROBLEM
                else "",
            },
            changes=changes,
        )
        self.made["visits"] += 1

    # -- proficiency testing -------------------------------------------------------------------

    def pt(self, bodies: list[Entity]) -> None:
        by_field: dict[str, list[Entity]] = {}
        for b in bodies:
            for code in TESTING_FIELDS.codes(b.testing_body.fields):
                by_field.setdefault(code, []).append(b)
        for number, name, kind, field, items, provider, required, months in SCHEMES:
            deadline = add_months(self.today, -months)
            scheme = proficiency.scheme_save(
                user=None,
                data={
                    "number": number.format(y=deadline.year),
                    "name": name,
                    "kind": kind,
                    "field": field,
                    "items": items,
                    "year": deadline.year,
                    "provider": provider,
                    "deadline": deadline,
                    "required_fields": TESTING_FIELDS.by_code[required] if required else 0,
                    "active": True,
                },
            )
            if months < 0:
                continue  # still open: no results yet
            members = [
                b
                for b in by_field.get(field, [])
                if Qualification.objects.filter(
                    entity=b, status__in=Qualification.IN_FORCE
                ).exists()
            ]
            participants = (
                self.pick(members, int(len(members) * 0.9))
                if kind == "pt"
                else self.pick(members, 8)
            )
            reported = min(self.today, deadline + dt.timedelta(days=20))
            for b in participants:
                for item in scheme.item_list:
                    self._result(scheme, b, item, reported)
            if scheme.required_fields:
                self.made["missed"] += proficiency.record_missed(
                    user=None, scheme=scheme, today=self.today
                )
        self._rectifications()

    def _result(self, scheme, body, item, reported: dt.date) -> None:
        assigned = Decimal(str(round(float(self.rng.uniform(1, 100)), 2)))
        sigma = (assigned * Decimal("0.05")).quantize(Decimal("0.001"))
        z = float(self.rng.standard_t(6)) * 0.9
        x = (assigned + sigma * Decimal(str(round(z, 3)))).quantize(Decimal("0.0001"))
        r = proficiency.result_record(
            user=None,
            entity=body,
            data={
                "scheme": scheme,
                "item": item,
                "x": x,
                "assigned": assigned,
                "sigma": sigma,
                "reported_on": reported,
            },
        )
        self.made[f"pt_{r.grade}"] += 1

    def _rectifications(self) -> None:
        for i, r in enumerate(
            Rectification.objects.filter(status=Rectification.Status.OPEN)
            .select_related("result")
            .order_by("pk")
        ):
            res = r.result
            if i % 6 == 0:  # appealed within days of the notification
                proficiency.appeal_file(
                    user=None,
                    result=res,
                    reason="对指定值有异议，申请复核",
                    filed_on=min(self.today, res.reported_on + dt.timedelta(days=3)),
                )
                self.made["appeals"] += 1
            if r.due_on >= self.today:
                continue
            if i % 3 == 0:
                continue  # overdue, not yet handled
            good = i % 3 == 1
            x = (res.assigned + (res.sigma if good else res.sigma * Decimal("3.5"))).quantize(
                Decimal("0.0001")
            )
            on = min(self.today, r.due_on - dt.timedelta(days=5))
            r = proficiency.retest(user=None, rectification=r, x=x, on=max(on, r.ordered_on))
            if r.status == Rectification.Status.FAILED:
                proficiency.handle(
                    user=None,
                    rectification=r,
                    data={
                        "measure": "order",
                        "decided_on": self.today,
                        "violation": None,
                        "facts": "能力验证整改后仍不满意，责令限期改正并暂停相关项目",
                        "public": True,
                    },
                )
            self.made["retests"] += 1

    # -- assessments, leads, cases -------------------------------------------------------------

    def assessments(self, bodies: list[Entity]) -> None:
        experts = list(Expert.objects.filter(active=True)[:30])
        key = [
            b
            for b in bodies
            if b.testing_body.fields
            & TESTING_FIELDS.mask(("motor_vehicle", "eco_monitoring", "food_testing"))
        ]
        for i, b in enumerate(self.pick(key, 30)):
            conclusion = ("pass", "pass", "pass", "rectify", "fail")[i % 5]
            held = self.day(20, 300)
            a = services.assessment_record(
                user=None,
                entity=b,
                data={
                    "held_on": held,
                    "field": TESTING_FIELDS.codes(b.testing_body.fields)[0],
                    "exam_score": Decimal(int(self.rng.integers(55, 99))),
                    "practical_score": Decimal(int(self.rng.integers(50, 99))),
                    "equipment": "ok",
                    "site": "ok",
                    "reports": "minor" if conclusion != "pass" else "ok",
                    "system": "fail" if conclusion == "fail" else "ok",
                    "findings": ""
                    if conclusion == "pass"
                    else "部分原始记录不可追溯；内部审核未覆盖全部要素",
                    "conclusion": conclusion,
                    "rectify_by": held + dt.timedelta(days=60) if conclusion != "pass" else None,
                },
                experts=self.pick(experts, 2),
            )
            if conclusion == "rectify" and a.rectify_by < self.today and i % 2:
                services.assessment_rectified(user=None, assessment=a, on=a.rectify_by)
            self.made["assessments"] += 1

    def leads(self, bodies: list[Entity]) -> None:
        fake = Violation.objects.get(code="JC11")
        for i, b in enumerate(self.pick(bodies, 10)):
            lead = services.lead_record(
                user=None,
                data={
                    "district": b.district,
                    "platform": PLATFORMS[i % len(PLATFORMS)],
                    "url": f"https://shop.example.cn/item/{100000 + i}",
                    "seller": b.name if i % 2 else f"{b.district.short_name}某检测代办店",
                    "entity": b if i % 2 else None,
                    "kind": "fake_report"
                    if i % 3 == 1
                    else ("unqualified", "impersonation", "false_ad")[i % 3],
                    "evidence": f"页面截图及订单记录（存证编号 CZ{2026000 + i}）",
                    "found_on": self.day(5, 120),
                },
            )
            self.made["leads"] += 1
            if i % 3 == 2:
                services.lead_close(
                    user=None,
                    lead=lead,
                    status="closed",
                    note="核查为正常的检测委托代理，无违法行为",
                )
                continue
            if i % 3 == 0:
                continue  # still new
            check = services.lead_to_check(
                user=None, lead=lead, entity=b, due_on=self.today + dt.timedelta(days=30)
            )
            if i % 2:
                services.targeted_check_record(
                    user=None,
                    check=check,
                    data={
                        "checked_on": self.today,
                        "inspectors": "王伟、李娜",
                        "result": "violation",
                        "violation": fake,
                        "findings": "网店销售的检验检测报告未经检验出具",
                    },
                )
                services.handling_record(
                    user=None,
                    entity=b,
                    data={
                        "source": "targeted",
                        "violation": fake,
                        "measure": "penalty",
                        "decided_on": self.today,
                        "decision_no": f"沪市监处〔{self.today.year}〕{30 + i}号",
                        "facts": "出具虚假检验检测报告，处罚款3万元",
                        "public": True,
                    },
                )
                self.made["penalties"] += 1

    def cases(self) -> None:
        fake, uncal = Violation.objects.get(code="JC11"), Violation.objects.get(code="JC22")
        for title, name, v, summary, outcome in [
            (
                "某检测技术公司未经检验出具机动车排放检测报告案",
                "上海某机动车检测有限公司",
                fake,
                "执法人员检查发现，当事人在未实际上线检测的情况下，为 12 辆机动车出具了排放检验合格报告。",
                "依据《检验检测机构监督管理办法》第二十六条，责令改正，处罚款3万元，并依法撤销其资质认定证书。",
            ),
            (
                "某环境监测公司使用未经校准仪器出具报告案",
                "上海某环境监测技术有限公司",
                uncal,
                "当事人使用校准有效期已过的气相色谱仪开展检测并出具报告 36 份。",
                "责令限期改正，处罚款3万元。",
            ),
        ]:
            services.typical_case_save(
                user=None,
                data={
                    "title": title,
                    "entity_name": name,
                    "violation": v,
                    "summary": summary,
                    "outcome": outcome,
                    "published_on": self.day(10, 90),
                    "published": True,
                },
            )
            self.made["cases"] += 1
        services.monitoring_summary_issue(
            user=None,
            title=f"{self.today.year}年上半年检验检测机构风险监测情况通报",
            start=dt.date(self.today.year, 1, 1),
            end=self.today,
            note="各区应于年底前实现辖区内检验检测机构风险监测全覆盖；对监测发现的未报告变更，依法督促机构办理变更手续。",
        )
