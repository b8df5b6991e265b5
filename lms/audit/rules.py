"""What an audit entry can say: the acts recorded, their labels, and how a change is described. Pure."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from lms.accounts.rules import ROLE_LABELS
from lms.assessment.appeal_rules import STATE_LABELS as APPEAL_STATE_LABELS
from lms.assessment.rules import FIRST_FAIL_LABELS, POLICY_FIELDS, RANKING_SCOPE_LABELS
from lms.assessment.rules import KIND_LABELS as LEDGER_KIND_LABELS
from lms.assessment.rules import SYSTEMS as OPERATED_SYSTEMS
from lms.core.clock import to_local
from lms.field.rules import SHOP_KIND_LABELS
from lms.outreach.session_rules import KINDS as SHOP_SESSION_KINDS
from lms.quizzes import rules as quiz_rules
from lms.quizzes.question_types import TYPES as QUESTION_TYPES

# Administrative acts. The stored code is stable (searching, exports); the label is for people.
PERSON_CREATED = "person.created"
ROLE_CHANGED = "person.role_changed"
UNIT_CHANGED = "person.unit_changed"
NAME_CHANGED = "person.name_changed"
PERSON_DEACTIVATED = "person.deactivated"
PERSON_REACTIVATED = "person.reactivated"
PASSWORD_RESET = "password.reset"  # noqa: S105 - an act's name, not a secret
PASSWORD_CHANGED = "password.changed"  # noqa: S105 - an act's name, not a secret
SESSION_ENDED = "session.ended"
ROSTER_IMPORTED = "roster.imported"
TOKEN_CREATED = "token.created"  # noqa: S105 - an act's name, not a secret
TOKEN_REVOKED = "token.revoked"  # noqa: S105 - an act's name, not a secret
SETTING_CHANGED = "setting.changed"
LEDGER_REVERSED = "ledger.reversed"
LEDGER_DECIDED = "ledger.decided"
NOTICE_PUBLISHED = "notice.published"
CERTIFICATE_REVOKED = "certificate.revoked"
PERSONAL_DATA_EXPORTED = "export.personal_data"
PERIOD_CLOSED = "assessment.period_closed"
POLICY_VERSION_CREATED = "assessment.policy_version"
DEDUCTION_RECORDED = "ledger.deduction_recorded"
INDICATORS_IMPORTED = "assessment.indicators_imported"
LESSON_TAKEN_OVER = "lesson.taken_over"
PACK_PUBLISHED = "pack.published"
PACK_CHANGED = "pack.changed"
BANK_CREATED = "bank.created"
QUESTION_CREATED = "question.created"
QUESTION_EDITED = "question.edited"
QUESTION_RETIRED = "question.retired"
QUESTION_RESTORED = "question.restored"
QUESTIONS_TAGGED = "question.tagged"
QUESTIONS_IMPORTED = "question.imported"
QUIZ_CREATED = "quiz.created"
QUIZ_EDITED = "quiz.edited"
QUIZ_PUBLISHED = "quiz.published"
QUIZ_TAKEN_OVER = "quiz.taken_over"
PHONE_CHANGED = "person.phone_changed"
UNIT_CREATED = "unit.created"
UNIT_RENAMED = "unit.renamed"
UNIT_MOVED = "unit.moved"
UNIT_DEACTIVATED = "unit.deactivated"
UNIT_REACTIVATED = "unit.reactivated"
UNIT_PLACE_SET = "unit.place_set"
FIELD_DATA_PURGED = "field.data_purged"
APPEAL_OPENED = "appeal.opened"
APPEAL_COMMENTED = "appeal.commented"
APPEAL_UPHELD = "appeal.upheld"
APPEAL_REJECTED = "appeal.rejected"
CHECKLIST_SAVED = "field.checklist_saved"
TICKET_ANSWERED = "field.ticket_answered"
TICKET_CLOSED = "field.ticket_closed"
CANDIDATE_CONFIRMED = "field.candidate_confirmed"
CANDIDATE_DISMISSED = "field.candidate_dismissed"
SHOP_CREATED = "shop.created"
SHOP_EDITED = "shop.edited"
SHOP_CLOSED = "shop.closed"
SHOP_REOPENED = "shop.reopened"
SHOPS_IMPORTED = "shops.imported"
SHOP_LINK_MADE = "shop.link_made"
SHOP_LINK_REVOKED = "shop.link_revoked"
SHOP_SESSION_SCHEDULED, SHOP_SESSION_EDITED = "shop_session.scheduled", "shop_session.edited"
SHOP_SESSION_CANCELLED, SHOP_SESSION_CHECKIN_REMOVED = "shop_session.cancelled", "shop_session.checkin_removed"
DAY_ASSIGNED = "field.day_assigned"
FIELD_WEIGHTS_CHANGED = "field.indicator_weights"

ACTION_LABELS: dict[str, str] = {
    PERSON_CREATED: "新增人员",
    ROLE_CHANGED: "角色变更",
    UNIT_CHANGED: "单位变更",
    NAME_CHANGED: "姓名变更",
    PERSON_DEACTIVATED: "停用人员",
    PERSON_REACTIVATED: "启用人员",
    PASSWORD_RESET: "重置密码",
    PASSWORD_CHANGED: "修改密码",
    SESSION_ENDED: "结束登录会话",
    ROSTER_IMPORTED: "导入花名册",
    TOKEN_CREATED: "创建 API 令牌",
    TOKEN_REVOKED: "吊销 API 令牌",
    SETTING_CHANGED: "修改设置",
    LEDGER_REVERSED: "台账冲销",
    LEDGER_DECIDED: "岗位调整决定",
    NOTICE_PUBLISHED: "发布通报",
    CERTIFICATE_REVOKED: "证书撤销",
    PERSONAL_DATA_EXPORTED: "导出个人数据",
    PERIOD_CLOSED: "月度结账",
    DEDUCTION_RECORDED: "执行力扣分登记",
    INDICATORS_IMPORTED: "考核指标导入",
    LESSON_TAKEN_OVER: "在浏览器中接管课程",
    PACK_PUBLISHED: "发布培训包",
    PACK_CHANGED: "修改已发布的培训包",
    BANK_CREATED: "新建题库",
    QUESTION_CREATED: "新增题目",
    QUESTION_EDITED: "修改题目",
    QUESTION_RETIRED: "停用题目",
    QUESTION_RESTORED: "恢复题目",
    QUESTIONS_TAGGED: "批量修改题目标签",
    QUESTIONS_IMPORTED: "导入题目",
    QUIZ_CREATED: "新建考试",
    QUIZ_EDITED: "修改考试",
    QUIZ_PUBLISHED: "发布考试",
    QUIZ_TAKEN_OVER: "接管文件考试",
    PHONE_CHANGED: "手机号变更",
    UNIT_CREATED: "新增单位",
    UNIT_RENAMED: "单位改名",
    UNIT_MOVED: "网格调整所属县区",
    UNIT_DEACTIVATED: "停用单位",
    UNIT_REACTIVATED: "启用单位",
    UNIT_PLACE_SET: "设置营业厅位置",
    FIELD_DATA_PURGED: "清除到期的外勤照片和位置",
    APPEAL_OPENED: "提出申诉",
    APPEAL_COMMENTED: "填写申诉意见",
    APPEAL_UPHELD: "申诉成立",
    APPEAL_REJECTED: "驳回申诉",
    POLICY_VERSION_CREATED: "考核规则新版本",
    CHECKLIST_SAVED: "修改拜访检查表",
    TICKET_ANSWERED: "答复门店工单",
    TICKET_CLOSED: "关闭门店工单",
    CANDIDATE_CONFIRMED: "确认拜访扣分",
    CANDIDATE_DISMISSED: "驳回拜访扣分",
    SHOP_CREATED: "新增渠道",
    SHOP_EDITED: "修改渠道",
    SHOP_CLOSED: "关闭渠道",
    SHOP_REOPENED: "重新启用渠道",
    SHOP_LINK_MADE: "生成门店学习链接",
    SHOP_LINK_REVOKED: "作废门店学习链接",
    SHOP_SESSION_SCHEDULED: "安排门店培训", SHOP_SESSION_EDITED: "修改门店培训", SHOP_SESSION_CANCELLED: "取消门店培训",
    SHOP_SESSION_CHECKIN_REMOVED: "撤销门店培训签到",
    SHOPS_IMPORTED: "导入渠道",
    DAY_ASSIGNED: "布置当日工作",
    FIELD_WEIGHTS_CHANGED: "修改过程指标分值",
}

# Who acted when no person did: a command run on the server, or the platform itself (a scheduled job).
COMMAND_LINE = "cli"
SYSTEM = "system"


def describe_changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """``{field: [old, new]}`` for each field whose value differs; fields only on one side count as changed."""
    changed: dict[str, list[Any]] = {}
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        if old != new:
            changed[key] = [old, new]
    return changed


def action_label(action: str) -> str:
    return ACTION_LABELS.get(action, action)


# --- reading an entry ---------------------------------------------------------------------------------------------

# What the keys of ``changes`` mean, for people. A key not listed here is shown as it is stored.
FIELD_LABELS: dict[str, str] = {
    "role": "角色",
    "name": "姓名",
    "county": "县区",
    "grid": "网格",
    "unit": "单位",
    "phone": "手机",
    "active": "状态",
    "must_change_password": "须改密码",
    "decision": "决定",
    "period": "考核周期",
    "kind": "类型",
    "amount_yuan": "金额（元）",
    "points": "分数",
    "entry": "记录编号",
    "what": "内容",
    "format": "格式",
    "filters": "筛选条件",
    "rows": "行数",
    "file": "文件",
    "created": "新增",
    "updated": "更新",
    "deactivated": "停用",
    "scopes": "权限范围",
    "expires_at": "到期时间",
    "link": "门店链接编号",
    "sessions": "会话数",
    "code": "编号",
    "refused": "未接受",
    "signed_in_at": "登录时间",
    "tests": "考试数",
    "outcomes": "考核结果数",
    "entries": "台账记录数",
    "system": "系统",
    "title": "标题",
    "version": "版本",
    "status": "状态",
    # shop visits (lms.field)
    "checklist_version": "检查表版本",
    "items": "检查项数",
    "ticket": "工单编号",
    "shop": "门店",
    "category": "问题类别",
    "candidate": "待确认扣分编号",
    # an audit log export's filters
    "action": "操作类型",
    "actor": "操作人",
    "target": "对象人员",
    "start": "起始日期",
    "end": "截止日期",
    "q": "关键词",
    # a training pack's changes
    "lessons": "课程",
    "quiz": "考试",
    "notified": "已再次通知",
    # a bank question's changes (lms.quizzes.bank_services)
    "type": "题型",
    "stem": "题干",
    "options": "选项",
    "correct": "正确答案",
    "truth": "判断题答案",
    "accepted": "可接受的答案",
    "explanation": "解析",
    "tags": "标签",
    "difficulty": "难度",
    "lesson": "关联课程",
    "question_name": "题目名称",
    "extra": "其他属性",  # entries written before the name was named on its own
    "added": "加上此标签的题目",
    "removed": "去掉此标签的题目",
    # a question file imported into a bank (lms.quizzes.imports)
    "new": "新题",
    "unchanged": "未变",
    "skipped": "跳过",
    "pictures": "图片",
    # a unit's changes (lms.org.services)
    "unit_name": "单位名称",
    "latitude": "纬度",
    "longitude": "经度",
    "checkins_purged": "清除的签到数",
    "visits_purged": "清除的拜访数",
    "activities_purged": "清除的地面活动数",
    "shop_reports_purged": "清除照片的门店自报问题数",
    "photos_deleted": "删除的照片数",
    "retention_days": "保留天数",
    "oldest_kept": "保留的最早签到",
    "level": "层级",
    "people": "人数",
    "in_use": "使用状态",
    # an appeal's acts (lms.assessment.appeals)
    "appeal": "申诉编号",
    "attachment": "附件",
    "appeal_state": "申诉状态",
    "reversal": "冲销记录编号",
    # a shop's changes (lms.field.shops)
    "star": "星级",
    "manager": "负责人",
    "address": "地址",
    "position": "坐标",
    # a training session for shops (lms.outreach.session_services)
    "session_kind": "培训方式", "place": "地点", "starts_at": "开始时间", "ends_at": "结束时间", "shops": "邀请的门店",
    "checked_in_at": "签到时间",
    # a policy version's fields (lms.assessment.rules.POLICY_FIELDS)
    "effective_from": "生效月份",
    **POLICY_FIELDS,
    # the field day: a day's assignment (lms.field.daily_services), process indicator points (lms.field.indicators)
    "day": "日期",
    "text": "工作安排",
    # (lms.field.indicator_rules.PROCESS_INDICATORS' keys and labels, kept here so these rules import no other domain)
    "checkin_rate": "签到率",
    "visit_compliance": "拜访达标率",
    "daily_report_rate": "日报提交率",
    "tickets_in_time": "工单及时办结率",
    "shop_coverage": "门店学习覆盖率",
}

# Values shown through a label (a stored code the reader should never see): field -> {code: label}.
VALUE_LABELS: dict[str, dict[Any, str]] = {
    "role": dict(ROLE_LABELS),
    "active": {True: "在职", False: "停用"},
    "decision": {"confirmed": "已确认", "rejected": "已驳回"},
    "appeal_state": dict(APPEAL_STATE_LABELS),
}
YES_NO = {True: "是", False: "否"}

# What a personal-data export held (the ``what`` of its entry): a stable code, shown by its label.
EXPORT_ASSESSMENT_PERIOD = "assessment_period"
EXPORT_NOTICE = "assessment_notice"
EXPORT_BOARD = "reports_board"
EXPORT_REPORT_PERIOD = "reports_period"
EXPORT_PERSON = "reports_person"
EXPORT_SUGGESTIONS = "reports_suggestions"
EXPORT_CERTIFICATES = "certificates_period"
EXPORT_AUDIT_LOG = "audit_log"
EXPORT_FIELD_DAILY = "field_daily"
EXPORT_FIELD_CHECKINS = "field_checkins"
EXPORT_FIELD_VISIT_COMPLIANCE = "field_visit_compliance"
EXPORT_OUTREACH_COVERAGE = "outreach_coverage"
EXPORT_LABELS = {
    EXPORT_ASSESSMENT_PERIOD: "考核结果与台账",
    EXPORT_NOTICE: "考核通报",
    EXPORT_BOARD: "考核看板",
    EXPORT_REPORT_PERIOD: "考核期报表",
    EXPORT_PERSON: "个人考核档案",
    EXPORT_SUGGESTIONS: "点对点培训建议",
    EXPORT_CERTIFICATES: "证书批量下载",
    EXPORT_AUDIT_LOG: "审计日志",
    EXPORT_FIELD_DAILY: "工作日报看板",
    EXPORT_FIELD_CHECKINS: "签到统计",
    EXPORT_FIELD_VISIT_COMPLIANCE: "拜访达标",
    EXPORT_OUTREACH_COVERAGE: "门店学习覆盖",
}
VALUE_LABELS["what"] = dict(EXPORT_LABELS)
# a ledger entry's, a quiz's or a shop's kind
VALUE_LABELS["kind"] = {**LEDGER_KIND_LABELS, **quiz_rules.KIND_LABELS, **SHOP_KIND_LABELS}
VALUE_LABELS["status"] = dict(quiz_rules.STATUS_LABELS)
VALUE_LABELS["first_fail_action"] = dict(FIRST_FAIL_LABELS)
VALUE_LABELS["ranking_scope"] = dict(RANKING_SCOPE_LABELS)
VALUE_LABELS["type"] = {name: qtype.label for name, qtype in QUESTION_TYPES.items()}
VALUE_LABELS["action"] = dict(ACTION_LABELS)
VALUE_LABELS["system"] = dict(OPERATED_SYSTEMS)
VALUE_LABELS["level"] = {"city": "市公司", "county": "县区", "grid": "网格"}
VALUE_LABELS["in_use"] = {True: "在用", False: "停用"}
VALUE_LABELS["session_kind"] = dict(SHOP_SESSION_KINDS)
EMPTY = "—"


@dataclass(frozen=True)
class ChangeLine:
    """One line of "what changed": ``field: old → new``, or ``field: value`` for a fact of the act (a count, a file).
    ``translate`` (``translate_old``) says the new (old) value is a catalogue label (a role), to be shown in the
    reader's language; otherwise it is data (a name, a unit), shown as stored."""

    field: str
    new: str
    old: str | None = None
    translate: bool = False
    translate_old: bool = False

    @property
    def is_change(self) -> bool:
        return self.old is not None


