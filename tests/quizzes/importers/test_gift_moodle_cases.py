"""Moodle's own GIFT import tests (question/format/gift/tests/giftformat_test.php) and fixture files, run here.

Each ``test_import_*`` of giftformat_test.php is ported with the same input text; what Moodle asserts is mapped to the
question spec: qtype → ``type`` (multichoice single=1 → single, single=0 → multiple, shortanswer → fill, numerical →
numeric), questiontext → ``stem`` (checked as rendered), answer/fraction/feedback → options or accepted or numbers,
``weights`` and ``feedback``, tolerance → the second number of each pair, generalfeedback → ``explanation``, name →
``extra["title"]``, idnumber → ``key``, tags → ``tags``.

Tally (test ids start with the verdict):
- giftformat_test.php, 14 import tests + 8 comment-parsing cases = 22:
  match 17 — multichoice (its 6 numbering-style runs are one case here: numbering is display only), multichoice_multi,
  multichoice_multi_tricky, shortanswer, shortanswer_with_general_feedback, truefalse, truefalse_true_answer1 and 2,
  the 8 extract_idnumber_and_tags_from_comment cases, and question_with_tags read on a true/false question;
  differs 1 — numerical: value, tolerance, fractions and scoring match; the feedback Moodle stores on its "*" (any
  other answer) is kept in ``extra["other_feedback"]``, because a numeric spec's numbers have no "any number" entry;
  skipped by design 5 — essay, pre_content and backslash (essays need manual grading), question_with_tags (an essay),
  match (no matching type): each is reported with its name and the reason.
- questions.gift.txt, 9 questions: match 7 (single, multiple, numeric, fill, three true/false — the two questions
  followed by a stray ``";`` get Moodle's missing-word blank, as in Moodle), skipped by design 2 (essay, matching).
- questions_in_category.gift.txt, 4 questions and a category: match 3 (single, fill, true/false, in the category's
  tag), skipped by design 1 (matching).
None imports silently wrong: every question is imported as Moodle imports it or reported as skipped or refused.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from lms.core.markdown import render_inline
from lms.quizzes.importers import ImportResult, Skipped, parse_file
from lms.quizzes.specs import QuestionSpec

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "moodle" / "gift"


def gift(text: str) -> ImportResult:
    return parse_file(text.encode(), "moodle.gift")


def one(text: str) -> QuestionSpec:
    result = gift(text)
    assert (result.skipped, result.refused) == ([], [])
    [question] = result.questions
    return question


def skipped(text: str) -> Skipped:
    result = gift(text)
    assert (result.questions, result.refused) == ([], [])
    [item] = result.skipped
    return item


# --- giftformat_test.php ---------------------------------------------------------------------------------------------

def test_match_import_multichoice() -> None:
    question = one("""
// multiple choice with specified feedback for right and wrong answers
::Q2:: What's between orange and green in the spectrum?
{
    =yellow # right; good!
    ~red # [html]wrong, it's yellow
    ~[plain]blue # wrong, it's yellow
}""")
    assert (question.type, question.extra["title"]) == ("single", "Q2")
    assert render_inline(question.stem) == "What's between orange and green in the spectrum?"
    assert question.options == ("yellow", "red", "blue")
    assert (question.correct, question.weights) == ((0,), None)  # fractions 1, 0, 0
    assert question.feedback == ("right; good!", "wrong, it's yellow", "wrong, it's yellow")
    assert question.explanation == ""


def test_match_import_multichoice_multi() -> None:
    question = one("""
// multiple choice, multiple response with specified feedback for right and wrong answers
::colours:: What's between orange and green in the spectrum?
{
    ~%50%yellow # right; good!
    ~%-100%red # [html]wrong
    ~%50%off-beige # right; good!
    ~%-100%[plain]blue # wrong
}""")
    assert (question.type, question.extra["title"]) == ("multiple", "colours")
    assert question.options == ("yellow", "red", "off-beige", "blue")
    assert question.weights == (0.5, -1, 0.5, -1)
    assert question.correct == (0, 2)
    assert question.feedback == ("right; good!", "wrong", "right; good!", "wrong")


def test_match_import_multichoice_multi_tricky() -> None:
    # No "=" in the block: a checkbox question, even though one answer alone is worth 100%.
    question = one("""
// multiple choice, multiple response with specified feedback for right and wrong answers
::colours:: What's between orange and green in the spectrum?
{
    ~%100%yellow # right; good!
    ~%-50%red # wrong
    ~%-50%blue # wrong
}""")
    assert question.type == "multiple"
    assert question.options == ("yellow", "red", "blue")
    assert (question.correct, question.weights) == ((0,), (1, -0.5, -0.5))
    assert question.feedback == ("right; good!", "wrong", "wrong")


def test_differs_import_numerical_other_answer_feedback_kept_in_extra() -> None:
    question = one("""
