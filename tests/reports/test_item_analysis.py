"""Item analysis on a small hand-computed example, through real papers with shuffled options, and regrading a quiz
after a key correction: a preview first, then the scores, with an audit event per changed attempt."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from lms.attempts.key_corrections import KeyCorrection
from lms.attempts.models import Attempt, AttemptEvent
from lms.attempts.regrade import apply_regrade, plan_regrade
from lms.extensions import db
from lms.reports.queries import analytics
from tests.reports.conftest import picks_for
from tests.support.web import post_form

REVERSED = [3, 2, 1, 0]


@pytest.fixture
def sat(managers, monthly_quiz, sit, make_user):
    """Four people on the same quiz: 100, 80, 60 and 40 points (the first 0, 1, 2, 3 questions wrong); two of the
    papers show the options in reverse order."""
    takers = managers(4)
    quiz = monthly_quiz("2026-06")
    attempts = [sit(person, quiz, picks_for(wrong), order=REVERSED if wrong % 2 else None)
                for wrong, person in enumerate(takers)]
    return {"quiz": quiz, "people": takers, "attempts": attempts, "trainer": make_user("trainer")}


def by_id(analysis):
    return {q.info.id: q for q in analysis.questions}


def test_scores_are_what_the_example_says(sat):
    assert [a.score for a in sat["attempts"]] == [100.0, 80.0, 60.0, 40.0]


def test_facility_and_discrimination_match_the_hand_computation(sat):
    # N = 4 → upper group (100, 80), lower group (60, 40).
    # q1 right only at 100: P = 1/4; D = 1/2 − 0 = 0.5.  q2 right at 100, 80: P = 2/4; D = 1 − 0 = 1.0.
    # q3 right at 100, 80, 60: P = 3/4; D = 1 − 1/2 = 0.5.  q4, q5 right everywhere: P = 1, D = 0.
    analysis = analytics.quiz_analysis(sat["quiz"], sat["trainer"])
    stats = {qid: (q.stats.facility, q.stats.discrimination) for qid, q in by_id(analysis).items()}
    assert stats == {"q1": (0.25, 0.5), "q2": (0.5, 1.0), "q3": (0.75, 0.5), "q4": (1.0, 0.0), "q5": (1.0, 0.0)}
    assert analysis.attempts == 4
    assert analysis.passed == 2
    assert analysis.average == 70.0


def test_option_choices_are_counted_by_the_authored_option_whatever_the_shuffle(sat):
    q1 = by_id(analytics.quiz_analysis(sat["quiz"], sat["trainer"]))["q1"]
    assert q1.info.options == ("当月有效", "次月有效", "长期有效", "以通知为准")
    assert q1.info.correct == (0,)
    assert q1.stats.option_counts == (1, 0, 0, 3)  # the right one once, "以通知为准" three times
    q3 = by_id(analytics.quiz_analysis(sat["quiz"], sat["trainer"]))["q3"]
    assert q3.info.correct == (0, 2)
    assert q3.stats.option_counts == (4, 0, 3, 0)


def test_most_missed_questions_come_first_with_their_lessons(sat):
    missed = analytics.quiz_analysis(sat["quiz"], sat["trainer"]).most_missed(2)
    assert [(q.info.id, q.info.lesson) for q in missed] == [("q1", "policy-terminal"), ("q2", "remuneration")]


def test_the_analysis_page_shows_the_numbers(auth, sat):
    auth.login(sat["trainer"])
    page = auth.client.get(f"/reports/quizzes/{sat['quiz'].slug}").get_data(as_text=True)
    assert "0.25" in page
    assert "1.00" in page
    assert "以通知为准" in page
    assert "错误最多的题目" in page


# --- regrading -----------------------------------------------------------------------------------------------------


def test_preview_changes_nothing(sat):
    before = [(a.id, a.score) for a in db.session.scalars(select(Attempt).order_by(Attempt.id))]
    plan = plan_regrade(sat["quiz"], KeyCorrection("q1", correct=(3,)), sat["trainer"])
    # With "以通知为准" as the key: 100 → 80, 80 → 100, 60 → 80 (now passes), 40 → 60.
    changes = {c.user_id: (c.old_score, c.new_score, c.outcome_changed) for c in plan.changes}
    a, b, c, d = sat["people"]
    assert changes == {a.id: (100.0, 80.0, False), b.id: (80.0, 100.0, False), c.id: (60.0, 80.0, True),
                       d.id: (40.0, 60.0, False)}
    assert plan.outcome_changes == 1
    db.session.expire_all()
    assert [(a.id, a.score) for a in db.session.scalars(select(Attempt).order_by(Attempt.id))] == before


def test_apply_regrades_every_paper_and_leaves_an_audit_trail(auth, sat):
    auth.login(sat["trainer"])
    url = f"/reports/quizzes/{sat['quiz'].slug}/regrade/q1"
    preview = post_form(auth.client, url, {"action": "preview", "correct": "3"})
    text = preview.get_data(as_text=True)
    assert "成绩改变 4 份，及格与否改变 1 份" in text
    assert db.session.scalar(select(AttemptEvent).where(AttemptEvent.kind == "regraded")) is None
    applied = post_form(auth.client, url, {"action": "apply", "correct": "3"})
    assert applied.status_code == 302
    db.session.rollback()
    attempts = list(db.session.scalars(select(Attempt).order_by(Attempt.id)))
    assert [a.score for a in attempts] == [80.0, 100.0, 80.0, 60.0]
    assert [a.passed for a in attempts] == [True, True, True, False]
    for attempt in attempts:  # the key on each paper, on that paper's own option ids
        q1 = next(q for q in attempt.paper["questions"] if q["id"] == "q1")
        assert [o["source_index"] for o in q1["options"] if o["id"] in q1["correct"]] == [3]
    events = list(db.session.scalars(select(AttemptEvent).where(AttemptEvent.kind == "regraded")))
    assert len(events) == 4
    assert events[0].detail["by"] == sat["trainer"].employee_no


def test_a_running_attempt_gets_the_corrected_key_without_a_score(sat, sit, managers):
    late = managers(1)[0]
    running = sit(late, sat["quiz"], {"q1": (3,)}, finished=False)
    plan = apply_regrade(sat["quiz"], KeyCorrection("q1", correct=(3,)), actor=sat["trainer"],
                         now=running.started_at)
    assert plan.running == 1
    db.session.expire_all()
    attempt = db.session.get(Attempt, running.id)
    assert attempt.score is None
    q1 = next(q for q in attempt.paper["questions"] if q["id"] == "q1")
    assert [o["source_index"] for o in q1["options"] if o["id"] in q1["correct"]] == [3]


def test_a_closed_period_is_flagged_not_rewritten(sat, close):
    from lms.assessment.models import Outcome

    close("2026-06")
    plan = plan_regrade(sat["quiz"], KeyCorrection("q1", correct=(3,)), sat["trainer"])
    c = sat["people"][2]
    assert [(o.user_id, o.old_status, o.new_status) for o in plan.closed_outcomes] == [(c.id, "FAIL", "PASS")]
    apply_regrade(sat["quiz"], KeyCorrection("q1", correct=(3,)), actor=sat["trainer"],
                  now=sat["attempts"][0].started_at)
    assert db.session.scalar(select(Outcome.status).where(Outcome.user_id == c.id)) == "FAIL"


def test_bad_corrections_and_strangers_are_refused(auth, sat, make_user):
    from lms.core.errors import Forbidden, ValidationFailed

    with pytest.raises(ValidationFailed):
        plan_regrade(sat["quiz"], KeyCorrection("q1", correct=(0, 1)), sat["trainer"])
    with pytest.raises(Forbidden):
        apply_regrade(sat["quiz"], KeyCorrection("q1", correct=(3,)),
                      actor=make_user("supervisor", county=None, grid=None), now=sat["attempts"][0].started_at)
    auth.login(sat["trainer"])
    response = post_form(auth.client, f"/reports/quizzes/{sat['quiz'].slug}/regrade/q1",
                         {"action": "apply", "correct": ["0", "1"]})
    assert "单选题和判断题只能有一个正确答案" in response.get_data(as_text=True)
    assert auth.client.get(f"/reports/quizzes/{sat['quiz'].slug}/regrade/q9").status_code == 404
