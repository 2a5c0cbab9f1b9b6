"""Road work demo data (issue 12): areas, points with peak-hour windows, tracks that cover some windows and
miss others, traffic samples, hazards in every status (one overdue), outreach events. Safe to run again:
each piece is looked up before it is made, and written through the road work services."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from fieldapp import roadwork_services as services
from fieldapp.models import CongestionPoint, Hazard, Officer, OutreachEvent, RoadArea, Squad, TrackFix, TrafficSample
from stations import hours

PEAKS = "Mo-Fr 07:00-09:00,17:00-19:00; PH off"
SCHOOL = "Mo-Fr 07:20-08:00,16:30-17:30; PH off"
# name, leader username
AREAS = [("东片区", "dispatcher"), ("西片区", "admin"), ("北片区", "dispatcher")]
# name, kind, area, lat, lng, squad code, officer username, windows
POINTS = [
    ("东昌路与柳园路口", "intersection", "东片区", 36.4571, 115.9866, "shiyiyuan", "officer1", PEAKS),
    ("市人民医院门口", "hospital_gate", "东片区", 36.4522, 115.9921, "shiyiyuan", "officer2", PEAKS),
    ("实验小学门口", "school_gate", "东片区", 36.4489, 115.9807, "shiyiyuan", "officer1", SCHOOL),
    ("灯塔路与兴华路口", "intersection", "西片区", 36.4611, 115.9650, "dengta", "officer3", PEAKS),
    ("古楼农贸市场", "market", "西片区", 36.4436, 115.9702, "dengta", "officer6", "Mo-Su 06:30-08:30"),
    ("湖西路段", "road_section", "西片区", 36.4380, 115.9580, "huxi", "officer4", PEAKS),
    ("湖西中学门口", "school_gate", "西片区", 36.4355, 115.9620, "huxi", "officer7", SCHOOL),
    ("北顺路与光岳路口", "intersection", "北片区", 36.4702, 115.9851, "beishun", "officer5", PEAKS),
    ("汽车西站出口", "road_section", "北片区", 36.4560, 115.9450, "qichexizhan", None, PEAKS),
    ("振兴路与建设路口", "intersection", "北片区", 36.4655, 116.0012, "beishun", "officer5", PEAKS),
]
TRACK_DAYS = 7
# (kind, description, point index, statuses to walk through, deadline offset days)
HAZARDS = [
    ("signals", "信号灯早高峰黄闪", 0, ["confirmed"], None),
    ("road_surface", "路面坑槽约1米", 3, [], None),
    ("signs_markings", "人行横道线磨损", 2, ["confirmed", "notified"], 10),
    ("sight", "绿化遮挡限速标志", 5, ["confirmed", "notified", "rectifying"], 5),
    ("roadside_works", "占道施工未设警示", 1, ["confirmed", "notified", "rectifying", "closed"], -3),
    ("missing_facility", "学校门口缺少减速带", 6, ["confirmed", "notified"], -2),  # overdue
    ("dangerous_spot", "货车右转盲区事故多发", 7, ["confirmed", "notified", "rectifying", "closed"], -10),
    ("other", "重复上报：路口积水", 0, ["rejected"], None),
    ("signals", "左转相位过短", 9, ["confirmed", "notified", "rectifying"], 12),
    ("road_surface", "井盖松动", 4, ["confirmed"], None),
    ("signs_markings", "导向箭头不清", 8, [], None),
    ("sight", "广告牌遮挡信号灯", 3, ["confirmed", "notified", "rectifying", "closed"], 3),
]
OUTREACH = [
    (-1, "交运集团客运公司", "company", "聊城交运集团", 120, "安全驾驶手册"),
    (-3, "东昌路小学", "school", "东昌路小学", 450, "交通安全读本"),
    (-5, "柳园社区", "community", "柳园街道", 80, "宣传单"),
    (-8, "顺达物流", "company", "顺达物流有限公司", 60, "货车盲区提示贴"),
    (-12, "聊城电视台", "media", "聊城电视台", 0, ""),
]


class Command(BaseCommand):
    help = "Add the road work demo (areas, points, tracks, traffic, hazards, outreach); idempotent."

    @transaction.atomic
    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        users = {u.username: u for u in get_user_model().objects.filter(username__in=["dispatcher", "admin"])}
        officers = {o.user.username: o for o in Officer.objects.select_related("user")}
        squads = {s.code: s for s in Squad.objects.all()}
        areas = {}
        for name, leader in AREAS:
            areas[name], _ = RoadArea.objects.update_or_create(name=name, defaults={"leader": users.get(leader)})
        points = []
        for name, kind, area, lat, lng, squad, officer, windows in POINTS:
            existing = CongestionPoint.objects.filter(name=name).first()
            values = dict(name=name, kind=kind, area=areas[area], lat=lat, lng=lng, squad=squads.get(squad),
                          officer=officers.get(officer) if officer else None, post_windows=windows)
            points.append(services.point_update(point_id=existing.pk, **values) if existing else services.point_create(**values))
        now = timezone.now()
        today = hours.to_shanghai(now).date()
        made = self._tracks(points, today, now) + self._traffic(points, today, now)
        self._hazards(points, users.get("dispatcher"), officers.get("officer1"), today, now)
        for offset, place, kind, org, audience, materials in OUTREACH:
            event, created = OutreachEvent.objects.get_or_create(
                day=today + timedelta(days=offset), place=place,
                defaults={"kind": kind, "organisation": org, "audience": audience, "materials": materials,
                          "recorded_by": users.get("dispatcher")},
            )
            if created:
                event.officers.set([o for o in officers.values()][:2])
        self.stdout.write(f"  road work: {len(points)} points in {len(areas)} areas, {made} track and traffic rows added")

    def _tracks(self, points: list[CongestionPoint], today: date, now: datetime) -> int:
        """The morning window of the past days: the responsible officer stays 25 min on even days, 4 min on odd ones."""
        rows = []
        for offset in range(1, TRACK_DAYS + 1):
            day = today - timedelta(days=offset)
            if day.weekday() >= 5:
                continue
            for index, point in enumerate(points):
                if point.officer is None or (index + offset) % 3 == 0:
                    continue  # nobody came: a missed window
                start = hours.aware(datetime.combine(day, datetime.min.time()).replace(hour=7, minute=5))
                if TrackFix.objects.filter(officer=point.officer, at__gte=start, at__lt=start + timedelta(hours=1)).exists():
                    continue
                stay = 25 if offset % 2 == 0 else 4
                rows += [
                    TrackFix(officer=point.officer, lat=point.lat + 0.0003, lng=point.lng, accuracy_m=10,
                             at=start + timedelta(seconds=15 * step), device_at=start + timedelta(seconds=15 * step))
                    for step in range(stay * 4 + 1)
                ]
        TrackFix.objects.bulk_create(rows, batch_size=2000)
        return len(rows)

    def _traffic(self, points: list[CongestionPoint], today: date, now: datetime) -> int:
        made = 0
        states = ["smooth", "smooth", "slow", "smooth", "congested", "smooth", "blocked"]
        for offset in range(1, TRACK_DAYS + 1):
            day = today - timedelta(days=offset)
            for index, point in enumerate(points):
                base = hours.aware(datetime.combine(day, datetime.min.time()).replace(hour=7, minute=30))
                if TrafficSample.objects.filter(point=point, at__gte=base, at__lt=base + timedelta(hours=1)).exists():
                    continue
                for step in range(3):
                    state = states[(index + offset + step) % len(states)]
                    source = "officer" if step == 0 else "amap"
                    TrafficSample.objects.create(point=point, state=state, source=source, at=base + timedelta(minutes=10 * step))
                    made += 1
        return made

    def _hazards(self, points, dispatcher, officer, today: date, now: datetime) -> None:  # type: ignore[no-untyped-def]
        for kind, description, point_index, steps, deadline_days in HAZARDS:
            if Hazard.objects.filter(description=description).exists():
                continue
            reported = now - timedelta(days=14)
            hazard = services.hazard_report(
                reporter=officer.user if officer else dispatcher, kind=kind, description=description,
                point=points[point_index], address=points[point_index].name, at=reported,
            )
            at = reported
            for to in steps:
                at += timedelta(hours=6)
                extra = {}
                if to == "notified":
                    extra = {"unit": "市政工程养护管理处", "deadline": today + timedelta(days=deadline_days)}
                if to == "rejected":
                    extra = {"reason": "与 YH 已有隐患重复"}
                if to == "closed":
                    at = hours.aware(datetime.combine(today + timedelta(days=deadline_days - 1), datetime.min.time()).replace(hour=15))
                services.hazard_move(hazard_id=hazard.pk, actor=dispatcher, to=to, at=min(at, now), **extra)