// math range question
::Q5:: What is a number from 1 to 5? {#3:2~#Completely wrong}""")
    assert (question.type, question.extra["title"]) == ("numeric", "Q5")
    assert render_inline(question.stem) == "What is a number from 1 to 5?"
    assert question.numbers == ((3, 2),)  # answer 3, tolerance 2, fraction 1
    assert (question.weights, question.feedback) == (None, ())
    # Moodle: a second answer "*" with fraction 0 and this feedback.
    assert question.extra["other_feedback"] == "Completely wrong"


SHORTANSWER = """
// question: 666  name: Shortanswer
::Shortanswer::Which is the best animal?{
    =Frog#Good!
    =%50%Cat#What is it with Moodlers and cats?
    =%0%*#Completely wrong
"""


def test_match_import_shortanswer() -> None:
    question = one(SHORTANSWER + "}")
    assert (question.type, question.extra["title"]) == ("fill", "Shortanswer")
    assert render_inline(question.stem) == "Which is the best animal?"
    assert question.accepted == ("Frog", "Cat", "*")  # "*" is Moodle's wildcard, kept for grading
    assert question.weights == (1, 0.5, 0)
    assert question.feedback == ("Good!", "What is it with Moodlers and cats?", "Completely wrong")
    assert question.explanation == ""


def test_match_import_shortanswer_with_general_feedback() -> None:
    question = one(SHORTANSWER + "    ####[html]Here is some general feedback!\n}")
    assert question.accepted == ("Frog", "Cat", "*")
    assert question.weights == (1, 0.5, 0)
    assert question.explanation == "Here is some general feedback!"


def test_match_import_truefalse() -> None:
    question = one("""
// true/false
::Q1:: 42 is the Absolute Answer to everything.{
FALSE#42 is the Ultimate Answer.#You gave the right answer.}""")
    assert (question.type, question.truth, question.extra["title"]) == ("truefalse", False, "Q1")
    assert render_inline(question.stem) == "42 is the Absolute Answer to everything."
    # (feedbacktrue, feedbackfalse)
    assert question.feedback == ("42 is the Ultimate Answer.", "You gave the right answer.")


@pytest.mark.parametrize("block", ["{T}", "{TRUE}"])
def test_match_import_truefalse_true_answer(block: str) -> None:
    question = one(f"// name 0-11\n::2-08 TSL::TSL is blablabla.{block}")
    assert (question.type, question.truth, question.extra["title"]) == ("truefalse", True, "2-08 TSL")
    assert (question.stem, question.feedback) == ("TSL is blablabla.", ())


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("\n// essay\n::Q8:: How are you? {}", "Q8"),  # test_import_essay
        ("\n// essay\n::double backslash:: A \\\\ B \\\\\\\\ C{}", "double backslash"),  # test_import_backslash
        ("\n::Q001::[html]<p>What would running the test method print?</p>\n<pre>\n    public void test() \\{\n"
         "        method1();\n    \\}\n</pre>\n{}", "Q001"),  # test_import_pre_content
        ("\n// This question is to test importing tags: [tag:tag] [tag:other-tag].\n// And an idnumber: [id:myid].\n"
         "::Question name:: How are you? {}", "Question name"),  # test_import_question_with_tags
    ],
)
def test_skipped_by_design_essays(text: str, name: str) -> None:
    item = skipped(text)
    assert item.name == name
    assert "问答题" in item.reason


def test_skipped_by_design_import_match() -> None:
    item = skipped("""
// question: 2  name: Moodle activities
::Moodle activities::[html]Match the <b>activity</b> to the description.{
    =[html]An activity supporting asynchronous discussions. -> Forum
    =[moodle]A teacher asks a question and specifies a choice of multiple responses. -> Choice
    =[plain]A bank of record entries which participants can add to. -> Database
    =[markdown]A collection of web pages that anyone can add to or edit. -> Wiki
    = -> Chat
}""")
    assert (item.name, item.line) == ("Moodle activities", 3)
    assert "配对题" in item.reason


def test_match_import_question_with_tags_on_a_question_the_platform_has() -> None:
    question = one("// This question is to test importing tags: [tag:tag] [tag:other-tag].\n"
                   "// And an idnumber: [id:myid].\n::Question name:: How are you? {T}")
    assert (question.key, question.tags, question.extra["title"]) == ("myid", ("tag", "other-tag"), "Question name")