def _value_text(field: str, value: Any) -> tuple[str, bool]:
    """``(text, is_label)`` for one stored value."""
    if value is None or value == "":
        return EMPTY, False
    labels = VALUE_LABELS.get(field, {})
    if isinstance(value, bool):
        return labels.get(value, YES_NO[value]), True
    if isinstance(value, str) and value in labels:
        return labels[value], True
    if isinstance(value, list | tuple):
        return "、".join(_value_text(field, v)[0] for v in value) or EMPTY, False
    if field.endswith("_at") and isinstance(value, str):
        return _moment(value), False
    text = str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
    return text, False


def _moment(text: str) -> str:
    """A moment stored as ISO 8601 (``signed_in_at``), in local time as the pages show times; other text as it is."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return text
    return to_local(moment).strftime("%Y-%m-%d %H:%M") if moment.tzinfo is not None else text


def change_lines(changes: Mapping[str, Any] | None) -> list[ChangeLine]:
    """An entry's ``changes`` as lines a person reads: a ``[old, new]`` pair as a change, anything else as a fact."""
    lines = []
    for key, value in (changes or {}).items():
        if isinstance(value, Mapping):  # a group of facts (an export's filters): one line each
            lines.extend(change_lines(value))
            continue
        label = FIELD_LABELS.get(key, key)
        if isinstance(value, list) and len(value) == 2:  # [old, new]: describe_changes' shape
            old, old_label = _value_text(key, value[0])
            new, new_label = _value_text(key, value[1])
            lines.append(ChangeLine(label, new, old, translate=new_label, translate_old=old_label))
        else:
            text, is_label = _value_text(key, value)
            lines.append(ChangeLine(label, text, translate=is_label))
    return lines

# Who acted, when no person did, in words.
ACTOR_LABELS = {COMMAND_LINE: "命令行", SYSTEM: "系统"}
