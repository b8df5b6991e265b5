"""A trainer writes a lesson in the browser, previews, publishes; a manager reads it and marks it studied."""

from __future__ import annotations

from sqlalchemy import select

from lms.courses.models import Lesson, LessonProgress
from lms.extensions import db
from tests.support.web import csrf_token, post_form

FIELDS = {"title": "11月宽带提速活动", "category": "policy-broadband", "period": "2026-11", "order": "5",
          "tags": "宽带, 提速", "summary": "老用户免费提速到300M", "quiz": "", "effective": "2026-11-01"}


def test_trainer_edits_previews_publishes_and_manager_studies(app, client, auth, make_user):
    trainer = make_user("trainer", name="李培训")
    manager = make_user("manager", name="王经理")
    auth.login(trainer)

    # Preview: rendered by the server, nothing saved.
    body = ("## 活动内容\n\n在网满一年的 **100M** 老用户免费提速至 300M。\n\n"
            "| 速率 | 资费 |\n| --- | --- |\n| 300M | 不变 |\n")
    page = post_form(client, "/courses/new", {**FIELDS, "slug": "broadband-speedup", "body": body,
                                              "action": "preview"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "<strong>100M</strong>" in html
    assert "<table>" in html
    assert db.session.scalar(select(Lesson)) is None

    # The live preview endpoint renders and sanitizes the same way.
    live = client.post("/courses/preview", data={"body": "**粗体**<script>alert(1)</script>"},
                       headers={"X-CSRFToken": csrf_token(client, "/courses/new")})
    assert live.json["html"] == "<p><strong>粗体</strong></p>"

    # Save a draft: managers cannot see it yet.
    saved = post_form(client, "/courses/new", {**FIELDS, "slug": "broadband-speedup", "body": body, "action": "save"})
    assert saved.status_code == 302
    lesson = db.session.scalar(select(Lesson).where(Lesson.slug == "broadband-speedup"))
    assert lesson.status == "draft"
    assert lesson.revisions[0].author_id == trainer.id

    # A second save with a change is revision 2; then publish.
    edited = body.replace("300M。", "300M，资费不变。")
    post_form(client, "/lessons/broadband-speedup/edit", {**FIELDS, "body": edited, "note": "补充资费说明",
                                                          "action": "save"})
    published = post_form(client, "/lessons/broadband-speedup/publish", {},
                          token_from="/lessons/broadband-speedup/edit")
    assert published.status_code == 302
    db.session.refresh(lesson)
    assert (lesson.current_number, lesson.published_number) == (2, 2)

    # The diff between the revisions shows what changed, with author.
    diff = client.get("/lessons/broadband-speedup/diff?from=1&to=2").get_data(as_text=True)
    assert '<span class="diff-remove">- 在网满一年的 **100M** 老用户免费提速至 300M。</span>' in diff
    assert '<span class="diff-add">+ 在网满一年的 **100M** 老用户免费提速至 300M，资费不变。</span>' in diff
    history = client.get("/lessons/broadband-speedup/revisions").get_data(as_text=True)
    assert "李培训" in history
    assert "补充资费说明" in history
    auth.logout()

    # The manager finds it in the catalogue, reads it, marks it studied.
    auth.login(manager)
    catalogue = client.get("/courses").get_data(as_text=True)
    assert "11月宽带提速活动" in catalogue
    page = client.get("/lessons/broadband-speedup")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "资费不变" in text
    assert 'href="#活动内容"' in text  # the table of contents
    assert "我已学完本课" in text
    assert "编辑" not in text
    marked = post_form(client, "/lessons/broadband-speedup/studied", {"studied": "1"},
                       token_from="/lessons/broadband-speedup")
    assert marked.status_code == 302
    progress = db.session.scalar(select(LessonProgress).where(LessonProgress.user_id == manager.id))
    assert progress.studied_at is not None
    assert progress.studied_revision == 2
    assert "您已于" in client.get("/lessons/broadband-speedup").get_data(as_text=True)
    assert "✓ 已学习" in client.get("/courses").get_data(as_text=True)


def test_drafts_and_unpublished_lessons_are_hidden_from_managers(client, auth, make_user):
    from lms.courses import services
    from lms.courses.rules import LessonMeta

    trainer = make_user("trainer")
    lesson = services.create_web_lesson(slug="draft-one", meta=LessonMeta("草稿课程", "mindset"), body="正文",
                                        author=trainer)
    auth.login(make_user("manager"))
    assert client.get("/lessons/draft-one").status_code == 404
    assert "草稿课程" not in client.get("/courses").get_data(as_text=True)
    services.publish_lesson(lesson, trainer)
    assert client.get("/lessons/draft-one").status_code == 200
    services.unpublish_lesson(lesson, trainer)
    assert client.get("/lessons/draft-one").status_code == 404


def test_rollback_makes_a_new_revision_with_the_old_content_and_keeps_it_live(client, auth, make_user):
    from lms.courses import services
    from lms.courses.rules import LessonMeta

    trainer = make_user("trainer")
    meta = LessonMeta("话术", "support-scripts")
    lesson = services.create_web_lesson(slug="scripts", meta=meta, body="好的话术", author=trainer, publish=True)
    services.save_web_lesson(lesson, meta=meta, body="写错的话术", author=trainer, publish=True)
    auth.login(trainer)
    response = post_form(client, "/lessons/scripts/rollback", {"number": "1"}, token_from="/lessons/scripts/revisions")
    assert response.status_code == 302
    db.session.refresh(lesson)
    assert (lesson.current_number, lesson.published_number) == (3, 3)
    assert "好的话术" in client.get("/lessons/scripts").get_data(as_text=True)
    assert lesson.revisions[2].note == "回滚到第 1 版"


def test_file_lessons_are_read_only_in_the_browser(client, auth, make_user, write_lesson, sync):
    write_lesson("policy/handset.md", title="终端政策")
    sync()
    auth.login(make_user("trainer"))
    page = client.get("/lessons/handset").get_data(as_text=True)
    assert "此课程来自文件 policy/handset.md" in page
    edit = client.get("/lessons/handset/edit", follow_redirects=True).get_data(as_text=True)
    assert "请修改文件后运行同步" in edit
    refused = post_form(client, "/lessons/handset/publish", {}, token_from="/lessons/handset")
    assert refused.status_code == 409


def test_export_gives_a_file_that_syncs_back(client, auth, make_user, content_dir, sync):
    from lms.courses import services
    from lms.courses.rules import LessonMeta

    trainer = make_user("trainer")
    services.create_web_lesson(slug="web-lesson", meta=LessonMeta("网页课程", "organising", tags=("地推",),
                                                                  period="2026-11", summary="摘要"),
                               body="## 步骤\n\n1. 选点", author=trainer, publish=True)
    auth.login(trainer)
    response = client.get("/lessons/web-lesson/export.md")
    assert response.headers["Content-Disposition"] == 'attachment; filename="web-lesson.md"'
    text = response.get_data(as_text=True)
    assert text.startswith("---\ntitle: 网页课程\ncategory: organising\nperiod: 2026-11\n")
    (content_dir / "exported-copy.md").write_text(text, encoding="utf-8")
    result = sync("--check")
    assert result.exit_code == 0, result.output


def test_editor_reports_every_problem_and_saves_nothing(client, auth, make_user):
    auth.login(make_user("trainer"))
    response = post_form(client, "/courses/new", {**FIELDS, "slug": "Bad Slug", "period": "2026-13",
                                                  "body": "正文", "action": "save"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "period 必须是 YYYY-MM" in html
    assert db.session.scalar(select(Lesson)) is None
    response = post_form(client, "/courses/new", {**FIELDS, "slug": "Bad Slug", "body": "正文", "action": "save"})
    assert "课程标识只能用小写字母" in response.get_data(as_text=True)


def test_managers_and_supervisors_cannot_author(client, auth, make_user):
    for role in ("manager", "supervisor"):
        auth.login(make_user(role))
        assert client.get("/courses/new").status_code == 403
        assert client.get("/courses/manage").status_code == 403
        auth.logout()