@pytest.mark.parametrize(
    ("comment", "idnumber", "tags"),
    [
        pytest.param("", "", (), id="match-blank comment"),
        pytest.param("// A basic comment.", "", (), id="match-nothing in comment"),
        pytest.param("// A comment with [id:frog] <-- an idnumber.", "frog", (), id="match-idnumber only"),
        pytest.param("// Look tags: [tag:frog] [tag:toad].", "", ("frog", "toad"), id="match-tags only"),
        pytest.param("// [tag:add] [tag:basic] [id:four]", "four", ("add", "basic"), id="match-everything"),
        pytest.param("// [tag:  basic] Here is  \n// a [id:   four   ] que[tag:add   ]stion.", "four", ("basic", "add"),
                     id="match-everything mixed up"),
        # Moodle passes the comment itself; in a file its second line is a comment line too.
        pytest.param("// Ceci n'est pas une [tag:\n//\\ frog].", "", (), id="match-split over line"),
        pytest.param("// [id:i\\]d].", "i]d", (), id="match-escape ] idnumber"),
        pytest.param("// [tag:t\\]ag].", "", ("t]ag",), id="match-escape ] tag"),
    ],
)
def test_extract_idnumber_and_tags_from_comment(comment: str, idnumber: str, tags: tuple[str, ...]) -> None:
    question = one(f"{comment}\nQ?{{T}}")
    assert question.key == (idnumber or "gift-1")
    assert question.tags == tags


# --- the fixture files -----------------------------------------------------------------------------------------------

def read_fixture(name: str) -> ImportResult:
    path = FIXTURES / name
    return parse_file(path.read_bytes(), path.name)  # no skip when missing: a conformance check must run


def test_fixture_questions_gift_txt() -> None:
    result = read_fixture("questions.gift.txt")
    assert result.refused == []
    assert [(item.name, item.line) for item in result.skipped] == [("Q8", 2), ("Moodle activities", 5)]
    kinds = [(q.extra["title"], q.type) for q in result.questions]
    assert kinds == [("Q2", "single"), ("colours", "multiple"), ("Q5", "numeric"), ("Shortanswer", "fill"),
                     ("Q1", "truefalse"), ("2-08 TSL", "truefalse"), ("2-08 TSL", "truefalse")]
    q2, colours, q5, animal, q1, tsl, tsl_true = result.questions
    assert (q2.correct, colours.weights) == ((0,), (0.5, -1, 0.5, -1))
    # The stray '";' after the block (a leftover in Moodle's fixture) makes Moodle read a missing-word question.
    assert render_inline(q5.stem) == 'What is a number from 1 to 5? _____";'
    assert (q5.numbers, q5.extra["other_feedback"]) == (((3, 2),), "Completely wrong")
    assert (animal.accepted, animal.weights) == (("Frog", "Cat", "*"), (1, 0.5, 0))
    assert render_inline(q1.stem) == '42 is the Absolute Answer to everything._____";'
    assert q1.truth is False
    assert q1.explanation == "This is, of course, a Hitchiker's Guide to the Galaxy reference."
    assert (tsl.truth, tsl_true.truth) == (True, True)
    lines = (14, 22, 31, 34, 41, 46, 49)
    assert [q.source for q in result.questions] == [f"questions.gift.txt:{line}" for line in lines]


def test_fixture_questions_in_category_gift_txt() -> None:
    result = read_fixture("questions_in_category.gift.txt")
    assert result.refused == []
    [match] = result.skipped
    assert (match.name, match.line) == ("Moodle activities", 5)
    greeting, user, acronym = result.questions
    assert all(q.tags == ("Default for New Features",) for q in result.questions)
    assert (greeting.type, greeting.extra["title"], greeting.correct) == ("single", "Greeting", (1,))
    assert greeting.options == ("English", "French", "German", "Spanish")
    assert greeting.feedback[1] == "Yes, well done!"
    # [html]: escaped "=" and ":" are the HTML's own characters; the sanitizer keeps the link.
    assert 'href="http://demo.moodle.net/file.php/5/media/bonjour.mp3"' in render_inline(greeting.stem)
    assert render_inline(greeting.stem).endswith("Listen to this greeting:</a><br><br>What language is being spoken?")
    assert (user.type, user.accepted, user.weights, user.feedback) == ("fill", ("Moodler",), None, ())
    assert (acronym.type, acronym.truth) == ("truefalse", True)
    assert "<span>Modular Object-Oriented Dynamic Learning Environment</span>" in render_inline(acronym.stem)
