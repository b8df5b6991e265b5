"""GIFT constructs one by one, read as Moodle reads them: what each becomes, what is skipped (a type the platform
does not have) and what is refused (written wrongly), with its line; a bad question never stops the others."""

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
    assert (result.skipped, result.refused) == ([], [])
    [question] = result.questions
    return question


def refused(text: str) -> Skipped:
    result = gift(text)
    assert result.questions == []
    [item] = result.refused
    return item


@pytest.mark.parametrize(
    ("text", "kind", "options", "correct", "weights"),
    [
        ("Q?{~a =b ~c}", "single", ("a", "b", "c"), (1,), None),
        # Moodle: a "=" makes it single choice; two "=" answers are each fully right (either is right).
        ("Q?{=a =b ~c}", "single", ("a", "b", "c"), (0, 1), (1.0, 1.0, 0.0)),
        # No "=": checkboxes, scored by the weights.
        ("Q?{~%50%a ~%50%b ~c}", "multiple", ("a", "b", "c"), (0, 1), (0.5, 0.5, 0.0)),
        ("Q?{~%-100%a ~%50%b ~%50%c}", "multiple", ("a", "b", "c"), (1, 2), (-1.0, 0.5, 0.5)),
        ("Q?{~%33.333%a ~%33.333%b ~%33.333%c ~d}", "multiple", ("a", "b", "c", "d"), (0, 1, 2),
         (0.33333, 0.33333, 0.33333, 0.0)),
        ("Q?{~%100%a ~b}", "multiple", ("a", "b"), (0,), (1.0, 0.0)),
        ("Q?{=a ~%50%b ~c}", "single", ("a", "b", "c"), (0,), (1.0, 0.5, 0.0)),
        ("Q?{=a =b ~%50%c}", "single", ("a", "b", "c"), (0, 1), (1.0, 1.0, 0.5)),
        ("Q?{\n  ~ a one\n  = b two\n}", "single", ("a one", "b two"), (1,), None),
        ("Q?{~a->x =b}", "single", ("a-&#62;x", "b"), (1,), None),  # "~" makes it a choice, even with "->"
        ("Q?{~%d in C =%s}", "single", ("%d in C", "%s"), (1,), None),  # "%" that is not a weight is text
        ("Q?{x =a ~b}", "single", ("x", "a", "b"), (1,), None),  # text before the first marker: Moodle's answer
        ("Q\n{\n~a\n~\n=c}", "single", ("a", "c"), (1,), None),  # a blank answer is dropped, as in Moodle
    ],
)
def test_choice_questions(text: str, kind: str, options: tuple[str, ...], correct: tuple[int, ...],
                          weights: tuple[float, ...] | None) -> None:
    question = one(text)
    assert (question.type, question.options, question.correct) == (kind, options, correct)
    assert question.weights == weights
    assert question.stem in ("Q?", "Q")


@pytest.mark.parametrize(
    ("block", "truth"),
    [("{T}", True), ("{TRUE}", True), ("{F}", False), ("{FALSE}", False), ("{ TRUE }", True), ("{F#no}", False)],
)
def test_true_false(block: str, truth: bool) -> None:
    question = one(f"The sun rises in the east.{block}")
    assert (question.type, question.truth, question.options) == ("truefalse", truth, ())


def test_lower_case_true_is_a_short_answer_as_in_moodle() -> None:
    question = one("Q{true}")
    assert (question.type, question.accepted) == ("fill", ("true",))


def test_true_false_feedback_is_stored_per_choice() -> None:
    # GIFT: {answer#feedback for a wrong answer#feedback for a right answer}
    assert one("Q{T#Wrong, it is true#Well done}").feedback == ("Well done", "Wrong, it is true")
    assert one("Q{F#Wrong, it is false#Well done}").feedback == ("Wrong, it is false", "Well done")
    assert one("Q{T}").feedback == ()


