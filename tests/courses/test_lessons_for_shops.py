"""A lesson marked for the shops: ``audience: shops`` in a file, the editor's checkbox in the browser; a new
revision either way, and the front matter written back on export."""

from __future__ import annotations

from sqlalchemy import select

from lms.courses import rules
from lms.courses.models import Lesson
from lms.extensions import db
from tests.support.web import post_form

FIELDS = {"title": "门店版：购机直降", "category": "policy-handset", "period": "", "order": "5", "tags": "",
          "summary": "", "quiz": "", "effective": "", "body": "给顾客讲清楚直降金额。"}


def _lesson(slug: str) -> Lesson:
    return db.session.scalar(select(Lesson).where(Lesson.slug == slug))


def test_audience_shops_in_front_matter(write_lesson, sync):
    write_lesson("policy/shop.md", title="门店版", audience="shops")
    write_lesson("policy/inner.md", title="经理版")
    assert sync().exit_code == 0
    assert _lesson("shop").for_shops
    assert not _lesson("inner").for_shops
    assert "audience: shops" in _lesson("shop").revision(1).source_text
    write_lesson("policy/bad.md", title="写错", audience="everyone")
    result = sync()
    assert result.exit_code != 0
    assert "audience" in result.output


def test_the_trainer_ticks_for_shops_in_the_editor(app, client, auth, make_user):
    auth.login(make_user("trainer"))
    post_form(client, "/courses/new", {**FIELDS, "slug": "shop-handset", "action": "publish"})
    assert not _lesson("shop-handset").for_shops
    page = client.get("/lessons/shop-handset/edit").get_data(as_text=True)
    assert 'name="for_shops"' in page
    post_form(client, "/lessons/shop-handset/edit", {**FIELDS, "for_shops": "y", "action": "publish"})
    lesson = _lesson("shop-handset")
    db.session.refresh(lesson)
    assert lesson.for_shops
    assert lesson.current_number == 2
    editor = client.get("/lessons/shop-handset/edit").get_data(as_text=True)
    assert '<input checked id="for_shops"' in editor
    assert rules.LessonMeta(title="t", category="c", for_shops=True) != rules.LessonMeta(title="t", category="c")
