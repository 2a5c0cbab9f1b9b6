"""Load the demo brigade, its people and their logins. Safe to run again."""
from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand
from django.db import transaction

from common.roles import DISPATCHER, GROUPS, OFFICER, STATION_MANAGER
from fieldapp.models import Officer, Squad

BRIGADE = "执勤二大队"
SQUADS = [
    ("shiyiyuan", "市医院中队", Squad.Kind.SQUAD),
    ("dengta", "灯塔中队", Squad.Kind.SQUAD),
    ("huxi", "湖西中队", Squad.Kind.SQUAD),
    ("beishun", "北顺中队", Squad.Kind.SQUAD),
    ("qichexizhan", "汽车西站交管服务网点", Squad.Kind.SERVICE_POINT),
]
# username, full name, badge, call sign, squad code, phone
OFFICERS = [
    ("officer1", "王军", "371501", "铁骑01", "shiyiyuan", "13800000001"),
    ("officer2", "李强", "371502", "铁骑02", "shiyiyuan", "13800000002"),
    ("officer3", "张伟", "371503", "铁骑03", "dengta", "13800000003"),
    ("officer4", "刘洋", "371504", "铁骑04", "huxi", "13800000004"),
    ("officer5", "陈磊", "371505", "铁骑05", "beishun", "13800000005"),
    ("officer6", "赵敏", "371506", "铁骑06", "dengta", "13800000006"),
    ("officer7", "孙浩", "371507", "铁骑07", "huxi", "13800000007"),
]
DEMO_PASSWORD = "luchang-demo"


class Command(BaseCommand):
    help = "Create the demo brigade, squads, officers, dispatcher, station manager and admin (idempotent)."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--password", default=DEMO_PASSWORD, help="password for every demo login")

    @transaction.atomic
    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        password: str = options["password"]
        groups = {name: Group.objects.get_or_create(name=name)[0] for name in GROUPS}
        squads = {}
        for code, name, kind in SQUADS:
            squads[code], _created = Squad.objects.update_or_create(
                code=code, defaults={"name": name, "kind": kind, "brigade": BRIGADE}
            )

        logins: list[tuple[str, str]] = []
        for username, full_name, badge, call_sign, squad_code, phone in OFFICERS:
            user = self._user(username, full_name, password, groups[OFFICER])
            Officer.objects.update_or_create(
                user=user,
                defaults={"badge_number": badge, "call_sign": call_sign, "squad": squads[squad_code], "phone": phone},
            )
            logins.append((username, f"officer {call_sign} {full_name} · {squads[squad_code].name}"))

        self._user("dispatcher", "周指挥", password, groups[DISPATCHER])
        logins.append(("dispatcher", "dispatcher 周指挥 (command centre)"))
        self._user("station", "吴站长", password, groups[STATION_MANAGER])
        logins.append(("station", "station manager 吴站长"))
        admin = self._user("admin", "系统管理员", password, None)
        admin.is_staff = admin.is_superuser = True
        admin.save(update_fields=["is_staff", "is_superuser"])
        logins.append(("admin", "admin (Django admin)"))

        # Other parts of the app add their own demo data through these commands.
        available = get_commands()
        for extra in ("demo_field", "demo_history", "demo_stations", "demo_roadwork"):
            if extra in available:
                call_command(extra, stdout=self.stdout)

        self.stdout.write(self.style.SUCCESS(f"Demo data ready: brigade {BRIGADE}, {len(SQUADS)} units."))
        self.stdout.write(f"Every demo login uses the password: {password}")
        for username, what in logins:
            self.stdout.write(f"  {username:<12} {what}")

    def _user(self, username: str, full_name: str, password: str, group: Group | None):  # type: ignore[no-untyped-def]
        user_model = get_user_model()
        user, _created = user_model.objects.get_or_create(username=username)
        user.first_name = full_name
        user.last_name = ""
        user.set_password(password)
        user.is_active = True
        user.save()
        if group is not None:
            user.groups.add(group)
        return user