@pytest.mark.parametrize(
    ("text", "stem", "accepted", "weights"),
    [
        ("Who?{=no one =nobody}", "Who?", ("no one", "nobody"), None),
        ("Two plus two equals {=four =4}.", "Two plus two equals _____.", ("four", "4"), None),
        ("Q{=a =a =b}", "Q", ("a", "b"), None),  # a repeat never matches before the first one
        ("Q{=right =%0%wrong#a common mistake}", "Q", ("right", "wrong"), (1.0, 0.0)),
        ("Town?{=Nazareth =%75%Nazereth}", "Town?", ("Nazareth", "Nazereth"), (1.0, 0.75)),
        ("Path?{=C\\:\\\\temp}", "Path?", ("C:\\temp",), None),  # escapes are resolved in accepted texts
        ("Q{=a\\=b}", "Q", ("a=b",), None),
        ("Q{=Fr*g}", "Q", ("Fr*g",), None),  # "*" is kept: grading reads it as Moodle's wildcard
        ("Q{=[html]Frog}", "Q", ("Frog",), None),  # a format marker is no part of the answer
        ("Q {abc}", "Q", ("abc",), None),  # no marker at all: Moodle's short answer
        ("Q {= =b}", "Q", ("b",), None),  # a blank answer is dropped
    ],
)
def test_fill_in_questions(text: str, stem: str, accepted: tuple[str, ...],
                           weights: tuple[float, ...] | None) -> None:
    question = one(text)
    assert (question.type, render_inline(question.stem), question.accepted) == ("fill", stem, accepted)
    assert question.weights == weights


@pytest.mark.parametrize(
    ("text", "numbers", "weights", "feedback"),
    [
        ("When?{#1822}", ((1822, 0),), None, ()),
        ("When?{#1822:0}", ((1822, 0),), None, ()),
        ("Pi?{#3.1415:0.0005}", ((3.1415, 0.0005),), None, ()),
        ("Pi?{#3.141..3.142}", ((3.1415, 0.0005),), None, ()),
        ("Q?{#1..5}", ((3, 2),), None, ()),
        ("Q?{#3:-1}", ((3, 1),), None, ()),
        ("Year?{#=1822:0 =%50%1822:2#close}", ((1822, 0), (1822, 2)), (1.0, 0.5), ("", "close")),
        ("How many?{#=4 =4.0#also fine}", ((4, 0), (4, 0)), None, ("", "also fine")),
        ("Q?{#3:2#right~#Completely wrong}", ((3, 2),), None, ("right",)),
        ("Q?{#=3 =%0%*#no}", ((3, 0),), None, ()),
        ("Q?{#-1.5e3}", ((-1500, 0),), None, ()),
    ],
)
def test_numeric_questions(text: str, numbers: tuple[tuple[float, float], ...], weights: tuple[float, ...] | None,
                           feedback: tuple[str, ...]) -> None:
    question = one(text)
    assert (question.type, question.numbers, question.weights) == ("numeric", numbers, weights)
    assert question.feedback == feedback


def test_numeric_feedback_for_any_other_answer() -> None:
    assert one("Q?{#3:2~#Completely wrong}").extra["other_feedback"] == "Completely wrong"
    assert one("Q?{#=3 =%0%*#Try again}").extra["other_feedback"] == "Try again"


def test_missing_word_keeps_the_text_around_the_blank() -> None:
    question = one("Grant is {~buried =entombed ~living} in Grant's tomb.")
    assert render_inline(question.stem) == "Grant is _____ in Grant's tomb."
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


def test_title_without_its_closing_colons_is_read_as_text_as_in_moodle() -> None:
    question = one("::Title Q{T}")
    assert (question.stem, question.extra) == ("Title Q", {})


@pytest.mark.parametrize(
    ("text", "rendered"),
    [
        ("2*3*4 = 24?{T}", "2*3*4 = 24?"),  # unmarked GIFT is Moodle's format: no Markdown in it
        ("H~2~O\\~ is water{T}", "H~2~O~ is water"),
        ("# 1 is first{T}", "# 1 is first"),
        ("Is <b>this</b> bold?{T}", "Is <b>this</b> bold?"),  # HTML is markup in Moodle's format
        ("[plain]Use *stars* and <b>tags</b>?{T}", "Use *stars* and &lt;b&gt;tags&lt;/b&gt;?"),
        ("[html]<p>Is <b>this</b>\nbold?</p>{T}", "Is <b>this</b> bold?"),
        ("[markdown]Is **this** bold?{T}", "Is <strong>this</strong> bold?"),
        ("[moodle]2*3{T}", "2*3"),
        ("[Markdown]x{T}", "[Markdown]x"),  # format names are matched as Moodle matches them: lower case
    ],
)
def test_format_markers_are_applied_and_removed(text: str, rendered: str) -> None:
    assert render_inline(one(text).stem) == rendered


