"""A month's shop pack for the outreach tests: a manager with two shops (and another manager's shop), lessons for
shops (this month's, one without a month, another month's, one not for shops) and three check questions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lms.core.clock import period_of, utcnow
from lms.courses import services as courses
from lms.courses.rules import LessonMeta
from lms.quizzes import bank_services
from lms.quizzes.specs import QuestionSpec
from tests.support.visits import add_shop


@dataclass
class World:
    trainer: Any
    manager: Any
    other_manager: Any
    shops: list[Any]
    other_shop: Any
    period: str


def lesson(trainer: Any, slug: str, title: str, *, for_shops: bool = True, period: str | None = None,
           body: str = "给顾客讲清楚：购机直降 300 元。") -> Any:
    meta = LessonMeta(title=title, category="policy-handset", period=period, for_shops=for_shops)
    return courses.create_web_lesson(slug=slug, meta=meta, body=body, author=trainer, publish=True)


def check_questions(trainer: Any, lesson_slug: str) -> list[Any]:
    now = utcnow()
    bank = bank_services.create_bank("门店测验", by=trainer, now=now)
    specs = [
        QuestionSpec(key="", type="single", stem="购机直降多少元？", options=("100 元", "300 元", "500 元"),
                     correct=(1,), lesson=lesson_slug),
        QuestionSpec(key="", type="multiple", stem="哪些需要实名？", options=("开卡", "办宽带", "买充电线"),
                     correct=(0, 1), lesson=lesson_slug),
        QuestionSpec(key="", type="truefalse", stem="直降可以和其他优惠叠加。", truth=False, lesson=lesson_slug),
    ]
    return [bank_services.create_question(bank, spec, by=trainer, now=now) for spec in specs]


def shop_world(make_user: Any) -> World:
    trainer = make_user("trainer", name="培训师")
    manager = make_user("manager", name="王经理")
    other = make_user("manager", name="李经理")
    period = period_of(utcnow())
    lesson(trainer, "shop-subsidy", "十二月购机直降", period=period)
    lesson(trainer, "shop-realname", "实名制要点")
    lesson(trainer, "shop-old", "旧月份的政策", period="2001-01")
    lesson(trainer, "manager-commission", "酬金规则（经理看）", for_shops=False, period=period)
    check_questions(trainer, "shop-subsidy")
    shops = [add_shop(manager, code="S001", name="东城手机店"), add_shop(manager, code="S002", name="西城营业厅")]
    other_shop = add_shop(other, code="S900", name="别家门店")
    return World(trainer, manager, other, shops, other_shop, period)


RIGHT = {"single": ["B"], "multiple": ["A", "B"], "truefalse": ["F"]}


def read_check_and_confirm(shop: Any, name: str) -> None:
    """A shop's staff on their own phone (Playwright): the check of ``check_questions`` answered right, then the
    reading confirmed with ``name``."""
    questions = shop.locator(".shop-question")
    questions.nth(0).locator("label", has_text="300 元").click()
    questions.nth(1).locator("label", has_text="开卡").click()
    questions.nth(1).locator("label", has_text="办宽带").click()
    questions.nth(2).locator("label", has_text="错误").click()
    shop.click("text=提交答案")
    shop.wait_for_selector("text=测验通过：答对 3 / 3 题。")
    shop.fill("#staff_name", name)
    shop.click("text=我们已学习")
    shop.wait_for_selector(f"text=已确认学习：{name}")
