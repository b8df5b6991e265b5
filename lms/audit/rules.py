"""What an audit entry can say: the acts recorded, their labels, and how a change is described. Pure."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

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
    LEDGER_REVERSED: "冲正台账",
    LEDGER_DECIDED: "台账处理决定",
    NOTICE_PUBLISHED: "发布通报",
    CERTIFICATE_REVOKED: "吊销证书",
    PERSONAL_DATA_EXPORTED: "导出个人数据",
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
