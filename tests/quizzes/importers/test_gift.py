"""GIFT constructs one by one: what each becomes, what is skipped and why, and what is refused, with its line."""

from __future__ import annotations

import pytest

from lms.core.errors import ValidationFailed
from lms.core.markdown import render_inline
from lms.quizzes.importers import ImportResult, Skipped, parse_file
from lms.quizzes.specs import QuestionSpec


def gift(text: str) -> ImportResult:
    return parse_file(text.encode(), "bank.gift")


def one(text: str) -> QuestionSpec:
    result = gift(text)
    assert result.skipped == []
    [question] = result.questions
    return question


def refusal(text: str) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as caught:
        gift(text)
    return caught.value


@pytest.mark.parametrize(
    ("text", "kind", "options", "correct", "weights"),
    [
        ("Q?{~a =b ~c}", "single", ("a", "b", "c"), (1,), None),
        ("Q?{=a =b ~c}", "multiple", ("a", "b", "c"), (0, 1), None),
        ("Q?{~%50%a ~%50%b ~c}", "multiple", ("a", "b", "c"), (0, 1), (0.5, 0.5, 0.0)),
        ("Q?{~%-100%a ~%50%b ~%50%c}", "multiple", ("a", "b", "c"), (1, 2), (-1.0, 0.5, 0.5)),
        ("Q?{~%33.333%a ~%33.333%b ~%33.333%c ~d}", "multiple", ("a", "b", "c", "d"), (0, 1, 2),
         (0.33333, 0.33333, 0.33333, 0.0)),
        ("Q?{=a ~%50%b ~c}", "single", ("a", "b", "c"), (0,), (1.0, 0.5, 0.0)),
        ("Q?{~%100%a ~b}", "single", ("a", "b"), (0,), None),
        ("Q?{\n  ~ a one\n  = b two\n}", "single", ("a one", "b two"), (1,), None),
        ("Q?{~a->x =b}", "single", ("a->x", "b"), (1,), None),  # "~" makes it a choice, even with "->"
        ("Q?{~%d in C =%s}", "single", ("%d in C", "%s"), (1,), None),  # "%" that is not a weight is text
    ],
)
def test_choice_questions(text: str, kind: str, options: tuple[str, ...], correct: tuple[int, ...],
                          weights: tuple[float, ...] | None) -> None:
    question = one(text)
    assert (question.type, question.options, question.correct) == (kind, options, correct)
    assert question.weights == weights
    assert question.stem == "Q?"


@pytest.mark.parametrize(
    ("block", "truth"),
    [("{T}", True), ("{TRUE}", True), ("{F}", False), ("{FALSE}", False), ("{ true }", True), ("{f}", False)],
)
def test_true_false(block: str, truth: bool) -> None:
    question = one(f"The sun rises in the east.{block}")
    assert (question.type, question.truth, question.options) == ("truefalse", truth, ())


def test_true_false_feedback_is_stored_per_choice() -> None:
    # GIFT: {answer#feedback for a wrong answer#feedback for a right answer}
    assert one("Q{T#Wrong, it is true#Well done}").feedback == ("Well done", "Wrong, it is true")
    assert one("Q{F#Wrong, it is false#Well done}").feedback == ("Wrong, it is false", "Well done")
    assert one("Q{T}").feedback == ()


@pytest.mark.parametrize(
    ("text", "stem", "accepted"),
    [
        ("Who?{=no one =nobody}", "Who?", ("no one", "nobody")),
        ("Two plus two equals {=four =4}.", "Two plus two equals ＿＿＿.", ("four", "4")),
        ("Q{=a =a =b}", "Q", ("a", "b")),  # duplicates once
        ("Q{=right =%0%wrong#a common mistake}", "Q", ("right",)),  # a 0% answer is not accepted
        ("Path?{=C\\:\\\\temp}", "Path?", ("C:\\temp",)),  # escapes are resolved in accepted texts
        ("Q{=a\\=b}", "Q", ("a=b",)),
        ("When?{#1822}", "When?", ("1822",)),
        ("When?{#1822:0}", "When?", ("1822",)),
        ("How many?{#=4 =4.0#also fine}", "How many?", ("4", "4.0")),
    ],
)
def test_fill_in_questions(text: str, stem: str, accepted: tuple[str, ...]) -> None:
    question = one(text)
    assert (question.type, question.stem, question.accepted) == ("fill", stem, accepted)


