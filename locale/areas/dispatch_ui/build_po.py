"""Write the dispatch_ui Chinese catalogue (django.po) from the table below.

Run from the repository root:  python locale/areas/dispatch_ui/build_po.py
then compile:  msgfmt -o locale/areas/dispatch_ui/zh_Hans/LC_MESSAGES/django.mo \
               locale/areas/dispatch_ui/zh_Hans/LC_MESSAGES/django.po
"""
from __future__ import annotations

from pathlib import Path

ZH = {
    # officer actions and connection
    "Accept": "接单",
    "On my way": "出发前往",
    "Arrived on scene": "已到达现场",
    "Cleared, job done": "处置完毕",
    "Decline": "拒绝",
    "Online": "在线",
    "Reconnecting…": "正在重连…",
    "Offline": "离线",
    "Connecting…": "正在连接…",
    "Offline: new jobs arrive when the network is back": "离线：网络恢复后自动接收新任务",
    # field page
    "On duty": "在岗",
    "Off duty": "离岗",
    "Tap to go on duty": "点击上岗",
    "Tap to go off duty": "点击下岗",
    "No assignment. Stay safe and keep your phone at hand.": "暂无任务。注意安全，手机放在手边。",
    "You are off duty. Go on duty to receive jobs.": "您已离岗。上岗后才能接收任务。",
    "New job": "新任务",
    "Show": "查看",
    "OK": "知道了",
    "The job was cancelled": "任务已撤销",
    "You were withdrawn from this job": "您已被撤出此任务",
    "Navigate": "导航",
    "AMap": "高德地图",
    "Baidu Maps": "百度地图",
    "Map app": "其他地图",
    "Why do you decline? (optional)": "拒绝原因（可不填）",
    "Other steps": "其他步骤",
    "Sending…": "正在发送…",
    "Could not send. Check the network and try again.": "发送失败。请检查网络后重试。",
    "Position not shared (off duty).": "未共享位置（离岗）。",
    "Finding your position…": "正在定位…",
    "Position shared {age} ago, ±{accuracy} m.": "位置已于 {age}前共享，精度 ±{accuracy} 米。",
    "Position not sent yet: no network.": "位置尚未发送：无网络。",
    "Position too inaccurate (±{accuracy} m), waiting for a better fix.": "定位误差过大（±{accuracy} 米），正在等待更准确的定位。",
    "Location is blocked. Allow location for this site in the browser settings.": "定位被禁止。请在浏览器设置中允许本网站使用位置。",
    "Position unavailable. Are you indoors?": "无法定位。是否在室内？",
    "This phone cannot share its position.": "此手机无法共享位置。",
    "Alerts for new jobs": "新任务提醒",
    "since {time}": "{time} 起",
    "No jobs today yet.": "今天还没有任务。",
    "Field": "执勤",
    "Field duty": "执勤",
    "Your account has no officer profile yet. Ask an administrator to create one.": "您的账号还没有警员资料，请联系管理员添加。",
    "Duty": "勤务",
    "When a job is sent to you, Luchang beeps, vibrates and shows a notification, so that you notice it on the road even with the phone in your pocket. Your browser needs your permission once.":
        "有任务派给您时，路畅会响铃、振动并弹出通知，即使手机在口袋里，路上也不会错过。浏览器需要您授权一次。",
    "Turn on alerts": "开启提醒",
    "Not now": "以后再说",
    "Current assignment": "当前任务",
    "Today's assignments": "今日任务",
    # durations
    "{n} s": "{n} 秒",
    "{n} min": "{n} 分钟",
    "{n} h": "{n} 小时",
    # dispatch desk
    "No open jobs.": "没有进行中的任务。",
    "Find officers": "查找警员",
    "Send selected officers": "派遣所选警员",
    "Also send busy officers": "也派遣忙碌的警员",
    "Tick “Also send busy officers” to send them anyway.": "如仍要派遣，请勾选“也派遣忙碌的警员”。",
    "Busy officers nearby": "附近忙碌的警员",
    "Tick at least one officer.": "请至少勾选一名警员。",
    "No available officer found.": "没有找到空闲警员。",
    "{km} km": "{km} 公里",
    "{m} m": "{m} 米",
    "fix {age} old": "定位于 {age}前",
    "no position": "无位置",
    "Cancel job": "撤销任务",
    "Reason for cancelling": "撤销原因",
    "Cancel the job": "确认撤销",
    "Give a reason.": "请填写原因。",
    "Close job": "结束任务",
    "Back": "返回",
    "Nobody sent yet.": "尚未派人。",
    "sent while busy": "忙碌时派遣",
    "Not received for {age}: call the officer or send someone else": "已 {age} 未收到：请电话联系警员或改派他人",
    "Received": "已收到",
    "waiting for the phone": "等待手机确认",
    "Call {phone}": "拨打 {phone}",
    "Withdraw": "撤回",
    "Not received on the phone": "手机未收到",
    "Send someone else": "改派他人",
    "Available": "空闲",
    "Busy": "忙碌",
    "Position {age} old": "位置已过 {age}",
    "Job {number} created.": "任务 {number} 已创建。",
    "Sent to {names}.": "已派遣：{names}。",
    "Click on the map to place the job.": "在地图上点击以标定任务位置。",
    "Placed at {lat}, {lng}.": "位置：{lat}, {lng}。",
    "Place the job on the map first.": "请先在地图上标定任务位置。",
    "Write a summary.": "请填写概要。",
    "Something went wrong: {detail}": "出错了：{detail}",
    "No connection to the server. Try again.": "无法连接服务器，请重试。",
    "No officers.": "没有警员。",
    "–": "–",
    "Luchang": "路畅",
    "Traffic police field app and care-station finder": "交警勤务与爱心驿站查找",
    "Today": "今日",
    "Jobs today": "今日任务数",
    "Not received": "未收到",
    "Dispatch → accepted": "派遣 → 接单",
    "Dispatch → on scene": "派遣 → 到场",
    "On scene → cleared": "到场 → 处置完毕",
    "Medians for today's assignments.": "今日派遣的中位数。",
    "Kind": "类型",
    "Summary": "概要",
    "e.g. two cars collided, one lane blocked": "例如：两车相撞，占用一条车道",
    "Address": "地址",
    "Description": "详细描述",
    "Source": "来源",
    "Priority": "优先级",
    "Place": "位置",
    "Latitude": "纬度",
    "Longitude": "经度",
    "Create job": "创建任务",
    "Dispatch": "指挥调度",
    "Command centre": "指挥中心",
    "Open jobs": "进行中的任务",
    "Loading…": "正在加载…",
    "Ended today": "今日已结束",
    "Show all {count}": "显示全部 {count} 条",
    "Officers": "警员",
    "Map of officers": "警员地图",
    "Legend": "图例",
    "Position older than 10 min": "位置超过 10 分钟",
    "Open job": "进行中的任务",
    "Officer": "警员",
    "State": "状态",
    "Position": "位置",
    "Phone": "电话",
}

