"""Group robots an administrator configures (WeCom, DingTalk, a JSON webhook), and a test message to one."""

from __future__ import annotations

from datetime import datetime

from lms.accounts import rules as account_rules
from lms.accounts.models import User
from lms.announcements.delivery import queue_for_robots
from lms.announcements.models import GroupRobot
from lms.announcements.payloads import ROBOT_KINDS
from lms.core.clock import utcnow
from lms.core.errors import Forbidden, NotFound, ValidationFailed
from lms.extensions import db
from lms.org.models import COUNTY, GRID, Unit


def save_robot(viewer: User, *, name: str, kind: str, url: str, secret: str = "", msgtype: str = "markdown",
               unit_id: int | None = None, robot_id: int | None = None) -> GroupRobot:
    if viewer.role != account_rules.ADMIN:
        raise Forbidden("只有管理员可以配置群机器人")
    problems = []
    name, url, secret = name.strip(), url.strip(), secret.strip()
    if not name or len(name) > 100:
        problems.append("名称：请填写（不超过100个字符）")
    if kind not in ROBOT_KINDS:
        problems.append("类型无效")
    if not url.startswith(("https://", "http://")) or len(url) > 500 or any(c.isspace() for c in url):
        problems.append("地址：请填写以 https:// 开头的完整地址")
    if msgtype not in ("markdown", "text"):
        problems.append("消息格式无效")
    unit = db.session.get(Unit, unit_id) if unit_id else None
    if unit_id and (unit is None or unit.kind not in (COUNTY, GRID)):
        problems.append("所属单位无效")
    if problems:
        raise ValidationFailed("群机器人未保存", problems)
    robot = db.session.get(GroupRobot, robot_id) if robot_id else None
    if robot_id and robot is None:
        raise NotFound("群机器人不存在")
    if robot is None:
        robot = GroupRobot()
        db.session.add(robot)
    robot.name, robot.kind, robot.url, robot.msgtype = name, kind, url, msgtype
    robot.secret = secret or (robot.secret if robot_id else None)
    robot.county_id = (unit.parent_id if unit is not None and unit.kind == GRID else unit.id if unit else None)
    robot.grid_id = unit.id if unit is not None and unit.kind == GRID else None
    robot.active = True
    db.session.commit()
    return robot


def set_robot_active(viewer: User, robot_id: int, active: bool) -> GroupRobot:
    if viewer.role != account_rules.ADMIN:
        raise Forbidden("只有管理员可以配置群机器人")
    robot = db.session.get(GroupRobot, robot_id)
    if robot is None:
        raise NotFound("群机器人不存在")
    robot.active = active
    db.session.commit()
    return robot


def queue_robot_test(viewer: User, robot_id: int, *, now: datetime | None = None) -> int:
    """A test message to one robot, through the outbox like any other (sent by the next ``outbox send``)."""
    now = now or utcnow()
    if viewer.role != account_rules.ADMIN:
        raise Forbidden("只有管理员可以配置群机器人")
    robot = db.session.get(GroupRobot, robot_id)
    if robot is None:
        raise NotFound("群机器人不存在")
    count = queue_for_robots(db.session, [robot], event_key=f"robot-test:{robot.id}:{now.isoformat()}",
                             kind="test", subject="测试消息", body=f"这是来自培训考核平台的测试消息（{robot.name}）。",
                             link="", now=now)
    db.session.commit()
    return count