def test_missing_word_keeps_the_text_around_the_blank() -> None:
    question = one("Grant is {~buried =entombed ~living} in Grant's tomb.")
    assert question.stem == "Grant is ＿＿＿ in Grant's tomb."
    # Text that ends at the closing brace is not a missing-word question: no blank is added.
    assert one("Who's buried in Grant's tomb?{~Grant =no one}").stem == "Who's buried in Grant's tomb?"


def test_feedback_and_general_feedback() -> None:
    question = one("Q?{~wrong#Not this one ~%50%half#Nearly =right#Yes ####Read chapter 2.}")
    assert question.feedback == ("Not this one", "Nearly", "Yes")
    assert question.explanation == "Read chapter 2."
    assert one("Q?{~a =b}").feedback == ()


def test_title_format_and_comments() -> None:
    question = one("// a comment before\n::终端政策::[markdown]**加粗**的题干\n// a comment inside\n{=对 ~错}")
    assert question.extra == {"title": "终端政策", "format": "markdown"}
    assert question.stem == "**加粗**的题干"
    assert question.options == ("对", "错")
    assert question.source == "bank.gift:2"


def test_plain_format_is_shown_literally() -> None:
    question = one("[plain]Use *stars* and <b>tags</b>?{T}")
    assert render_inline(question.stem) == "Use *stars* and &lt;b&gt;tags&lt;/b&gt;?"


def test_html_format_is_kept_for_the_sanitizing_renderer() -> None:
    question = one("[html]<p>Is <b>this</b> bold?</p>{T}")
    assert question.stem == "<p>Is <b>this</b> bold?</p>"
    assert question.extra["format"] == "html"


@pytest.mark.parametrize(
    ("text", "stem", "rendered"),
    [
        ("Which is \\{x\\}?{T}", "Which is \\{x\\}?", "Which is {x}?"),
        ("a \\= b \\~ c \\: d?{T}", "a = b ~ c : d?", "a = b ~ c : d?"),
        ("\\# not a heading{T}", "\\# not a heading", "# not a heading"),
        ("back\\\\slash{T}", "back\\\\slash", "back\\slash"),
        ("line\\nbreak{T}", "line\nbreak", "line\nbreak"),
    ],
)
def test_escapes_render_as_the_character_they_escape(text: str, stem: str, rendered: str) -> None:
    question = one(text)
    assert question.stem == stem
    assert render_inline(question.stem) == rendered


def test_category_becomes_a_tag_of_the_questions_that_follow() -> None:
    result = gift(
        "Before?{T}\n\n$CATEGORY: $course$/top/渠道政策/终端\n\nA?{T}\n\nB?{F}\n\n$CATEGORY: $course$/top\n\nC?{T}"
    )
    assert [q.tags for q in result.questions] == [(), ("渠道政策/终端",), ("渠道政策/终端",), ()]


def test_category_line_directly_above_a_question() -> None:
    [question] = gift("$CATEGORY: 考核\nQ?{T}").questions
    assert question.tags == ("考核",)
    assert question.source == "bank.gift:2"


def test_moodle_id_and_tag_comments() -> None:
    result = gift("// [id:policy-01] [tag:终端] [tag:政策]\nQ?{T}\n\nR?{F}")
    assert [(q.key, q.tags) for q in result.questions] == [("policy-01", ("终端", "政策")), ("gift-2", ())]


def test_keys_and_sources_follow_the_file() -> None:
    result = gift("// header comment\n\nA?{T}\n\nDescription only.\n\n\nB?\n{=b}")
    assert [(q.key, q.source) for q in result.questions] == [("gift-1", "bank.gift:3"), ("gift-3", "bank.gift:8")]
    assert result.skipped == [Skipped("Description only.", 5, "没有答案块 {…}：这是说明文字（description），不是题目")]


