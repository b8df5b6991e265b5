"""Attempt rules with plain values: scaling and rounding, the clock's edges, who may start, drawing a paper."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lms.attempts import rules
from lms.quizzes.definitions import DrawRule, QuizDefinition, Section
from lms.quizzes.question_types import Answer
from lms.quizzes.specs import QuestionSpec

T0 = datetime(2026, 11, 3, 2, 0, tzinfo=UTC)


@pytest.mark.parametrize(("earned", "total", "score", "passed"), [
    (80, 100, 80.0, True),        # exactly 80 passes
    (79.9, 100, 79.9, False),     # 79.9 after scaling fails
    (15.99, 20, 80.0, True),      # 79.95 rounds half up to 80.0
    (15.988, 20, 79.9, False),    # 79.94 rounds down
    (8, 10, 80.0, True),
    (2, 3, 66.7, False),
    (1, 3, 33.3, False),
    (0, 5, 0.0, False),
    (5, 5, 100.0, True),
    (0, 0, 0.0, False),
])
def test_scaling_and_rounding(earned, total, score, passed):
    assert rules.scale_score(earned, total) == score
    assert rules.is_pass(rules.scale_score(earned, total), 80.0) is passed


@pytest.mark.parametrize(("offset_seconds", "accepted"), [
    (-1, True), (0, True), (59, True), (60, True), (60.001, False), (61, False), (3600, False),
])
def test_answers_count_until_deadline_plus_grace(offset_seconds, accepted):
    deadline = T0 + timedelta(minutes=30)
    assert rules.accepts_answers(deadline + timedelta(seconds=offset_seconds), deadline, 60) is accepted


@pytest.mark.parametrize(("elapsed", "remaining"), [(0, 1800), (0.2, 1800), (1799.5, 1), (1800, 0), (5000, 0)])
def test_remaining_seconds(elapsed, remaining):
    assert rules.remaining_seconds(T0 + timedelta(seconds=elapsed), T0 + timedelta(seconds=1800)) == remaining


@pytest.mark.parametrize(("started", "extra", "deadline"), [
    (T0, 0, T0 + timedelta(minutes=30)),
    (T0, 600, T0 + timedelta(minutes=40)),                              # extra time granted
    (T0 + timedelta(minutes=50), 0, T0 + timedelta(hours=1)),           # late starter: only until the close
    (T0 + timedelta(minutes=50), 600, T0 + timedelta(minutes=70)),      # ... plus their extra time
])
def test_deadline(started, extra, deadline):
    assert rules.compute_deadline(started, 1800, extra_seconds=extra, hard_close=T0 + timedelta(hours=1)) == deadline


OPENS, CLOSES = T0, T0 + timedelta(days=7)
MAKEUP = (CLOSES + timedelta(days=2), CLOSES + timedelta(days=3))


@pytest.mark.parametrize(("now", "used", "exempt", "expected"), [
    (OPENS - timedelta(seconds=1), 0, False, (False, "not_open", False)),
    (OPENS, 0, False, (True, "", False)),
    (CLOSES, 0, False, (True, "", False)),
    (CLOSES + timedelta(seconds=1), 0, False, (False, "closed", False)),
    (CLOSES + timedelta(seconds=1), 1, False, (False, "used_up", False)),
    (MAKEUP[0], 0, False, (True, "", True)),
    (MAKEUP[1] + timedelta(seconds=1), 0, False, (False, "closed", False)),
    (OPENS + timedelta(hours=1), 1, False, (False, "used_up", False)),
    (OPENS + timedelta(hours=1), 0, True, (False, "exempt", False)),
    (MAKEUP[0], 0, True, (False, "exempt", False)),
])
def test_who_may_start(now, used, exempt, expected):
    makeup = rules.MakeupWindow(MAKEUP[0], MAKEUP[1], invited=True)
    decision = rules.decide_start(now=now, opens_at=OPENS, closes_at=CLOSES, makeup=makeup, attempts_used=used,
                                  attempts_allowed=1, exempt=exempt, retired=False)
    assert (decision.allowed, decision.code, decision.makeup) == expected


@pytest.mark.parametrize(("invited", "regular_used", "makeup_used", "expected"), [
    # A person who failed their one regular attempt still gets the make-up: it has its own attempt.
    (True, 1, 0, (True, "", True)),
    (True, 0, 0, (True, "", True)),
    (True, 1, 1, (False, "used_up", False)),
    (False, 1, 0, (False, "not_invited", False)),
    (False, 0, 0, (False, "not_invited", False)),
])
def test_the_make_up_window_is_for_the_invited_once(invited, regular_used, makeup_used, expected):
    makeup = rules.MakeupWindow(MAKEUP[0], MAKEUP[1], invited=invited, used=makeup_used)
    decision = rules.decide_start(now=MAKEUP[0] + timedelta(hours=1), opens_at=OPENS, closes_at=CLOSES,
                                  makeup=makeup, attempts_used=regular_used, attempts_allowed=1, exempt=False,
                                  retired=False)
    assert (decision.allowed, decision.code, decision.makeup) == expected


def test_without_a_make_up_window_a_closed_test_stays_closed():
    decision = rules.decide_start(now=MAKEUP[0], opens_at=OPENS, closes_at=CLOSES, makeup=None, attempts_used=0,
                                  attempts_allowed=1, exempt=False, retired=False)
    assert (decision.allowed, decision.code) == (False, "closed")


@pytest.mark.parametrize(("policy", "finished", "now", "visible"), [
    ("immediately", True, OPENS, True),
    ("immediately", False, OPENS, False),
    ("after_close", True, CLOSES, False),
    ("after_close", True, CLOSES + timedelta(seconds=1), True),
    ("never", True, CLOSES + timedelta(days=30), False),
])
def test_review_policy(policy, finished, now, visible):
    assert rules.review_open(policy, now=now, finished=finished, closes_at=CLOSES) is visible


def spec(key: str, qtype: str = "single", **kwargs) -> QuestionSpec:
    base = {"single": {"options": ("甲", "乙", "丙", "丁"), "correct": (1,)},
            "multiple": {"options": ("甲", "乙", "丙", "丁"), "correct": (0, 2)},
            "truefalse": {"truth": True}, "fill": {"accepted": ("宽带",)}}[qtype]
    return QuestionSpec(key=key, type=qtype, stem=f"题目 {key}", **{**base, **kwargs})


def definition(questions=(), draws=(), **kwargs) -> QuizDefinition:
    values = {"slug": "t", "title": "T", "kind": "practice", "period": None, "opens_at": None, "closes_at": None,
              "time_limit_seconds": 600, "pass_score": 80.0, "max_score": 100.0, "attempts_allowed": None,
              "review_policy": "immediately", "sections": (Section("", tuple(questions), tuple(draws)),)}
    return QuizDefinition(**{**values, **kwargs})


def test_drawn_paper_is_frozen_per_seed_and_filters_by_tag_and_difficulty():
    bank = [spec(f"b{i}", tags=("宽带",) if i % 2 else ("终端",), difficulty=1 + i % 5) for i in range(30)]
    quiz = definition(draws=[DrawRule(bank="pool", count=4, tags=("宽带",), difficulty_min=2, difficulty_max=4)])
    paper = rules.draw_paper(quiz, {"pool": bank}, seed=7)
    assert paper == rules.draw_paper(quiz, {"pool": bank}, seed=7)
    assert len(paper["questions"]) == 4
    for question in paper["questions"]:
        assert "宽带" in question["tags"]
        assert question["id"].startswith("pool.")
    drawn = {q["key"] for q in paper["questions"]}
    assert all(2 <= s.difficulty <= 4 for s in bank if s.key in drawn)


def test_a_short_bank_is_refused():
    quiz = definition(draws=[DrawRule(bank="pool", count=5, source="quizzes/x.yaml:3")])
    with pytest.raises(rules.PaperShortage, match=r"quizzes/x\.yaml:3"):
        rules.draw_paper(quiz, {"pool": [spec("a")]}, seed=1)


def test_option_ids_are_display_positions_and_the_key_follows_the_shuffle():
    quiz = definition(questions=[spec("q1")])
    for seed in range(20):
        question = rules.draw_paper(quiz, {}, seed=seed)["questions"][0]
        assert [o["id"] for o in question["options"]] == ["A", "B", "C", "D"]
        right = next(o for o in question["options"] if o["text"] == "乙")
        assert question["correct"] == [right["id"]]
        assert "correct" not in rules.public_question(question)


def right_answers(paper):
    answers = {}
    for q in paper["questions"]:
        answers[q["id"]] = Answer(text=q["accepted"][0]) if q["type"] == "fill" else Answer(tuple(q["correct"]))
    return answers


QUESTIONS = [spec("s1"), spec("m1", "multiple"), spec("t1", "truefalse", points=2), spec("f1", "fill", points=3),
             spec("s2", points=0.5)]


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), picks=st.lists(st.booleans(), min_size=5, max_size=5),
       partial=st.booleans())
def test_score_is_within_bounds_and_independent_of_order(seed, picks, partial):
    """Whatever the shuffle, the same answers (by content) earn the same score, always within 0..100."""
    quiz = definition(questions=QUESTIONS, partial_credit=partial)
    reference = rules.draw_paper(definition(questions=QUESTIONS, shuffle_questions=False, shuffle_options=False,
                                            partial_credit=partial), {}, seed=0)
    shuffled = rules.draw_paper(quiz, {}, seed=seed)
    chosen_keys = {s.key for s, pick in zip(QUESTIONS, picks, strict=True) if pick}

    def answers_for(paper):
        right = right_answers(paper)
        found = {}
        for q in paper["questions"]:
            if q["key"] in chosen_keys:
                found[q["id"]] = right[q["id"]]
            elif q["type"] in ("single", "multiple"):  # a wrong option, named by its text
                wrong = next(o for o in q["options"] if o["id"] not in q["correct"])
                found[q["id"]] = Answer((wrong["id"],))
        return found

    a = rules.grade_paper(reference, answers_for(reference))
    b = rules.grade_paper(shuffled, answers_for(shuffled))
    assert a.score == b.score
    assert 0.0 <= b.score <= 100.0
    expected = sum(s.points for s in QUESTIONS if s.key in chosen_keys) / sum(s.points for s in QUESTIONS) * 100
    assert b.score == pytest.approx(expected, abs=0.05)


@settings(max_examples=200)
@given(earned=st.floats(0, 1000, allow_nan=False), total=st.floats(0.001, 1000, allow_nan=False))
def test_scaled_score_is_always_within_0_and_100(earned, total):
    assert 0.0 <= rules.scale_score(min(earned, total), total) <= 100.0


def test_an_answer_sheet_keeps_types_and_option_ids_and_nothing_a_page_must_not_see():
    paper = {"questions": [
        {"id": "q1", "type": "single", "stem": "题干", "correct": ["B"], "explanation": "解析",
         "options": [{"id": "A", "text": "甲", "source_index": 1}, {"id": "B", "text": "乙", "source_index": 0}]},
        {"id": "q2", "type": "single", "stem": "另一题", "correct": ["A"],
         "options": [{"id": "A", "text": "丙", "source_index": 0}, {"id": "B", "text": "丁", "source_index": 1}]},
        {"id": "q3", "type": "fill", "stem": "填空", "accepted": ["答案"], "options": []},
    ]}
    sheet = rules.answer_sheet(paper)
    assert {qid: (q["type"], [o["id"] for o in q["options"]]) for qid, q in sheet.items()} == {
        "q1": ("single", ["A", "B"]), "q2": ("single", ["A", "B"]), "q3": ("fill", [])}
    assert sheet["q1"] is sheet["q2"]  # one shape, one shared entry, however many papers hold it
    assert all(set(q) == {"type", "options"} for q in sheet.values())
    with pytest.raises(TypeError):
        sheet["q1"]["type"] = "multiple"  # shared entries are read-only
