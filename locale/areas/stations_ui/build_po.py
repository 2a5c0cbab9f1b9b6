"""Writes django.po of the stations UI from the table below, then compile it with msgfmt.

Run: .venv/bin/python locale/areas/stations_ui/build_po.py && msgfmt -o locale/areas/stations_ui/zh_Hans/LC_MESSAGES/django.mo locale/areas/stations_ui/zh_Hans/LC_MESSAGES/django.po
"""
from __future__ import annotations

from pathlib import Path

ZH = {
    # finder
    "Care stations": "爱心驿站",
    "Find a care station": "查找爱心驿站",
    "Cool down, drink water, charge your phone. Free for outdoor workers, riders and drivers.": "纳凉、喝水、充电，户外劳动者、骑手和司机免费使用。",
    "Your position": "您的位置",
    "Use my position": "使用我的位置",
    "Near %(place)s": "%(place)s附近",
    "Pick your area": "选择您所在的区域",
    "Pick on the map": "在地图上选择",
    "Open now only": "只看正在营业",
    "Show stations that have": "显示具有以下设施的驿站",
    "Apply": "应用",
    "View": "视图",
    "List": "列表",
    "Map": "地图",
    "From": "距离",
    "From the city centre": "距市中心",
    "No station matches. Try fewer filters.": "没有符合条件的驿站，请减少筛选条件。",
    "Map of care stations": "爱心驿站地图",
    "Amenities": "便民设施",
    "Navigate": "导航",
    "Details": "详情",
    "City centre (Dongchangfu)": "市中心（东昌府区）",
    "Old town / Dongchang Lake": "古城 / 东昌湖",
    "Economic development zone": "经济技术开发区",
    "High-tech zone": "高新区",
    "Jiangbei Shuicheng resort": "江北水城旅游度假区",
    "Railway station": "聊城火车站",
    "North (Beishun)": "城北（北顺）",
    "Chiping district": "茌平区",
    "%(metres)d m": "%(metres)d 米",
    "%(km)s km": "%(km)s 公里",
    "the place you picked": "所选地点",
    "the city centre": "市中心",
    "m": "米",
    "km": "公里",
    "Nearest to your position": "离您最近",
    "your position": "您的位置",
    "Finding your position (10 seconds at most)…": "正在获取您的位置（最多 10 秒）…",
    "Found your position.": "已获取您的位置。",
    "Position not shared. Pick your area below.": "未获得位置授权，请在下方选择您所在的区域。",
    "Could not get your position in time. Pick your area below.": "未能及时获取位置，请在下方选择您所在的区域。",
    "This phone cannot share its position. Pick your area below.": "此手机无法提供位置，请在下方选择您所在的区域。",
    "No connection: showing the last list.": "网络不可用：显示上次的列表。",
    "The map could not load. The list still works.": "地图无法加载，列表仍可使用。",
    "Map pictures are not loading (offline?). The list still works.": "地图图片无法加载（可能离线），列表仍可使用。",
    "Tap the map where you are.": "请在地图上点选您所在的位置。",
    "Using the point you tapped.": "已使用您点选的位置。",
    "the point you tapped": "点选的位置",
    # station page
    "Care station": "爱心驿站",
    "All care stations": "全部爱心驿站",
    "Photos": "照片",
    "Call": "拨打",
    "Directions": "导航前往",
    "The station is closed now. Check the hours below before you set off.": "驿站现在已关门，出发前请查看下方的开放时间。",
    "AMap": "高德地图",
    "Baidu Maps": "百度地图",
    "Apple Maps": "苹果地图",
    "Another map app": "其他地图应用",
    "Hours, next 7 days": "未来 7 天开放时间",
    "Opening hours for the next 7 days": "未来 7 天开放时间",
    "today": "今天",
    "make-up workday": "调休上班",
    "public holiday": "法定节假日",
    "No such care station.": "没有这个爱心驿站。",
    # screen
    "Screen": "屏幕",
    "Time": "时间",
    "Drive safely. Wear your helmet. Yield to pedestrians.": "安全驾驶，佩戴头盔，礼让行人。",
    "Free water, rest and phone charging inside.": "站内免费提供饮水、休息和手机充电。",
    "Today": "今日",
    "Tap for full screen": "点击全屏",
    "closed": "休息",
    "offline: playing saved videos": "离线：播放已缓存的视频",
    # managers
    "My stations": "我的驿站",
    "not published": "未发布",
    "Edit": "编辑",
    "Public page": "公开页面",
    "You do not manage any station yet. Ask an administrator to add you.": "您还没有管理任何驿站，请联系管理员添加。",
    "Manage": "管理",
    "Closed now": "临时关闭",
    "Closed now (overrides the hours until switched off)": "现在关闭（关闭开关前优先于开放时间）",
    "Save": "保存",
    "Opening hours": "开放时间",
    "Preview": "预览",
    "Save hours": "保存开放时间",
    "Preview, not saved yet": "预览（尚未保存）",
    "Next 7 days": "未来 7 天",
    "Temporary closures and special days": "临时闭站和特殊日期",
    "Remove": "删除",
    "No closure planned.": "没有计划中的闭站。",
    "Add closure": "添加闭站",
    "Save amenities": "保存便民设施",
    "Screen playlist": "屏幕播放列表",
    "Move up": "上移",
    "Move down": "下移",
    "The playlist is empty: the screen shows a standby slide.": "播放列表为空：屏幕显示待机画面。",
    "Add": "添加",
    "Slogans": "宣传标语",
    "hidden": "已隐藏",
    "Open the screen page": "打开屏幕页面",
    "Opening hours saved.": "开放时间已保存。",
    "Closure saved.": "闭站已保存。",
    "Closure removed.": "闭站已删除。",
    "Marked closed now.": "已设为临时关闭。",
    "Marked open again.": "已恢复开放。",
    "Amenities saved.": "便民设施已保存。",
    "Move a video up or down.": "请上移或下移视频。",
    "Playlist order saved.": "播放顺序已保存。",
    "Video added to the playlist.": "视频已加入播放列表。",
    "Video removed from the playlist.": "视频已从播放列表移除。",
    "Slogan added.": "标语已添加。",
    "Slogan saved.": "标语已保存。",
    "Slogan removed.": "标语已删除。",
    "No such item.": "没有这一项。",
    # forms
    "OpenStreetMap syntax, e.g. “Mo-Fr 08:00-18:00; Sa,Su 09:00-17:00; PH off”.": "OpenStreetMap 格式，例如“Mo-Fr 08:00-18:00; Sa,Su 09:00-17:00; PH off”（周一至周五 8–18 点，周末 9–17 点，法定节假日休息）。",
    "Follow the national holiday calendar (holidays as PH, make-up workdays with Monday hours)": "按国家节假日安排（法定节假日按 PH，调休上班日按周一时间）",
    "First day": "开始日期",
    "Last day": "结束日期",
    "Reason": "原因",
    "Special hours (leave empty to close all day)": "特殊开放时间（留空表示全天关闭）",
    "The last day cannot be before the first day.": "结束日期不能早于开始日期。",
    "Reason shown to citizens": "向市民显示的原因",
    "e.g. staff out on duty": "例如：工作人员外出执勤",
    "Give a reason so citizens know why.": "请填写原因，方便市民了解情况。",
    "New slogan": "新标语",
    "Add a video from the library": "从视频库添加视频",
}