@pytest.mark.parametrize(
    ("text", "reason_part"),
    [
        ("Match.{=a -> 1 =b -> 2 =c -> 3}", "配对题"),
        ("Describe the policy.{}", "问答题"),
        ("Describe the policy.{ ####model answer}", "问答题"),
        ("Only text, no answers.", "说明文字"),
        ("Pi?{#3.1415:0.0005}", "误差范围"),
        ("Pi?{#3.141..3.142}", "取值区间"),
        ("Year?{#=1822:0 =%50%1822:2}", "误差范围"),
        ("Year?{#=1822 =%50%1821}", "部分分"),
        ("Town?{=Nazareth =%75%Nazereth}", "部分分（75%）"),
        ("a {=x} and b {=y}", "多个答案块"),
        ("Q?{=a =b ~%50%c}", "无法确定多选题如何计分"),
        ("Q?{" + " ".join(f"~o{i}" for i in range(11)) + " =right}", "最多支持 10 个"),
    ],
)
def test_questions_the_product_cannot_represent_are_skipped_with_a_reason(text: str, reason_part: str) -> None:
    result = gift(f"::Named::{text}\n\nKept?{{T}}")
    assert len(result.questions) == 1
    [item] = result.skipped
    assert (item.name, item.line) == ("Named", 1)
    assert reason_part in item.reason


def test_skipped_question_without_title_is_named_by_its_text() -> None:
    [item] = gift("\n\nMatch each county with its grid leader please.{=a -> 1 =b -> 2}").skipped
    assert (item.name, item.line) == ("Match each county with its grid leader p…", 3)


@pytest.mark.parametrize(
    ("text", "line", "message_part"),
    [
        ("Q?{=a", 1, "没有对应的“}”"),
        ("Intro\nQ?{\n=a\n~b\n", 2, "没有对应的“}”"),
        ("Q } {=a}", 1, "未转义的“}”"),
        ("Q {=a} tail }", 1, "未转义的“}”"),
        ("Q {=a\n{ =b}", 2, "未转义的“{”"),
        ("Q\n{\n~a\n~\n=c}", 4, "选项内容为空"),
        ("Q {~a ~b}", 1, "没有正确选项"),
        ("Q {~a}", 1, "至少需要两个选项"),
        ("Q {~%50%a ~%30%b ~c}", 1, "权重之和应为 100%，现在是 80%"),
        ("Q {~%150%a =b}", 1, "-100% 到 100%"),
        ("Q {abc}", 1, "无法识别的答案块"),
        ("Q {x =a ~b}", 1, "前面缺少 ~ 或 ="),
        ("Q {= =b}", 1, "答案为空"),
        ("Q {=%0%a}", 1, "没有完全正确"),
        ("Q {#abc}", 1, "不是数字"),
        ("Q {#1822:x}", 1, "不是数字"),
        ("Q {#nan}", 1, "不是数字"),
        ("::Title Q{T}", 1, "没有结尾的“::”"),
        ("{=a}", 1, "题干为空"),
        ("// [id:x]\nA?{T}\n\n// [id:x]\nB?{T}", 5, "与第2行的题目重复"),
    ],
)
def test_malformed_questions_are_refused_naming_file_and_line(text: str, line: int, message_part: str) -> None:
    error = refusal(text)
    assert "未导入任何题目" in error.message
    [problem] = error.problems
    assert problem.startswith(f"bank.gift 第{line}行：")
    assert message_part in problem


def test_every_problem_of_a_file_is_reported_and_nothing_is_returned() -> None:
    error = refusal("Good?{T}\n\nBad {~a ~b}\n\nAlso good?{=yes}\n\nBad again {=a\n")
    assert [p.split("：")[0] for p in error.problems] == ["bank.gift 第3行", "bank.gift 第7行"]


def test_a_long_list_of_problems_is_capped_and_counted() -> None:
    error = refusal("\n\n".join("Broken {~a ~b}" for _ in range(150)))
    assert len(error.problems) == 101
    assert error.problems[-1] == "……另有 50 处问题未列出"
    assert "发现 150 处问题" in error.message


def test_internal_placeholder_characters_in_the_file_are_refused() -> None:
    error = refusal("Fine?{T}\n\nQ\ufdd3?{T}")
    assert "第3行" in error.message
    assert "U+FDD3" in error.message
