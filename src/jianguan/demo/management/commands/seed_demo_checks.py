"""seed_demo_checks: on the demo city (seed_demo), two 黄浦区 tasks drawn with the real services;
the first recorded, confirmed and published, the second waiting for its inspectors.

Everything goes through the services a user's clicks would call (task_save, plan_file and
plan_approve, sampling.commit and execute, inspections.record and confirm, publication.publish),
as the users who would act: admin_310101 plans, draws and publishes, admin approves the plan,
each visit's own team members record and confirm ("谁检查、谁录入"). Team members without a login
get a demo login, inspector_<工号>, with the demo password.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter
from fractions import Fraction

from django.contrib.auth.hashers import make_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from jianguan.core import audit
from jianguan.demo import checks as demo
from jianguan.demo import load as demo_load
from jianguan.inspections import selectors
from jianguan.inspections import services as inspections
from jianguan.inspections.models import FollowUp, Result
from jianguan.org.models import User
from jianguan.personnel.models import Inspector
from jianguan.planning import services as planning
from jianguan.planning.models import Plan, Task
from jianguan.planning.rules import DefinitionError
from jianguan.publication import services as publication
from jianguan.publication.models import Publication
from jianguan.sampling import services as sampling
from jianguan.sampling.models import Draw, Visit, VisitMember
from jianguan.sampling.protocol import RuleError

ADMIN = "admin"
DISTRICT_ADMIN = f"admin_{demo.DISTRICT}"
STATION_LOGIN = f"inspector_{demo.DISTRICT}"  # the station inspector the README names


class Command(BaseCommand):
    help = "在演示数据上生成抽查示例：黄浦区两个已抽取的任务，其一已检查、确认并公示"

    def add_arguments(self, parser):
        parser.add_argument(
            "--seed", type=int, default=1, help="随机种子：决定各户的检查结果（默认 1）"
        )
        parser.add_argument("--if-empty", action="store_true", help="已有任何抽取时什么也不做")

    def handle(self, *args, seed, if_empty, **options):
        if seed < 0:
            raise CommandError("--seed 须为非负整数")
        if if_empty and Draw.objects.exists():
            self.stdout.write("已有抽取记录，未生成演示抽查。")
            return
        if if_empty and (missing := _missing_demo_logins()):
            # `make run` on a database of one's own (imported rosters, other logins) must still
            # start: there is no demo city here to put checks on.
            self.stdout.write(
                f"没有演示账号 {missing}（不是 seed_demo 的演示数据），未生成演示抽查。"
            )
            return
        started = time.perf_counter()
        try:
            with transaction.atomic():  # all or nothing: --if-empty then sees a clean state
                made = _Seeder(seed).run()
        except (DefinitionError, ValidationError, PermissionDenied, RuleError) as e:
            messages = getattr(e, "messages", None) or [str(getattr(e, "errors", e))]
            raise CommandError("生成演示抽查失败：" + "；".join(map(str, messages))) from e
        self._report(made)
        self.stdout.write(f"用时 {time.perf_counter() - started:.1f} 秒")

    def _report(self, m: dict) -> None:
        w = self.stdout.write
        w(self.style.SUCCESS(f"演示抽查已生成（随机种子 {m['seed']}）："))
        codes = "、".join(f"{code} {n} 户" for code, n in sorted(m["codes"].items()))
        w(
            f"  任务「{m['done'].title}」：抽中 {m['done_visits']} 户，已全部检查并确认"
            f"（结果 {codes}），后续处置 {m['follow_ups']} 件，已公示检查结果 {m['published']} 条"
        )
        w(
            f"  任务「{m['open'].title}」：抽中 {m['open_visits']} 户，待检查；"
            f"{STATION_LOGIN} 参与其中 {m['station_visits']} 户（登录后见“我的检查”）"
        )
        if m["logins"]:
            w(
                f"  为检查组成员新建演示账号 {len(m['logins'])} 个"
                f"（如 {m['logins'][0]}，密码同其他演示账号）"
            )
        w("  公众查询（无需登录）：/public/")


class _Seeder:
    def __init__(self, seed: int):
        self.seed = seed
        self.today = timezone.localdate()
        self.dates = demo.dates(self.today)
        self.logins: list[str] = []
        self.admin = _user(ADMIN)
        self.district_admin = _user(DISTRICT_ADMIN)
        station = Inspector.objects.select_related("unit").filter(user__username=STATION_LOGIN)
        self.station = station.first()
        if self.station is None:
            raise CommandError(f"找不到演示账号 {STATION_LOGIN} 的检查人员：请先运行 seed_demo")

    def run(self) -> dict:
        done = planning.task_save(self.district_admin, definition=demo.food_definition(self.dates))
        pending = self._info_task()
        self._approve(done.plan)
        # The open task is drawn first: the food task's teams would otherwise be the "last
        # team" (轮换) of entities both tasks draw, and bar the station's two inspectors.
        pending_draw = self._draw_info(pending)
        done_draw = self._draw(done)
        codes, follow_ups = self._record_all(done_draw)
        published = self._publish(done)
        audit.record(
            "演示数据",
            "other",
            done,
            note=f"seed_demo_checks：随机种子 {self.seed}，演示检查结果并公示",
        )
        return {
            "seed": self.seed,
            "done": done,
            "done_visits": Visit.objects.filter(draw=done_draw).count(),
            "codes": codes,
            "follow_ups": follow_ups,
            "published": published,
            "open": pending,
            "open_visits": Visit.objects.filter(draw=pending_draw).count(),
            "station_visits": VisitMember.objects.filter(
                visit__draw=pending_draw, inspector=self.station
            ).count(),
            "logins": self.logins,
        }

    # --- planning and drawing -------------------------------------------------------------------

    def _info_task(self) -> Task:
        """Drawn by count at 3% of its population, which only the saved task can tell."""
        units = [self.station.unit.code]
        task = planning.task_save(
            self.district_admin, definition=demo.info_definition(self.dates, units, count=1)
        )
        cap = planning.task_cap(task)
        count = demo.info_count(
            sampling.preview(task)["population"], Fraction(cap) if cap is not None else None
        )
        if count != 1:
            definition = demo.info_definition(self.dates, units, count=count)
            task = planning.task_save(self.district_admin, definition=definition, task=task)
        return task

    def _approve(self, plan: Plan) -> None:
        """The district files its annual plan, the city bureau approves it."""
        plan.refresh_from_db()
        if plan.status == Plan.Status.DRAFT:
            plan = planning.plan_file(user=self.district_admin, plan=plan)
        if plan.status == Plan.Status.FILED:
            planning.plan_approve(user=self.admin, plan=plan)

    def _draw(self, task: Task) -> Draw | None:
        draw = sampling.execute(
            sampling.commit(task, user=self.district_admin), user=self.district_admin
        )
        return draw if draw.status == Draw.Status.DRAWN else None

    def _draw_info(self, task: Task) -> Draw:
        """Teams from the station of inspector_310101 (two inspectors: both on every visit); if a
        conflict declaration bars one of them from a drawn entity, the draw cannot be staffed and
        the district's enforcement team (执法大队) joins the pool for a new draw."""
        draw = self._draw(task)
        if draw is None:
            team_unit = f"{demo.DISTRICT}-T01"
            definition = demo.info_definition(
                self.dates,
                [self.station.unit.code, team_unit],
                task.definition["sampling"]["count"],
            )
            task = planning.task_save(self.district_admin, definition=definition, task=task)
            draw = self._draw(task)
        if draw is None:
            raise CommandError(f"任务「{task.title}」无法配齐检查人员")
        return draw

    # --- inspections ------------------------------------------------------------------------------

    def _record_all(self, draw: Draw | None) -> tuple[Counter, int]:
        if draw is None:
            raise CommandError("食品生产抽查任务无法配齐检查人员")
        hosts = list(
            Visit.objects.filter(draw=draw, merged_into__isnull=True)
            .select_related("entity", "draw__task")
            .order_by("entity__uscc")
        )
        plan = demo.outcomes(self.seed, [v.entity.uscc for v in hosts])
        password = make_password(demo_load.demo_password())  # one slow hash for every login
        for host in hosts:
            recorder, confirmer = self._team_logins(host, password)
            outcome = plan[host.entity.uscc]
            day = demo.checked_on(
                self.seed, host.entity.uscc, self.dates.done_start, self.dates.done_end
            )
            inspections.record(
                user=recorder,
                visit=host,
                checked_on=day,
                entries=_entries(host, outcome, day),
                submit=True,
            )
            inspections.confirm(user=confirmer, visit=host)
        codes = Counter(
            f"{code} {name}"
            for code, name in Result.objects.filter(visit__draw=draw).values_list(
                "code__code", "code__name"
            )
        )
        return codes, FollowUp.objects.filter(result__visit__draw=draw).count()

    def _team_logins(self, host: Visit, password: str) -> tuple[User, User]:
        """The first two inspectors of the team (by slot), each with a login."""
        members = [
            m.inspector
            for m in VisitMember.objects.filter(visit=host, inspector__isnull=False)
            .select_related("inspector__unit", "inspector__user")
            .order_by("slot")
        ]
        return self._login(members[0], password), self._login(members[1], password)

    def _login(self, inspector: Inspector, password: str) -> User:
        if inspector.user_id:
            return inspector.user
        name = inspector.name
        user = User(
            username=f"inspector_{inspector.staff_no.lower()}",
            password=password,
            unit=inspector.unit,
            role=User.Role.STATION_INSPECTOR,
            last_name=name[:1],  # Chinese names: family name first (see User.get_full_name)
            first_name=name[1:],
        )
        user.full_clean()
        user.save()
        Inspector.objects.filter(pk=inspector.pk).update(user=user)
        inspector.user = user
        self.logins.append(user.username)
        return user

    # --- publication ------------------------------------------------------------------------------

    def _publish(self, task: Task) -> int:
        entry = Publication.objects.filter(task=task).first()
        if entry is None:
            raise CommandError(f"任务「{task.title}」的检查尚未全部确认，不能公示")
        return publication.publish(user=self.district_admin, publication=entry)


def _entries(host: Visit, outcome: demo.Outcome, day) -> list[inspections.Entry]:
    entries = []
    for line in selectors.lines(host):
        rectify = outcome.rectify_days is not None
        entries.append(
            inspections.Entry(
                line.visit.pk,
                line.item.pk,
                method="onsite",
                code=outcome.code,
                findings=outcome.findings,
                measure=Result.Measure.RECTIFY if rectify else Result.Measure.NONE,
                rectify_by=day + dt.timedelta(days=outcome.rectify_days) if rectify else None,
            )
        )
    return entries


def _missing_demo_logins() -> str:
    names = [ADMIN, DISTRICT_ADMIN, STATION_LOGIN]
    found = set(User.objects.filter(username__in=names).values_list("username", flat=True))
    return "、".join(n for n in names if n not in found)


def _user(username: str) -> User:
    try:
        return User.objects.select_related("unit").get(username=username)
    except User.DoesNotExist:
        raise CommandError(f"找不到演示账号 {username}：请先运行 seed_demo") from None
