"""The month's training pack, pure: its statuses, the trainer's lesson order (up/down), and the words of the
announcement that publishes it. No Flask, no database."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from lms.courses.rules import is_valid_period, period_label

DRAFT, PUBLISHED = "draft", "published"
STATUS_LABELS = {DRAFT: "草稿", PUBLISHED: "已发布"}
UP, DOWN = "up", "down"
TITLE_MAX = 200
MAX_LESSONS = 30  # a month's pack a manager can study before the test; more is a catalogue, not a pack


def default_title(period: str) -> str:
    """``2026-12`` → ``2026年12月培训包``."""
    return f"{period_label(period)}培训包"


def period_problems(period: str, taken: Iterable[str]) -> list[str]:
    """Why a new pack cannot be made for ``period`` (empty: it can)."""
    if not is_valid_period(period):
        return ["月份：请按 YYYY-MM 填写，例如 2026-12"]
    if period in set(taken):
        return [f"{period_label(period)}的培训包已存在，请直接修改"]
    return []


def chosen_order(previous: Sequence[int], chosen: Iterable[int]) -> list[int]:
    """The pack's lessons after the checkboxes changed: those kept stay in the trainer's order, newly ticked ones
    go to the end (in the order given), unticked ones leave."""
    wanted = list(dict.fromkeys(chosen))
    kept = [lesson_id for lesson_id in dict.fromkeys(previous) if lesson_id in wanted]
    return kept + [lesson_id for lesson_id in wanted if lesson_id not in kept]


def move(order: Sequence[int], lesson_id: int, direction: str) -> list[int]:
    """``order`` with ``lesson_id`` one place up or down; unchanged at either end or when it is not there."""
    result = list(order)
    if lesson_id not in result or direction not in (UP, DOWN):
        return result
    index = result.index(lesson_id)
    other = index - 1 if direction == UP else index + 1
    if 0 <= other < len(result):
        result[index], result[other] = result[other], result[index]
    return result


def parse_move(value: str) -> tuple[str, int] | None:
    """A move button's value, ``up:12`` or ``down:12`` → (direction, lesson id); anything else → None."""
    direction, _sep, number = (value or "").partition(":")
    if direction not in (UP, DOWN) or not number.isdigit() or len(number) > 9:
        return None
    return direction, int(number)


def content_problems(title: str, lesson_count: int) -> list[str]:
    problems = []
    if not title.strip():
        problems.append("标题：请填写标题")
    elif len(title.strip()) > TITLE_MAX:
        problems.append(f"标题：不能超过 {TITLE_MAX} 个字符")
    if lesson_count > MAX_LESSONS:
        problems.append(f"课程：一个培训包最多 {MAX_LESSONS} 节课程")
    return problems


@dataclass(frozen=True)
class Link:
    title: str
    path: str


def announcement_text(period: str, title: str, lessons: Sequence[Link], quiz: Link | None, *,
                      again: bool = False) -> tuple[str, str]:
    """The announcement that publishes a pack (or tells again after a change): (title, Markdown body).

    Written in Chinese whatever the trainer's interface language: it is the announcement's content, stored once and
    sent as is (inbox, e-mail, group robots), so pages show it as written, like any author's announcement."""
    month = period_label(period)
    heading = f"{title}已更新" if again else f"{title}已发布"
    intro = (f"{month}培训包有调整，现共 {len(lessons)} 节课程：" if again
             else f"{month}培训包共 {len(lessons)} 节课程，请按顺序学习：")
    lines = [intro, ""]
    lines += [f"{number}. [{lesson.title}]({lesson.path})" for number, lesson in enumerate(lessons, start=1)]
    if quiz is not None:
        lines += ["", f"本月考试：[{quiz.title}]({quiz.path})，请在考试开放期间参加。"]
    return heading, "\n".join(lines)
