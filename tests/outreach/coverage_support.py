"""December 2026's shop pack out in the shops of two counties, for the coverage tests (queries, pages, browser).

城区 / 东城网格: 王芳's terminal shop S01 read and passed, her business shop S02 opened and failed the check, her
village shop S03 never given a link; 李强's S04 had a link that expired in November and never opened it, his S05 is
closed (not counted), his S06 was added on 3 December and never given a link. 城区 / 西城网格: 赵磊's S07 read and
passed. 郊县 / 北网格: 孙丽's S08 opened, failed, not read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from lms.extensions import db
from lms.field.models import Shop
from lms.outreach.models import ShopLink, ShopReading
from tests.outreach.support import check_questions, lesson

PERIOD = "2026-12"
NOW = datetime(2026, 12, 9, 2, tzinfo=UTC)  # Wednesday 10:00 in Shanghai
ADDED = datetime(2026, 10, 1, 2, tzinfo=UTC)


def at(month: int, day: int, year: int = 2026) -> datetime:
    return datetime(year, month, day, 2, tzinfo=UTC)


@dataclass
class CoverageWorld:
    people: dict[str, Any]
    shops: dict[str, Shop]
    keys: list[str]  # the check's question keys, "<bank id>:<key>", in the bank's order


def add_shop(manager: Any, code: str, kind: str, star: int, *, name: str | None = None, added: datetime = ADDED,
             active: bool = True) -> Shop:
    shop = Shop(code=code, name=name or f"{code}店", kind=kind, star=star, grid_id=manager.grid_id,
                manager_id=manager.id, active=active, created_at=added)
    db.session.add(shop)
    db.session.flush()
    return shop


def link(shop: Shop, made: datetime, expires: datetime, revoked: datetime | None = None) -> None:
    db.session.add(ShopLink(shop_id=shop.id, nonce=f"n{shop.id}-{made:%m%d}", created_at=made, expires_at=expires,
                            revoked_at=revoked))


def reading(shop: Shop, results: dict[str, bool] | None = None, *, confirmed: bool = False,
            period: str = PERIOD) -> None:
    right = sum(1 for ok in (results or {}).values() if ok)
    score = round(100.0 * right / len(results), 1) if results else None
    db.session.add(ShopReading(shop_id=shop.id, period=period, opened_at=at(12, 3), last_opened_at=at(12, 3),
                               opens=1, checked_at=at(12, 3) if results else None, check_score=score,
                               check_passed=None if score is None else score >= 80, check_results=results,
                               confirmed_at=at(12, 4) if confirmed else None,
                               staff_name="张三" if confirmed else None))


def coverage_world(make_user: Any) -> CoverageWorld:
    trainer = make_user("trainer", name="培训师")
    lesson(trainer, "shop-subsidy", "十二月购机直降", period=PERIOD)
    questions = check_questions(trainer, "shop-subsidy")
    q1, q2, q3 = (f"{q.bank_id}:{q.key}" for q in questions)
    people = {"wang": make_user(name="王芳"), "li": make_user(name="李强"),
              "zhao": make_user(name="赵磊", grid="西城网格"),
              "sun": make_user(name="孙丽", county="郊县", grid="北网格")}
    wang, li, zhao, sun = people.values()
    shops = {
        "S01": add_shop(wang, "S01", "terminal", 5, name="东城旗舰店"),
        "S02": add_shop(wang, "S02", "business", 3, name="东城合作厅"),
        "S03": add_shop(wang, "S03", "village", 1, name="王家村代办点"),
        "S04": add_shop(li, "S04", "terminal", 4, name="李家手机店"),
        "S05": add_shop(li, "S05", "business", 2, name="已关闭的店", active=False),
        "S06": add_shop(li, "S06", "village", 2, name="新开村点", added=at(12, 3)),
        "S07": add_shop(zhao, "S07", "business", 2, name="西城合作厅"),
        "S08": add_shop(sun, "S08", "village", 2, name="郊县村点"),
    }
    in_force = at(3, 1, 2027)
    link(shops["S01"], at(12, 2), in_force)
    link(shops["S02"], at(12, 2), in_force)
    link(shops["S04"], at(10, 1), at(11, 1))  # expired before December
    link(shops["S05"], at(12, 2), in_force)
    link(shops["S07"], at(12, 1), in_force)
    link(shops["S08"], at(12, 1), in_force)
    reading(shops["S01"], {q1: True, q2: True, q3: True}, confirmed=True)
    reading(shops["S02"], {q1: False, q2: True, q3: False})
    reading(shops["S05"], {q1: False, q2: False, q3: False}, confirmed=True)  # closed: never counted
    reading(shops["S07"], {q1: False, q2: True, q3: True}, confirmed=True)
    reading(shops["S08"], {q1: False, q2: False, q3: True})
    db.session.commit()
    return CoverageWorld({**people, "trainer": trainer}, shops, [q1, q2, q3])