def test_answers_and_feedback_take_the_question_format_unless_marked() -> None:
    question = one("[markdown]Q?{=**a**#*yes* ~[plain]**b**#[html]<i>no</i> ####**read**}")
    assert [render_inline(option) for option in question.options] == ["<strong>a</strong>", "**b**"]
    assert [render_inline(text) for text in question.feedback] == ["<em>yes</em>", "<i>no</i>"]
    assert render_inline(question.explanation) == "<strong>read</strong>"


def test_line_breaks_of_a_multi_line_stem_are_kept() -> None:
    question = one("First line\nsecond line\\nthird{T}")
    assert render_inline(question.stem) == "First line<br>\nsecond line<br>\nthird"


@pytest.mark.parametrize(
    ("text", "rendered"),
    [
        ("Which is \\{x\\}?{T}", "Which is {x}?"),
        ("a \\= b \\~ c \\: d?{T}", "a = b ~ c : d?"),
        ("\\# not a heading{T}", "# not a heading"),
        ("back\\\\slash{T}", "back\\slash"),
        ("[markdown]a \\# b, back\\\\slash \\{x\\}, \\\\*{T}", "a # b, back\\slash {x}, *"),
    ],
)
def test_escapes_render_as_the_character_they_escape(text: str, rendered: str) -> None:
    assert render_inline(one(text).stem) == rendered


def test_category_becomes_a_tag_of_the_questions_that_follow() -> None:
    result = gift(
        "Before?{T}\n\n$CATEGORY: $course$/top/渠道政策/终端\n\nA?{T}\n\nB?{F}\n\n$CATEGORY: $course$/top\n\nC?{T}"
    )
    assert [q.tags for q in result.questions] == [(), ("渠道政策/终端",), ("渠道政策/终端",), ()]


def test_category_line_directly_above_a_question() -> None:
    # Beyond Moodle (which would read the question as part of the category's name).
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
        ("a {=x} and b {=y}", "多个答案块"),
        ("Q?{" + " ".join(f"~o{i}" for i in range(11)) + " =right}", "最多支持 10 个"),
        ("Q?{#=3 =%50%*}", "任何数字都得 50%"),
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
        ("Q {~a ~b}", 1, "没有正确选项"),
        ("Q {~a}", 1, "至少需要两个选项"),
        ("Q {~a ~}", 1, "至少需要两个内容不为空的选项"),
        ("Q {~%50%a ~%30%b ~c}", 1, "权重之和应为 100%，现在是 80%"),
        ("Q {~%150%a =b}", 1, "-100% 到 100%"),
        ("Q\n{~%--50%a =b}", 2, "不是数字"),
        ("Q {=%50%a}", 1, "没有 100% 的答案"),
        ("Q {=%0%a}", 1, "没有 100% 的答案"),
        ("Q {#abc}", 1, "不是数字"),
        ("Q {#1822:x}", 1, "不是数字"),
        ("Q {#nan}", 1, "不是数字"),
        ("Q {#1e999}", 1, "不是数字"),
        ("Q {#}", 1, "数值题没有答案"),
        ("Q {#=%50%3}", 1, "数值题没有 100% 的答案"),
        ("{=a}", 1, "题干为空"),
        ("// [id:x]\nA?{T}\n\n// [id:x]\nB?{T}", 5, "与第2行的题目重复"),
    ],
)
def test_malformed_questions_are_refused_naming_their_line(text: str, line: int, message_part: str) -> None:
    result = gift(text)
    [item] = result.refused
    assert item.line == line
    assert message_part in item.reason


def test_a_bad_question_does_not_stop_the_others() -> None:
    result = gift("Good?{T}\n\nBad {~a ~b}\n\nAlso good?{=yes}\n\nBad again {=a\n")
    assert [q.stem for q in result.questions] == ["Good?", "Also good?"]
    assert [(item.name, item.line) for item in result.refused] == [("Bad", 3), ("Bad again", 7)]


def test_every_bad_question_of_a_long_file_is_reported() -> None:
    result = gift("\n\n".join("Broken {~a ~b}" for _ in range(150)))
    assert (len(result.questions), len(result.refused)) == (0, 150)
    assert result.refused[-1].line == 299


def test_internal_placeholder_characters_in_the_file_are_refused() -> None:
    with pytest.raises(ValidationFailed) as caught:
        gift("Fine?{T}\n\nQ\ufdd3?{T}")
    assert "第3行" in caught.value.message
    assert "U+FDD3" in caught.value.message
