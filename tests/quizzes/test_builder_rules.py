"""The test builder's pure rules: builder data through the file parser, and the live summary with plain values."""

from __future__ import annotations

import math
from datetime import UTC, datetime

from lms.quizzes.builder import (
    build_definition,
    builder_data,
    file_question,
    moved_to_bank,
    opens_later,
    saved_data,
    summarize,
)
from lms.quizzes.definitions import DrawRule, Section
from lms.quizzes.quiz_file_questions import parse_question
from lms.quizzes.rules import WindowPolicy
from lms.quizzes.specs import QuestionSpec

POLICY = WindowPolicy()


def spec(key: str, *, tags: tuple[str, ...] = (), type: str = "truefalse", difficulty: int = 3,
         lesson: str | None = None, points: float = 1.0) -> QuestionSpec:
    return QuestionSpec(key=key, type=type, stem=f"题 {key}", truth=True, tags=tags, difficulty=difficulty,
                        lesson=lesson, points=points)


def pool(count: int, **kwargs) -> list[QuestionSpec]:
    return [spec(f"q{n}", **kwargs) for n in range(count)]


def test_a_draw_the_bank_cannot_satisfy_is_refused_with_the_numbers():
    sections = [Section(title="政策", draws=(DrawRule(bank="demo", count=10, tags=("终端",)),))]
    banks = {"demo": pool(7, tags=("终端",)) + pool(5, tags=("宽带",))[:0]}
    found = summarize(sections, banks, {"demo": "练习题库"})
    assert not found.ok
    assert found.papers == 0
    shortage = found.shortages[0]
    assert (shortage.bank, shortage.available, shortage.needed) == ("练习题库", 7, 10)


def test_questions_points_and_papers_of_two_random_sections():
    banks = {"demo": [*pool(8, tags=("终端",), points=2.0)]
             + [QuestionSpec(key=f"w{n}", type="single", stem="x", options=("a", "b"), correct=(0,), tags=("宽带",))
                for n in range(6)]}
    sections = [Section(title="一", draws=(DrawRule(bank="demo", count=3, tags=("终端",)),)),
                Section(title="二", draws=(DrawRule(bank="demo", count=2, tags=("宽带",), points=5.0),))]
    found = summarize(sections, banks)
    assert found.ok
    assert found.questions == 5
    assert (found.points_min, found.points_max) == (16.0, 16.0)
    assert found.papers == math.comb(8, 3) * math.comb(6, 2)


def test_filters_by_type_difficulty_and_lesson():
    bank = [spec("a", type="truefalse", difficulty=1, lesson="x"), spec("b", type="truefalse", difficulty=4),
            QuestionSpec(key="c", type="fill", stem="c", accepted=("1",), difficulty=1, lesson="x")]
    rule = DrawRule(bank="b", count=1, difficulty_min=1, difficulty_max=2, types=("truefalse",), lesson="x")
    assert [q.key for q in bank if rule.matches(q)] == ["a"]


def test_two_draws_of_one_section_may_not_need_more_than_the_bank_has_between_them():
    banks = {"demo": pool(5, tags=("终端",))}
    sections = [Section(title="一", draws=(DrawRule(bank="demo", count=3), DrawRule(bank="demo", count=3)))]
    found = summarize(sections, banks)
    assert not found.ok
    assert (found.shortages[0].available, found.shortages[0].needed) == (5, 6)


def test_builder_data_goes_through_the_file_parser():
    picked = {"demo/p1": spec("p1", tags=("终端",))}
    data = {"kind": "monthly", "title": "12月月考", "period": "2026-12", "opens": None, "closes": None,
            "time_limit_minutes": 30, "pass_score": 80, "attempts_allowed": 1, "review": "after_close",
            "sections": [{"title": "固定", "picked": ["demo/p1"], "draw": []},
                         {"title": "随机", "picked": [], "draw": [{"bank": "demo", "count": 2, "tags": ["终端"],
                                                                  "difficulty": [1, 5], "types": ["truefalse"]}]}]}
    definition, problems = build_definition(data, "monthly-2026-12", picked, POLICY)
    assert problems == []
    assert definition is not None
    assert definition.opens_at == datetime(2026, 11, 30, 16, 0, tzinfo=UTC)  # the policy's window: 1st, 00:00 +08
    assert definition.sections[0].questions[0].key == "p1"
    assert definition.sections[1].draws[0].types == ("truefalse",)
    again = builder_data(definition, POLICY.tz)
    assert again["sections"][1]["draw"][0]["count"] == 2