# Generic words other areas translate differently get a context of their own.
ZH_CONTEXT = {
    ("care station state", "Open"): "营业中",
    ("care station state", "Closed"): "已关门",
    ("care station state", "Hours unsure"): "时间待定",
    ("slogan", "Hide"): "隐藏",
    ("slogan", "Show"): "显示",
}


def quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def main() -> None:
    lines = [
        "# Chinese catalogue of the care stations UI (stations_ui). Generated by build_po.py.",
        'msgid ""',
        'msgstr ""',
        '"Project-Id-Version: luchang stations_ui\\n"',
        '"PO-Revision-Date: 2026-11-26 15:00+0800\\n"',
        '"Last-Translator: stations_ui\\n"',
        '"Language-Team: Chinese (Simplified)\\n"',
        '"MIME-Version: 1.0\\n"',
        '"Content-Type: text/plain; charset=UTF-8\\n"',
        '"Content-Transfer-Encoding: 8bit\\n"',
        '"Language: zh_Hans\\n"',
        '"Plural-Forms: nplurals=1; plural=0;\\n"',
        "",
    ]
    for msgid, msgstr in ZH.items():
        if "%(" in msgid:
            lines.append("#, python-format")
        lines += [f"msgid {quote(msgid)}", f"msgstr {quote(msgstr)}", ""]
    for (context, msgid), msgstr in ZH_CONTEXT.items():
        lines += [f"msgctxt {quote(context)}", f"msgid {quote(msgid)}", f"msgstr {quote(msgstr)}", ""]
    target = Path(__file__).parent / "zh_Hans" / "LC_MESSAGES" / "django.po"
    target.write_text("\n".join(lines), encoding="utf-8")


if __name__ == "__main__":
    main()
