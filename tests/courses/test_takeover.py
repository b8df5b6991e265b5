"""Taking a file lesson over in the browser: the confirm page, the audit entry, editing with its history, and
``flask sync`` skipping the file from then on (reported by name, never overwriting or retiring the lesson)."""

from __future__ import annotations

from sqlalchemy import select

from lms.audit import rules as audit_rules
from lms.audit.models import AuditEntry
from lms.courses.models import Lesson
from lms.extensions import db
from tests.support.web import post_form


def lesson(slug: str) -> Lesson:
    found = db.session.scalar(select(Lesson).where(Lesson.slug == slug))
    db.session.refresh(found)
    return found


def edit_form(title: str, body: str, note: str = "") -> dict[str, str]:
    return {"title": title, "category": "system-b2b-ordering", "order": "100", "body": body, "note": note}


def test_a_trainer_takes_over_a_file_lesson_and_sync_skips_it(client, auth, make_user, write_lesson, sync):
    source = write_lesson("systems/b2b.md", title="B2B 下单", category="system-b2b-ordering",
                          body="## 步骤\n\n文件里的正文\n")
    write_lesson("systems/stock.md", title="入库", category="system-b2b-ordering")
    sync()
    trainer = make_user("trainer")
    auth.login(trainer)

    manage = client.get("/courses/manage").get_data(as_text=True)
    assert "/lessons/b2b/takeover" in manage
    page = client.get("/lessons/b2b").get_data(as_text=True)
    assert "在浏览器中接管" in page
    confirm = client.get("/lessons/b2b/takeover")
    assert confirm.status_code == 200
    text = confirm.get_data(as_text=True)
    assert "systems/b2b.md" in text
    assert "从此以后这个文件会被忽略" in text

    response = post_form(client, "/lessons/b2b/takeover", {})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/lessons/b2b/edit")
    taken = lesson("b2b")
    assert (taken.source, taken.source_path, taken.taken_over_by_id) == ("web", "systems/b2b.md", trainer.id)
    assert taken.taken_over_at is not None
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == audit_rules.LESSON_TAKEN_OVER))
    assert entry.actor_id == trainer.id
    assert entry.subject.startswith("b2b")
    assert entry.changes == {"file": "systems/b2b.md"}

    editor = client.get("/lessons/b2b/edit").get_data(as_text=True)
    assert "文件里的正文" in editor
    saved = post_form(client, "/lessons/b2b/edit", {**edit_form("B2B 下单（网页版）", "## 步骤\n\n网页里改过的正文"),
                                                    "action": "publish"})
    assert saved.status_code == 302
    taken = lesson("b2b")
    assert (taken.current_number, taken.published_number) == (2, 2)
    assert "文件里的正文" in taken.revisions[0].html  # the file's history stays

    manage = client.get("/courses/manage").get_data(as_text=True)
    assert "接管自文件" in manage
    assert "/lessons/stock/takeover" in manage  # the other lesson is still owned by its file

    write_lesson("systems/b2b.md", title="B2B 下单", category="system-b2b-ordering", body="文件又改了\n")
    result = sync()
    assert result.exit_code == 0, result.output
    assert "content: 0 added, 0 changed, 0 retired, 1 unchanged, 1 skipped" in result.output
    assert "skipped: content/systems/b2b.md: taken over in the browser" in result.output
    taken = lesson("b2b")
    assert (taken.title, taken.current_number, taken.published_number) == ("B2B 下单（网页版）", 2, 2)
    assert "网页里改过的正文" in client.get("/lessons/b2b").get_data(as_text=True)

    source.unlink()  # the file goes: the lesson is the browser's, it stays live
    result = sync()
    assert "0 retired" in result.output
    assert lesson("b2b").is_live


def test_only_authors_take_over_and_only_file_lessons(client, auth, make_user, write_lesson, sync):
    write_lesson("systems/b2b.md", title="B2B 下单", category="system-b2b-ordering")
    sync()
    auth.login(make_user("manager"))
    assert client.get("/lessons/b2b/takeover").status_code in (403, 404)
    assert post_form(client, "/lessons/b2b/takeover", {}, token_from="/").status_code in (403, 404)
    assert lesson("b2b").source == "file"
    auth.logout()
    auth.login(make_user("admin"))
    assert post_form(client, "/lessons/b2b/takeover", {}).status_code == 302
    again = post_form(client, "/lessons/b2b/takeover", {}, token_from="/courses/manage")
    assert again.status_code == 409  # already the browser's
    assert client.get("/lessons/b2b/takeover").status_code == 302
    assert db.session.query(AuditEntry).filter_by(action=audit_rules.LESSON_TAKEN_OVER).count() == 1


def test_files_beside_a_taken_over_lesson_are_still_served(client, auth, make_user, write_lesson, sync):
    source = write_lesson("systems/b2b.md", title="B2B 下单", category="system-b2b-ordering",
                          body="[清单](files/list.pdf)\n")
    (source.parent / "files").mkdir()
    (source.parent / "files" / "list.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
    sync()
    auth.login(make_user("trainer"))
    post_form(client, "/lessons/b2b/takeover", {})
    post_form(client, "/lessons/b2b/edit", {**edit_form("B2B 下单", "[清单](files/list.pdf)\n\n新增一段"),
                                            "action": "publish"})
    page = client.get("/lessons/b2b").get_data(as_text=True)
    assert 'href="/lessons/b2b/files/files/list.pdf"' in page
    response = client.get("/lessons/b2b/files/files/list.pdf")
    assert response.status_code == 200
    response.close()