def test_builder_data_is_refused_by_the_files_rules():
    data = {"kind": "monthly", "title": "", "attempts_allowed": 2, "sections": []}
    definition, problems = build_definition(data, "x", {}, POLICY)
    assert definition is None
    assert any("title" in p for p in problems)
    assert any("attempt" in p for p in problems)
    assert all(not p.startswith("browser:") for p in problems)


def test_a_picked_question_is_written_as_a_file_would_write_it():
    original = QuestionSpec(key="m1", type="multiple", stem="多选", options=("甲", "乙", "丙"), correct=(0, 2),
                            tags=("category:终端", "终端"), difficulty=2, lesson="l1", explanation="因为")
    parsed, problems = parse_question(file_question(original), "f", "q1")
    assert problems == []
    assert parsed is not None
    assert parsed.correct == (0, 2)
    assert parsed.tags == original.tags
    assert parsed.lesson == "l1"
    assert parsed.explanation == "因为"


def test_a_save_keeps_the_keys_the_form_does_not_hold_but_not_the_make_up_window():
    previous = {"title": "旧", "description": "说明", "max_score": 50, "partial_credit": True,
                "makeup": {"opens": "2026-12-10T00:00", "closes": "2026-12-12T23:59"}, "sections": []}
    saved = saved_data({"title": "新", "sections": []}, previous)
    assert (saved["title"], saved["description"], saved["max_score"], saved["partial_credit"]) == ("新", "说明", 50,
                                                                                                    True)
    assert "makeup" not in saved  # the form's make-up fieldset decides it
    assert saved_data({"title": "新", "description": "", "sections": []}, previous)["description"] == ""


def test_own_questions_come_from_the_previous_data_by_id_and_an_unknown_id_brings_nothing():
    q1, q2 = {"id": "q1", "type": "truefalse", "stem": "一", "answer": True}, {"id": "q2", "type": "truefalse",
                                                                              "stem": "二", "answer": False}
    previous = {"sections": [{"title": "a", "questions": [q1]}, {"title": "b", "questions": [q2]}]}
    data = {"sections": [{"title": "b", "picked": [], "draw": [], "own": ["q2", "forged"]},
                         {"title": "c", "picked": [], "draw": [], "own": []}]}
    saved = saved_data(data, previous)
    assert [s["questions"] for s in saved["sections"]] == [[q2], []]  # q1 removed; the removed section's moved up
    assert all("own" not in s for s in saved["sections"])
    assert "own" in data["sections"][0]  # the caller's data is left alone
    # A caller that sends no ``own`` keeps the previous section's questions at its position.
    assert saved_data({"sections": [{"title": "x"}]}, previous)["sections"][0]["questions"] == [q1]


def test_an_own_question_moved_to_a_bank_is_picked_in_its_section_instead():
    data = {"sections": [{"title": "a", "picked": ["demo/p1"], "own": ["q1", "q2"]}, {"title": "b", "own": ["q3"]}]}
    moved = moved_to_bank(data, "q2", "mine/q7")
    assert moved["sections"][0] == {"title": "a", "picked": ["demo/p1", "mine/q7"], "own": ["q1"]}
    assert moved["sections"][1] == data["sections"][1]
    assert data["sections"][0]["own"] == ["q1", "q2"]


def test_a_picked_question_whose_id_is_taken_is_renamed_after_its_bank():
    picked = {"demo/q1": spec("q1"), "other/q1": spec("q1")}
    data = {"kind": "practice", "title": "练", "time_limit_minutes": 10,
            "sections": [{"title": "", "questions": [file_question(spec("q1"))], "picked": ["demo/q1", "other/q1"]}]}
    definition, problems = build_definition(data, "p", picked, POLICY)
    assert problems == []
    assert [q.key for q in definition.sections[0].questions] == ["q1", "demo.q1", "other.q1"]


def test_a_window_still_to_open_is_scheduled():
    now = datetime(2026, 11, 20, tzinfo=UTC)
    opens = datetime(2026, 12, 1, tzinfo=UTC)
    assert opens_later(opens, now) == opens
    assert opens_later(opens, opens) is None
    assert opens_later(None, now) is None