# The model choices (fieldapp.models) are the backend's msgids; the same
# translations here keep the pages Chinese even before its catalogue lands.
# A catalogue earlier in LOCALE_PATHS wins for the same msgid.
ZH.update({
    "Accident": "交通事故",
    "Breakdown": "车辆故障",
    "Congestion": "交通拥堵",
    "Citizen needs help": "群众求助",
    "Road hazard": "道路险情",
    "Violation": "交通违法",
    "Other": "其他",
    "Low": "低",
    "Normal": "一般",
    "High": "高",
    "Emergency": "紧急",
    "Video patrol": "视频巡查",
    "Phone call": "电话报警",
    "Citizen": "群众报告",
    "Open": "进行中",
    "Closed": "已结束",
    "Cancelled": "已撤销",
    "Dispatched": "已派遣",
    "Accepted": "已接单",
    "En route": "在途",
    "On scene": "已到场",
    "Cleared": "已处置",
    "Declined": "已拒绝",
    "Withdrawn": "已撤回",
})

HEADER = '''# Chinese catalogue of the dispatch pages (area dispatch_ui).
msgid ""
msgstr ""
"Project-Id-Version: luchang dispatch_ui\\n"
"PO-Revision-Date: 2026-11-26 14:30+0000\\n"
"Last-Translator: dispatch_ui\\n"
"Language-Team: Chinese (Simplified)\\n"
"Language: zh_Hans\\n"
"MIME-Version: 1.0\\n"
"Content-Type: text/plain; charset=UTF-8\\n"
"Content-Transfer-Encoding: 8bit\\n"
"Plural-Forms: nplurals=1; plural=0;\\n"
'''


def quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def main() -> None:
    entries = [HEADER]
    for msgid, msgstr in ZH.items():
        entries.append(f"msgid {quote(msgid)}\nmsgstr {quote(msgstr)}\n")
    target = Path(__file__).parent / "zh_Hans" / "LC_MESSAGES" / "django.po"
    target.write_text("\n".join(entries), encoding="utf-8")


if __name__ == "__main__":
    main()
