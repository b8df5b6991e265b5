"""Importing the other indicators of the wider assessment (工号,指标,得分) into a period that is not closed yet;
the close adds them to the unified score."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import insert, select

from lms.accounts import rules as account_rules
from lms.accounts.access import can_view_person
from lms.accounts.models import User
from lms.assessment.models import Indicator
from lms.assessment.services import check_period, is_closed
from lms.audit import rules as audit_rules
from lms.audit import services as audit
from lms.core.errors import Conflict, Forbidden, ValidationFailed
from lms.core.tabular import read_table
from lms.extensions import db

INDICATOR_HEADERS = {"employee_no": "employee_no", "工号": "employee_no", "indicator": "name", "指标": "name",
                     "points": "points", "得分": "points", "分值": "points"}


def import_indicators(period: str, data: bytes, filename: str, *, actor: User) -> int:  # noqa: PLR0912 - one check per cell reads best flat
    """Other indicators of the wider assessment (工号,指标,得分), replacing the period's earlier import.
    Every row is checked first; one bad row and nothing is written."""
    check_period(period)
    if actor.role not in (account_rules.SUPERVISOR, account_rules.ADMIN):
        raise Forbidden("只有主管或管理员可以导入考核指标")
    if is_closed(period):
        raise Conflict(f"{period} 已结账，不能再导入指标")
    table = read_table(data, filename, max_rows=current_app.config["LMS_ROSTER_MAX_ROWS"],
                       max_bytes=current_app.config["LMS_UPLOAD_MAX_BYTES"])
    columns = {INDICATOR_HEADERS.get(h.strip().lstrip("\ufeff").lower()): i for i, h in enumerate(table.header)}
    missing = [c for c in ("employee_no", "name", "points") if c not in columns]
    if missing:
        raise ValidationFailed(f"{filename}：表头缺少列", [f"第1行：缺少“{c}”（工号,指标,得分）" for c in missing])
    people = {u.employee_no: u for u in db.session.scalars(select(User).where(User.role == account_rules.MANAGER))}
    problems, rows, seen = [], [], set()
    for number, cells in table.rows:
        if not any(c.strip() for c in cells):
            continue
        def cell(key: str, cells: list[str] = cells) -> str:
            index = columns[key]
            return cells[index].strip() if index < len(cells) else ""
        person, name = people.get(cell("employee_no")), cell("name")
        try:
            points = float(cell("points"))
        except ValueError:
            problems.append(f"第{number}行：得分“{cell('points')}”不是数字")
            continue
        if person is None or not can_view_person(actor, person):
            problems.append(f"第{number}行：工号“{cell('employee_no')}”不是您管辖范围内的渠道经理")
        elif not name or len(name) > 100:
            problems.append(f"第{number}行：指标名称为空或超过100个字符")
        elif (person.id, name) in seen:
            problems.append(f"第{number}行：{person.employee_no} 的“{name}”重复")
        else:
            seen.add((person.id, name))
            rows.append({"period": period, "user_id": person.id, "name": name, "points": points,
                         "imported_by_id": actor.id})
    if problems:
        raise ValidationFailed(f"{filename}：有 {len(problems)} 行无法导入，未写入任何数据", problems)
    if not rows:
        raise ValidationFailed(f"{filename}：文件中没有数据行")
    for old in db.session.scalars(select(Indicator).where(Indicator.period == period,
                                                          Indicator.user_id.in_({r["user_id"] for r in rows}))):
        db.session.delete(old)
    db.session.flush()
    db.session.execute(insert(Indicator), rows)
    audit.record(audit_rules.INDICATORS_IMPORTED, actor=actor, subject=filename,
                 changes={"period": period, "file": filename, "rows": len(rows)})
    db.session.commit()
    return len(rows)
