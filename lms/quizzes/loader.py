"""Reading the ``quizzes/`` folder into a plan: files → definitions, with every problem named by file and line.

Reads files, writes nothing (the sync applies the plan in its own transaction).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from lms.core.errors import ValidationFailed
from lms.quizzes.definitions import BankDefinition, QuizDefinition
from lms.quizzes.quiz_files import QuizFileError, parse_quiz_file
from lms.quizzes.rules import WindowPolicy


@dataclass
class QuizzesPlan:
    quizzes: list[QuizDefinition] = field(default_factory=list)
    banks: list[BankDefinition] = field(default_factory=list)


def window_policy(config: dict[str, Any]) -> WindowPolicy:
    return WindowPolicy(first_day=int(config.get("LMS_WINDOW_FIRST_DAY", 1)),
                        last_day=int(config.get("LMS_WINDOW_LAST_DAY", 8)),
                        tz=ZoneInfo(config.get("LMS_TIMEZONE", "Asia/Shanghai")))


def plan_quizzes(config: dict[str, Any]) -> QuizzesPlan:
    root = Path(config["LMS_QUIZZES_DIR"])
    plan = QuizzesPlan()
    if not root.is_dir():
        return plan
    policy = window_policy(config)
    problems: list[str] = []
    seen: dict[tuple[str, str], str] = {}
    for file in sorted(root.rglob("*.yaml")):
        shown = f"{root.name}/{file.relative_to(root).as_posix()}"
        try:
            text = file.read_text(encoding="utf-8")
            parsed = parse_quiz_file(text, shown, policy)
        except UnicodeDecodeError:
            problems.append(f"{shown}:1: not UTF-8 text")
            continue
        except QuizFileError as exc:
            problems.extend(exc.problems)
            continue
        kind = "bank" if isinstance(parsed, BankDefinition) else "quiz"
        if (kind, parsed.slug) in seen:
            problems.append(f"{shown}:1: {kind} {parsed.slug!r} is already defined in {seen[(kind, parsed.slug)]}")
            continue
        seen[(kind, parsed.slug)] = shown
        if isinstance(parsed, BankDefinition):
            plan.banks.append(parsed)
        else:
            plan.quizzes.append(parsed)
    problems.extend(_check_draws(plan))
    if problems:
        raise ValidationFailed("quizzes/ has problems", problems)
    return plan


def _check_draws(plan: QuizzesPlan) -> list[str]:
    """Draw rules against banks defined in the same folder; other banks are checked against the database."""
    banks = {bank.slug: bank for bank in plan.banks}
    problems = []
    for quiz in plan.quizzes:
        for section in quiz.sections:
            for rule in section.draws:
                bank = banks.get(rule.bank)
                if bank is None:
                    continue
                matching = [q for q in bank.questions if rule.matches(q)]
                if len(matching) < rule.count:
                    problems.append(f"{rule.source}: bank {rule.bank!r} has {len(matching)} matching questions, "
                                    f"{rule.count} needed")
    return problems
