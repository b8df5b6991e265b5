"""An attempt's evidence in words: what each recorded event means and what its detail says, for the result page, the
supervisors' views and anyone else who shows events (Chinese source strings, translated where they are shown)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import gettext as _

from lms.attempts import rules
from lms.core.i18n import N_
from lms.core.templating import format_number

EVENT_LABELS = {
    "started": N_("开始作答"),
    "resumed": N_("重新打开答题页"),
    "answer_saved": N_("保存答案"),
    rules.TAB_SWITCH: N_("切屏"),
    rules.PAGE_HIDDEN: N_("页面转入后台"),
    rules.SCREEN_OFF: N_("熄屏或锁屏"),
    rules.PAGE_LEAVE: N_("离开答题页（刷新、跳转或关闭）"),
    rules.PAGE_RELOAD: N_("刷新答题页"),
    rules.PAGE_RETURN: N_("重新打开答题页"),
    rules.OFFLINE: N_("网络断开"),
    rules.ONLINE: N_("网络恢复"),
    "tab_hidden": N_("页面隐藏（旧版记录，含刷新）"),
    "tab_visible": N_("回到答题页"),
    "fullscreen_exit": N_("退出全屏"),
    "submitted": N_("交卷"),
    "expired": N_("时间到，自动交卷"),
    "extra_time": N_("延长时间"),
}

FINISH_REASONS = {
    "submit": N_("本人交卷"),
    "timer": N_("倒计时结束自动交卷"),
    "tab_limit": N_("切屏次数超限自动交卷"),
    "deadline": N_("时间到，系统按已保存的答案自动交卷"),
}

# What the summary line under a result counts besides switches (those are counted apart, as a warning).
AWAY_KINDS = (
    ((rules.PAGE_RELOAD, rules.PAGE_RETURN, "resumed"), N_("刷新或重新打开答题页 %(n)s 次")),
    ((rules.SCREEN_OFF,), N_("熄屏或锁屏 %(n)s 次")),
    ((rules.OFFLINE,), N_("断网 %(n)s 次")),
)


def event_label(kind: str) -> str:
    label = EVENT_LABELS.get(kind)
    return _(label) if label else _("其他事件")


def finish_reason_label(reason: str | None) -> str:
    label = FINISH_REASONS.get(reason or "")
    return _(label) if label else ""


def _seconds(value: Any) -> str:
    """A duration as people say it: 45 秒, 3 分 20 秒, 1 小时 5 分."""
    seconds = round(float(value))
    if seconds < 60:
        return _("%(s)s 秒", s=seconds)
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return _("%(m)s 分 %(s)s 秒", m=minutes, s=seconds) if seconds else _("%(n)s 分钟", n=minutes)
    hours, minutes = divmod(minutes, 60)
    return _("%(h)s 小时 %(m)s 分", h=hours, m=minutes)


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _saved(detail: Mapping[str, Any], numbers: Mapping[str, int]) -> list[str]:
    question = detail.get("question")
    return [_("第 %(n)s 题", n=numbers[question])] if isinstance(question, str) and question in numbers else []


def _finished(detail: Mapping[str, Any], _numbers: Mapping[str, int]) -> list[str]:
    parts = [finish_reason_label(detail.get("reason"))]
    if _number(detail.get("score")):
        parts.append(_("%(score)s 分", score=format_number(detail["score"])))
    return [part for part in parts if part]


def _started(detail: Mapping[str, Any], _numbers: Mapping[str, int]) -> list[str]:
    parts = [_("试卷第 %(n)s 版", n=detail["version"])] if _number(detail.get("version")) else []
    return [*parts, _("补考")] if detail.get("makeup") is True else parts


def _extra_time(detail: Mapping[str, Any], _numbers: Mapping[str, int]) -> list[str]:
    if not _number(detail.get("minutes")):
        return []
    parts = [_("延长 %(n)s 分钟", n=detail["minutes"])]
    return [*parts, _("操作人 %(who)s", who=detail["by"])] if detail.get("by") else parts


def _away(detail: Mapping[str, Any], _numbers: Mapping[str, int]) -> list[str]:
    if not _number(detail.get("seconds")):
        return []
    parts = [_("离开 %(t)s", t=_seconds(detail["seconds"]))]
    if _number(detail.get("idle_seconds")) and detail["idle_seconds"] >= 1:
        parts.append(_("此前 %(t)s无操作", t=_seconds(detail["idle_seconds"])))
    return parts


def _arrival(detail: Mapping[str, Any], _numbers: Mapping[str, int]) -> list[str]:
    if _number(detail.get("hidden_seconds")):
        return [_("页面在后台 %(t)s后重新加载", t=_seconds(detail["hidden_seconds"]))]
    if _number(detail.get("away_seconds")):
        return [_("离开 %(t)s", t=_seconds(detail["away_seconds"]))]
    return []


def _online(detail: Mapping[str, Any], _numbers: Mapping[str, int]) -> list[str]:
    return [_("断开 %(t)s", t=_seconds(detail["seconds"]))] if _number(detail.get("seconds")) else []


_DESCRIBE = {
    "answer_saved": _saved, "submitted": _finished, "expired": _finished, "started": _started,
    "extra_time": _extra_time, rules.TAB_SWITCH: _away, rules.SCREEN_OFF: _away, rules.PAGE_RELOAD: _arrival,
    rules.PAGE_RETURN: _arrival, rules.ONLINE: _online,
}


def describe(kind: str, detail: Mapping[str, Any] | None, question_numbers: Mapping[str, int]) -> str:
    """The detail of one event in words (never its keys or codes); "" when there is nothing to say."""
    detail = detail or {}
    describer = _DESCRIBE.get(kind)
    parts = describer(detail, question_numbers) if describer else []
    if _number(detail.get("delay")) and detail["delay"] >= 1:
        parts.append(_("恢复网络后补报"))
    return " · ".join(parts)


@dataclass(frozen=True)
class EvidenceRow:
    at: datetime
    kind: str
    label: str
    text: str
    is_switch: bool


def timeline(events: Iterable[Any], paper: Mapping[str, Any]) -> list[EvidenceRow]:
    """Events (anything with ``at``, ``kind`` and ``detail``) as rows people read."""
    numbers = {q["id"]: n for n, q in enumerate(paper.get("questions", []), start=1)}
    return [EvidenceRow(e.at, e.kind, event_label(e.kind), describe(e.kind, e.detail, numbers),
                        rules.is_switch(e.kind)) for e in events]


def away_summary(kinds: Iterable[str]) -> list[str]:
    """Times the person was away in ways that are not switches, in words ("离开答题页 1 次", "断网 1 次")."""
    counted = Counter(kinds)
    totals = [(sum(counted[kind] for kind in group), text) for group, text in AWAY_KINDS]
    return [_(text, n=total) for total, text in totals if total]
