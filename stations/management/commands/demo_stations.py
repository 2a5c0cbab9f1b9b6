"""The five Liaocheng care stations of the demo. Safe to run again."""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files import File
from django.core.management.base import BaseCommand
from django.db import transaction

from stations.models import Closure, PlaylistItem, SafetyVideo, Slogan, Station
from stations.selectors import today_shanghai
from stations.services import holiday_calendar_seed

# slug, name, address, phone, lat, lng (WGS-84), opening hours, amenities, description
STATIONS: list[tuple[str, str, str, str, float, float, str, list[str], str]] = [
    (
        "shiyiyuan", "市医院中队", "聊城市东昌府区东昌西路67号（市人民医院东侧）", "0635-8272101",
        36.45652, 115.97405, "Mo-Su 07:00-21:00",
        ["cooling", "heating", "drinking_water", "hot_water", "phone_charging", "restroom", "first_aid", "seating", "wifi"],
        "紧邻市人民医院，外卖骑手、环卫工人、出租车司机均可进站歇脚、喝水、充电。",
    ),
    (
        "dengta", "灯塔中队", "聊城市东昌府区光岳路与建设路交叉口东北角", "0635-8272102",
        36.47012, 115.99321, "Mo-Fr 08:00-18:00; Sa,Su 09:00-17:00; PH 09:00-15:00",
        ["cooling", "drinking_water", "phone_charging", "ebike_charging", "restroom", "microwave", "seating", "rain_gear"],
        "光岳楼商圈附近，提供电动车充电和微波炉加热午餐。",
    ),
    (
        "huxi", "湖西中队", "聊城市东昌府区湖西街道兴华西路188号", "0635-8272103",
        36.44185, 115.95862, "Mo-Fr 08:00-18:00; Sa,Su 09:00-17:00; PH off",
        ["cooling", "heating", "drinking_water", "restroom", "reading", "seating"],
        "东昌湖西岸，设有阅读角。",
    ),
    (
        "beishun", "北顺中队", "聊城市东昌府区北顺街道东昌路与花园北路路口", "0635-8272104",
        36.49318, 115.98702, "Mo-Sa 08:00-20:00; Su 09:00-17:00; PH off",
        ["cooling", "drinking_water", "hot_water", "phone_charging", "first_aid", "repair_tools", "seating"],
        "城北主干道旁，备有打气筒和简单修车工具。",
    ),
    (
        "qichexizhan", "汽车西站交管服务网点", "聊城市东昌府区汽车西站广场南侧", "0635-8272105",
        36.45533, 115.93611, "24/7",
        ["cooling", "heating", "drinking_water", "hot_water", "phone_charging", "restroom", "first_aid", "seating", "wifi", "rain_gear"],
        "汽车西站旁 24 小时服务网点，夜间到站旅客也可求助。",
    ),
]
SLOGANS: dict[str, list[str]] = {
    "shiyiyuan": ["一盔一带 安全常在", "礼让斑马线 文明你我他", "酒后不开车 开车不喝酒"],
    "dengta": ["电动车戴头盔 出行更安心", "不闯红灯 不逆行"],
    "huxi": ["驿站装修中 暂停开放 敬请谅解"],
    "beishun": ["开车不看手机", "安全出行 平安到家"],
    "qichexizhan": ["24 小时为您服务", "疲劳不驾驶 平安伴您行"],
}
MANAGED_BY_DEMO_MANAGER = ("shiyiyuan", "dengta")
RENOVATION = "装修暂停开放"
DEMO_VIDEOS = [("一盔一带 安全常在", "safety-1.webm", 4), ("文明出行 礼让行人", "safety-2.webm", 5)]


class Command(BaseCommand):
    help = "Create the demo care stations of Liaocheng, their slogans and a renovation closure (idempotent)."

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        seeded = holiday_calendar_seed()
        self.stdout.write(f"Holiday calendar: {sum(seeded.values())} days for {len(seeded)} years.")

        manager = get_user_model().objects.filter(username="station").first()
        for slug, name, address, phone, lat, lng, opening_hours, amenity_codes, description in STATIONS:
            station, created = Station.objects.update_or_create(
                slug=slug,
                defaults={
                    "name": name, "address": address, "phone": phone, "lat": lat, "lng": lng,
                    "opening_hours": opening_hours, "amenities": amenity_codes, "description": description,
                    "published": True, "follows_national_calendar": True, "closed_now": False, "closed_reason": "",
                },
            )
            for position, text in enumerate(SLOGANS[slug], start=1):
                Slogan.objects.update_or_create(station=station, text=text, defaults={"position": position, "active": True})
            if manager is not None and slug in MANAGED_BY_DEMO_MANAGER:
                station.managers.add(manager)
            self.stdout.write(f"  {'created' if created else 'updated'} station {name} ({slug})")

        # 湖西中队 is closed for renovation around today, whenever the demo runs.
        huxi = Station.objects.get(slug="huxi")
        today = today_shanghai()
        Closure.objects.update_or_create(
            station=huxi, reason=RENOVATION,
            defaults={"start_date": today - timedelta(days=3), "end_date": today + timedelta(days=20)},
        )
        self.stdout.write(f"  湖西中队 closed for renovation until {today + timedelta(days=20)}")

        videos = self._videos()
        if videos:
            station = Station.objects.get(slug="shiyiyuan")
            for position, video in enumerate(videos, start=1):
                PlaylistItem.objects.update_or_create(station=station, video=video, defaults={"position": position})
            self.stdout.write(f"  playlist of 市医院中队: {len(videos)} videos")

        if manager is None:
            self.stdout.write(self.style.WARNING("  user 'station' not found: run `manage.py demo` to give it two stations"))
        else:
            self.stdout.write(f"  user 'station' manages: {', '.join(MANAGED_BY_DEMO_MANAGER)}")
        self.stdout.write(self.style.SUCCESS(f"Demo care stations ready: {len(STATIONS)} stations."))

    def _videos(self) -> list[SafetyVideo]:
        """Small WebM clips shipped with the tests, so the kiosk demo has something to play."""
        source = Path(settings.BASE_DIR) / "tests" / "data"
        videos = []
        for title, filename, seconds in DEMO_VIDEOS:
            video = SafetyVideo.objects.filter(title=title).first()
            if video is None:
                if not (source / filename).exists():
                    continue
                with (source / filename).open("rb") as handle:
                    video = SafetyVideo(title=title, duration_seconds=seconds)
                    video.file.save(f"demo-{filename}", File(handle), save=False)
                    video.save()
            videos.append(video)
        return videos
