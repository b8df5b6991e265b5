"""Pure courseware rules with plain values."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lms.courses import rules
from lms.courses.loader import parse_lesson, validate_meta


@pytest.mark.parametrize(("now", "periods", "expected"), [
    (datetime(2026, 11, 28, 4, tzinfo=UTC), ["2026-09", "2026-10", "2026-11"], "2026-11"),
    (datetime(2026, 12, 1, 1, tzinfo=UTC), ["2026-10", "2026-11"], "2026-11"),  # December's pack not written yet
    (datetime(2026, 10, 31, 16, 30, tzinfo=UTC), ["2026-10", "2026-11"], "2026-11"),  # 00:30 on 1 Nov in Beijing
    (datetime(2026, 10, 15, tzinfo=UTC), ["2026-11"], None),  # a future pack is not this month's
    (datetime(2026, 10, 15, tzinfo=UTC), [], None),
])
def test_pack_period(now, periods, expected):
    assert rules.pack_period(now, periods) == expected


@pytest.mark.parametrize(("query", "terms"), [
    ("宽带 酬金", ["宽带", "酬金"]),
    ("  宽带\u3000宽带  ", ["宽带"]),
    ("B2B", ["b2b"]),
    ("", []),
])
def test_search_terms(query, terms):
    assert rules.search_terms(query) == terms


def test_escape_like_keeps_wildcards_literal():
    assert rules.escape_like("100%_a\\") == "100\\%\\_a\\\\"


def test_progress():
    assert rules.compute_progress([1, 2, 3, 4], [2, 4, 9]) == rules.Progress(2, 4)
    assert rules.Progress(2, 4).percent == 50
    assert rules.Progress(0, 0).percent == 0
    assert not rules.Progress(0, 0).complete


@given(st.lists(st.integers(1, 50), unique=True), st.lists(st.integers(1, 80)))
def test_progress_is_never_more_than_the_pack(pack, studied):
    progress = rules.compute_progress(pack, studied)
    assert 0 <= progress.studied <= progress.total == len(pack)
    assert 0 <= progress.percent <= 100


def test_diff_marks_added_and_removed_lines():
    lines = rules.revision_diff("a\nb\nc\n", "a\nB\nc\n")
    assert [(line.kind, line.text) for line in lines if line.kind in ("add", "remove")] == [("remove", "b"),
                                                                                              ("add", "B")]


meta_strategy = st.builds(
    rules.LessonMeta,
    title=st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=50).map(str.strip).filter(
        bool),
    category=st.sampled_from([c.key for c in rules.CATEGORIES]),
    tags=st.lists(st.text("宽带终端酬金abc", min_size=1, max_size=5), max_size=3, unique=True).map(tuple),
    period=st.none() | st.sampled_from(["2026-09", "2026-11"]),
    order=st.integers(-100, 100),
    summary=st.text("政策说明 abc", max_size=30).map(str.strip),
    quiz=st.none() | st.just("practice-2026-11-policy"),
    effective=st.none() | st.dates(date(2020, 1, 1), date(2030, 12, 31)),
)


@given(meta_strategy, st.text("正文内容 abc\n#*", min_size=1).filter(str.strip))
def test_an_exported_lesson_parses_back_to_the_same_meta(meta, body):
    text = rules.source_text(meta, body)
    parsed, problems = parse_lesson(text.encode(), "content/x.md", "x")
    assert problems == []
    assert parsed is not None
    assert parsed.meta == meta
    assert parsed.body.strip() == body.strip()


@pytest.mark.parametrize(("values", "problem"), [
    ({"category": "mindset"}, "缺少 title"),
    ({"title": "x"}, "缺少 category"),
    ({"title": "x", "category": "nope"}, "未知的分类"),
    ({"title": "x", "category": "mindset", "titel": "y"}, "未知的键“titel”"),
    ({"title": "x", "category": "mindset", "period": "2026-1"}, "period 必须是"),
    ({"title": "x", "category": "mindset", "order": True}, "order 必须是整数"),
    ({"title": "x", "category": "mindset", "effective": "11月1日"}, "effective 必须是日期"),
    ({"title": "x", "category": "mindset", "tags": {"a": 1}}, "tags 必须是文字列表"),
    ({"title": "x", "category": "mindset", "quiz": "Quiz One"}, "quiz 必须是测验的标识"),
])
def test_front_matter_problems(values, problem):
    meta, problems = validate_meta(values, {}, "content/x.md")
    assert meta is None
    assert any(problem in p for p in problems), problems
