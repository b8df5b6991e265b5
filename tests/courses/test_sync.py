"""``flask sync`` for content/: the good tree, every kind of broken file, revisions, retirement, events."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from lms.core.events import lesson_published
from lms.courses.models import Lesson, LessonRevision
from lms.extensions import db
from tests.support.lessons import lesson_text

REPO_CONTENT = Path(__file__).resolve().parents[2] / "content"


def lesson_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Lesson)) or 0


def test_good_tree_is_loaded_and_reported(write_lesson, sync):
    write_lesson("policy/2026-11/handset.md", title="11月终端政策", period="2026-11", order=1)
    write_lesson("systems/b2b.md", title="B2B 下单", category="system-b2b-ordering", tags="[B2B, 入库]")
    result = sync()
    assert result.exit_code == 0, result.output
    assert "content: 2 added, 0 changed, 0 retired, 0 unchanged" in result.output
    handset = db.session.scalar(select(Lesson).where(Lesson.slug == "handset"))
    assert handset.title == "11月终端政策"
    assert handset.period == "2026-11"
    assert handset.is_live
    assert handset.source_path == "policy/2026-11/handset.md"
    b2b = db.session.scalar(select(Lesson).where(Lesson.slug == "b2b"))
    assert b2b.tags == ["B2B", "入库"]
    assert '<h2 id="第一节">第一节</h2>' in b2b.revisions[0].html  # rendered once, at sync


def test_unchanged_files_are_skipped_by_checksum(write_lesson, sync):
    write_lesson("a.md")
    assert sync().exit_code == 0
    result = sync()
    assert "0 added, 0 changed, 0 retired, 1 unchanged" in result.output
    assert db.session.scalar(select(func.count()).select_from(LessonRevision)) == 1


def test_changed_file_becomes_a_new_revision(write_lesson, sync):
    write_lesson("a.md", body="第一版内容")
    sync()
    write_lesson("a.md", body="第二版内容")
    result = sync()
    assert "0 added, 1 changed" in result.output
    lesson = db.session.scalar(select(Lesson).where(Lesson.slug == "a"))
    assert [r.number for r in lesson.revisions] == [1, 2]
    assert lesson.published_number == 2
    assert "第二版内容" in lesson.revisions[1].html
    assert "第一版内容" in lesson.revisions[0].html  # history stays


def test_removed_file_retires_its_lesson_and_never_deletes_it(write_lesson, sync, content_dir):
    write_lesson("a.md")
    write_lesson("b.md")
    sync()
    (content_dir / "b.md").unlink()
    result = sync()
    assert "0 added, 0 changed, 1 retired, 1 unchanged" in result.output
    retired = db.session.scalar(select(Lesson).where(Lesson.slug == "b"))
    assert retired is not None
    assert retired.retired_at is not None
    assert not retired.is_live
    write_lesson("b.md")  # the file comes back: the lesson is live again
    assert "1 added" in sync().output
    db.session.refresh(retired)
    assert retired.is_live


def test_duplicate_slug_names_both_files_and_changes_nothing(write_lesson, sync):
    write_lesson("policy/same.md")
    write_lesson("systems/same.md", category="system-b2b-ordering")
    result = sync()
    assert result.exit_code != 0
    assert "content/policy/same.md" in result.output
    assert "content/systems/same.md" in result.output
    assert "重复" in result.output
    assert lesson_count() == 0


def test_broken_front_matter_names_file_and_line_and_changes_nothing(write_lesson, sync):
    write_lesson("good.md")
    sync()
    write_lesson("good.md", body="改过的内容")
    write_lesson("bad.md", text="---\ntitle: 坏文件\ncategory: [policy-handset\n---\n正文\n")
    result = sync()
    assert result.exit_code != 0
    assert "content/bad.md:3" in result.output
    assert "nothing was changed" in result.output
    good = db.session.scalar(select(Lesson).where(Lesson.slug == "good"))
    assert good.current_number == 1  # the good file's change waits for a clean tree
    assert lesson_count() == 1


def test_unknown_category_names_file_and_line(write_lesson, sync):
    write_lesson("a.md", text=lesson_text(category="policy-handsets", period="2026-11"))
    result = sync()
    assert result.exit_code != 0
    assert "content/a.md:3: 未知的分类“policy-handsets”" in result.output
    assert lesson_count() == 0


def test_check_validates_only(write_lesson, sync):
    write_lesson("a.md")
    result = sync("--check")
    assert result.exit_code == 0
    assert "check passed" in result.output
    assert lesson_count() == 0


def test_every_problem_of_every_file_is_listed(write_lesson, sync):
    write_lesson("no-front.md", text="# 没有头部信息\n")
    write_lesson("Bad_Name.md")
    write_lesson("bad-period.md", text=lesson_text(period="2026-13", order="first"))
    write_lesson("alias.md", text="---\ntitle: &t 标题\ncategory: *t\n---\n正文\n")
    result = sync("--check")
    assert result.exit_code != 0
    for expected in ("content/no-front.md:1: 缺少头部信息", "content/Bad_Name.md:1:", "content/bad-period.md:4: period",
                     "content/bad-period.md:5: order", "content/alias.md:3: 头部信息 YAML 格式错误"):
        assert expected in result.output


def test_a_file_may_not_take_the_slug_of_a_browser_lesson(write_lesson, sync, make_user):
    from lms.courses import services
    from lms.courses.rules import LessonMeta

    services.create_web_lesson(slug="taken", meta=LessonMeta(title="网页课程", category="mindset"), body="正文",
                               author=make_user("trainer"))
    write_lesson("taken.md")
    write_lesson("other.md")
    result = sync()
    assert result.exit_code != 0
    assert "content/taken.md:1: 课程标识“taken”已被网页创建的课程使用" in result.output
    assert lesson_count() == 1  # "other" was not added either: one transaction


def test_lesson_published_is_sent_after_commit_for_new_and_changed_lessons(write_lesson, sync):
    seen: list[tuple[str, bool]] = []

    def receiver(lesson: Lesson) -> None:
        # Committed: a fresh connection can already read it.
        seen.append((lesson.slug, db.session.scalar(select(Lesson.id).where(Lesson.slug == lesson.slug)) is not None))

    lesson_published.connect(receiver)
    try:
        write_lesson("a.md")
        sync()
        sync()  # unchanged: no event
        write_lesson("a.md", body="新内容")
        sync()
    finally:
        lesson_published.disconnect(receiver)
    assert seen == [("a", True), ("a", True)]


@pytest.mark.parametrize("text", [
    "---\ntitle: x\ncategory: mindset\nextra: [" + "[" * 50 + "]" * 50 + "]\n---\n正文\n",
    "---\n" + "a: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b]\n" + "---\n正文\n",
])
def test_hostile_yaml_is_refused_with_a_message(write_lesson, sync, text):
    write_lesson("hostile.md", text=text)
    result = sync("--check")
    assert result.exit_code != 0
    assert "content/hostile.md" in result.output


def test_the_shipped_content_syncs_cleanly(app, sync, content_dir):
    shutil.rmtree(content_dir)
    shutil.copytree(REPO_CONTENT, content_dir)
    result = sync()
    assert result.exit_code == 0, result.output
    lessons = list(db.session.scalars(select(Lesson)))
    assert len(lessons) >= 12
    november = {lesson.category for lesson in lessons if lesson.period == "2026-11"}
    assert {"policy-handset", "policy-access", "policy-data", "policy-broadband", "remuneration"} <= november
    for month in ("2026-09", "2026-10"):
        assert {lesson.category for lesson in lessons if lesson.period == month} >= {
            "policy-handset", "policy-access", "policy-data", "policy-broadband"}
    assert {"system-social-channel", "system-b2b-ordering", "system-daily-lookup", "daily-management", "organising",
            "support-scripts"} <= {lesson.category for lesson in lessons}


def test_the_shipped_attachment_is_served_beside_its_lesson(client, sign_in, sync, content_dir):
    shutil.rmtree(content_dir)
    shutil.copytree(REPO_CONTENT, content_dir)
    assert sync().exit_code == 0
    sign_in("manager")
    page = client.get("/lessons/shop-visit-standard").get_data(as_text=True)
    assert 'href="/lessons/shop-visit-standard/files/files/shop-visit-checklist.xlsx"' in page
    sheet = client.get("/lessons/shop-visit-standard/files/files/shop-visit-checklist.xlsx")
    assert sheet.status_code == 200
    assert sheet.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet.close()
