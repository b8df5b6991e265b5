"""Importing a question file like Moodle, with a preview (lms/quizzes/imports.py and its pages): nothing is written
until the trainer confirms; the good questions import and each skipped or refused one is named with its line and
reason; embedded pictures become question media; re-importing the same file changes nothing."""

from __future__ import annotations

import base64
import io
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from lms.audit.models import AuditEntry
from lms.core.errors import NotFound, ValidationFailed
from lms.core.markdown import render_markdown
from lms.extensions import db
from lms.quizzes import imports
from lms.quizzes.bank_views import as_paper
from lms.quizzes.definitions import spec_from_json
from lms.quizzes.exporters import EXPORTERS
from lms.quizzes.importers import ImportResult, Skipped
from lms.quizzes.models import BankQuestion, BankQuestionRevision, QuestionBank, QuestionImportUpload, QuestionMedia
from lms.quizzes.question_types import question_type
from lms.quizzes.specs import QuestionSpec
from tests.support.images import screenshot_png
from tests.support.web import post_form

PICTURES = "pictures.fake"  # a file name the fake reader below answers for: what Moodle XML or Word will give


def picture_file() -> ImportResult:
    """What a reader gives for a file with two good questions (one showing a picture), one refused by the reader,
    one with a broken picture, one that fails the platform's checks, and one of a type the platform lacks."""
    questions = [
        QuestionSpec(key="p1", type="single", stem="基站是哪一个？\n\n![基站](import-media/tower.png)",
                     options=("甲", "乙"), correct=(0,), points=2, source=f"{PICTURES}:1", extra={"title": "基站"}),
        QuestionSpec(key="p2", type="truefalse", stem="宽带提速需要换光猫。", truth=False, source=f"{PICTURES}:5"),
        QuestionSpec(key="p3", type="fill", stem="![坏图](import-media/broken.png) 填什么？", accepted=("x",),
                     source=f"{PICTURES}:9"),
        QuestionSpec(key="p4", type="single", stem="没有正确答案", options=("甲", "乙"), correct=(),
                     source=f"{PICTURES}:13"),
    ]
    return ImportResult(questions=questions, format="moodle-xml",
                        skipped=[Skipped("论述", 17, "本平台没有论述题（essay）")],
                        refused=[Skipped("写错的题", 3, "答案格式有误")],
                        files={"tower.png": screenshot_png(400), "broken.png": b"\x89PNG not really"})


@pytest.fixture
def app_config(app_config: dict[str, Any], tmp_path: Path) -> dict[str, Any]:
    app_config["LMS_MEDIA_DIR"] = str(tmp_path / "media")
    return app_config


@pytest.fixture
def fake_reader(monkeypatch: pytest.MonkeyPatch) -> None:
    real = imports.importers.parse_file

    def parse_file(data: bytes, filename: str) -> ImportResult:
        return picture_file() if filename == PICTURES else real(data, filename)

    monkeypatch.setattr(imports.importers, "parse_file", parse_file)
    imports._parsed.cache_clear()


def bank_keys(slug: str) -> list[str]:
    return list(db.session.scalars(select(BankQuestion.key).join(QuestionBank).where(QuestionBank.slug == slug)
                                   .order_by(BankQuestion.key)))


def revisions() -> int:
    return db.session.scalar(select(func.count(BankQuestionRevision.id))) or 0


@pytest.mark.usefixtures("fake_reader")
def test_the_preview_sorts_every_question_and_writes_nothing(app, make_user):
    trainer = make_user("trainer")
    preview = imports.stage_import(b"x", PICTURES, "photos", title="图片题库", by=trainer,
                                   limits=imports.configured_limits())
    plan = preview.plan
    assert (plan.new, plan.updated, plan.unchanged) == (2, 0, 0)
    assert [(s.line, s.reason) for s in plan.skipped] == [(17, "本平台没有论述题（essay）")]
    refused = {item.line: item.reason for item in plan.refused}
    assert sorted(refused) == [3, 9, 13]
    assert "图片 broken.png" in refused[9]
    assert refused[13] == "没有正确答案，或答案指向不存在的选项"
    assert not preview.bank_exists
    assert db.session.scalar(select(QuestionBank)) is None
    assert db.session.scalar(select(QuestionMedia)) is None
    assert not (Path(app.config["LMS_MEDIA_DIR"]) / "questions").exists()


@pytest.mark.usefixtures("fake_reader")
def test_confirming_stores_the_good_questions_their_picture_and_one_audit_entry(app, make_user):
    trainer = make_user("trainer")
    preview = imports.stage_import(b"x", PICTURES, "photos", title="图片题库", by=trainer,
                                   limits=imports.configured_limits())
    report = imports.confirm_import(preview.token, actor=trainer, digest=preview.digest,
                                    root=imports.configured_root(), limits=imports.configured_limits())
    assert report.imported == 2
    assert bank_keys("photos") == ["p1", "p2"]
    bank = db.session.scalar(select(QuestionBank).where(QuestionBank.slug == "photos"))
    assert bank.title == "图片题库"
    picture = db.session.scalar(select(QuestionMedia))
    assert (picture.bank_id, picture.original_name, picture.uploaded_by_id) == (bank.id, "tower.png", trainer.id)
    stem = spec_from_json(bank.questions[0].spec).stem
    assert f"![基站](/quizzes/media/{picture.stored_name})" in stem
    assert imports.question_picture(picture.stored_name, imports.configured_root())[1].read_bytes()[:4] == b"\x89PNG"
    assert db.session.scalar(select(QuestionImportUpload)) is None  # the waiting upload is gone
    [entry] = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "question.imported"))
    assert entry.subject == "photos"
    assert entry.changes == {"file": PICTURES, "new": 2, "updated": 0, "unchanged": 0, "skipped": 1, "refused": 3,
                             "pictures": 1}


@pytest.mark.usefixtures("fake_reader")
def test_reimporting_the_same_file_changes_nothing_and_writes_no_revision(app, make_user):
    trainer = make_user("trainer")
    imports.import_questions(b"x", PICTURES, "photos", by=trainer)
    before = revisions()
    preview = imports.stage_import(b"x", PICTURES, "photos", title=None, by=trainer,
                                   limits=imports.configured_limits())
    assert (preview.plan.new, preview.plan.updated, preview.plan.unchanged) == (0, 0, 2)
    imports.confirm_import(preview.token, actor=trainer, digest=preview.digest, root=imports.configured_root(),
                           limits=imports.configured_limits())
    assert revisions() == before
    assert db.session.scalar(select(func.count(QuestionMedia.id))) == 1


@pytest.mark.usefixtures("fake_reader")
def test_a_bank_changed_since_the_preview_is_shown_again_not_written(app, make_user):
    trainer = make_user("trainer")
    preview = imports.stage_import(b"x", PICTURES, "photos", title=None, by=trainer,
                                   limits=imports.configured_limits())
    imports.import_questions(b"x", PICTURES, "photos", by=trainer)  # someone else imported it meanwhile
    with pytest.raises(imports.PreviewOutdated) as caught:
        imports.confirm_import(preview.token, actor=trainer, digest=preview.digest, root=imports.configured_root(),
                               limits=imports.configured_limits())
    assert caught.value.preview.plan.unchanged == 2
    assert db.session.scalar(select(QuestionImportUpload)) is not None  # still waiting, for the new preview


@pytest.mark.usefixtures("fake_reader")
def test_a_preview_is_its_uploaders_and_expires_after_an_hour(app, make_user):
    trainer, other = make_user("trainer"), make_user("trainer")
    preview = imports.stage_import(b"x", PICTURES, "photos", title=None, by=trainer,
                                   limits=imports.configured_limits())
    with pytest.raises(NotFound):
        imports.preview_import(preview.token, viewer=other, limits=imports.configured_limits())
    upload = db.session.scalar(select(QuestionImportUpload))
    upload.created_at -= imports.PREVIEW_TTL + timedelta(minutes=1)
    db.session.commit()
    with pytest.raises(imports.PreviewExpired):
        imports.preview_import(preview.token, viewer=trainer, limits=imports.configured_limits())
    assert db.session.scalar(select(QuestionImportUpload)) is None


def test_a_file_with_nothing_importable_says_so(app, make_user):
    gift = "::论述::谈谈你对渠道管理的理解。{}\n"
    with pytest.raises(ValidationFailed) as caught:
        imports.stage_import(gift.encode(), "essay.gift", "essays", title=None, by=make_user("trainer"),
                             limits=imports.configured_limits())
    assert caught.value.message == "essay.gift：没有可导入的题目"
    assert any("论述" in problem for problem in caught.value.problems)
    assert db.session.scalar(select(QuestionImportUpload)) is None


def test_a_bank_from_a_file_is_not_imported_into(app, make_user):
    db.session.add(QuestionBank(slug="filed", title="文件题库", description="", source_path="quizzes/filed.yaml"))
    db.session.commit()
    with pytest.raises(Exception, match="来自文件"):
        imports.import_questions(b"Q?\nA. a\nB. b\nANSWER: A\n", "q.txt", "filed")


@pytest.mark.usefixtures("fake_reader")
def test_the_pages_preview_show_the_staged_picture_then_serve_the_stored_one(app, client, auth, make_user):
    trainer = make_user("trainer")
    auth.login(trainer)
    response = post_form(client, "/quizzes/banks", {"bank": "photos", "title": "图片题库",
                                                     "file": (io.BytesIO(b"x"), PICTURES)},
                         content_type="multipart/form-data")
    assert response.status_code == 302
    preview_url = response.headers["Location"]
    page = client.get(preview_url).get_data(as_text=True)
    assert "新增 2 道" in page
    assert "未通过 3 道" in page
    assert "跳过 1 道" in page
    assert "第 9 行" in page
    assert "图片 broken.png" in page
    staged = re.search(r'<img alt="基站" src="([^"]+)"', page).group(1)
    assert staged.startswith(preview_url + "/media/")
    picture = client.get(staged)
    assert (picture.status_code, picture.mimetype) == (200, "image/png")
    assert bank_keys("photos") == []

    digest = re.search(r'name="digest" value="([0-9a-f]+)"', page).group(1)
    done = post_form(client, preview_url, {"digest": digest, "action": "confirm"}, follow_redirects=True)
    assert "新增 2 道" in done.get_data(as_text=True)
    assert bank_keys("photos") == ["p1", "p2"]
    assert client.get(staged).status_code == 404  # the waiting upload is gone
    name = db.session.scalar(select(QuestionMedia.stored_name))
    stored = client.get(f"/quizzes/media/{name}")
    assert (stored.status_code, stored.mimetype) == (200, "image/png")
    assert "immutable" in stored.headers["Cache-Control"]
    stored.close()
    assert client.get(f"/quizzes/media/{'0' * 64}.png").status_code == 404
    assert client.get("/quizzes/media/..%2Fsecret").status_code == 404

    auth.login(make_user("manager"))  # papers show the pictures to managers
    again = client.get(f"/quizzes/media/{name}")
    assert again.status_code == 200
    again.close()


@pytest.mark.usefixtures("fake_reader")
def test_another_trainer_cannot_open_or_confirm_a_preview(app, client, auth, make_user):
    preview = imports.stage_import(b"x", PICTURES, "photos", title=None, by=make_user("trainer"),
                                   limits=imports.configured_limits())
    auth.login(make_user("trainer"))
    assert client.get(f"/quizzes/banks/import/{preview.token}").status_code == 404
    name = next(iter(preview.staged))
    assert client.get(f"/quizzes/banks/import/{preview.token}/media/{name}").status_code == 404


def test_cancel_drops_the_upload(app, client, auth, make_user):
    auth.login(make_user("trainer"))
    aiken = "星级渠道最高为几星？\nA. 3星\nB. 5星\nANSWER: B\n"
    response = post_form(client, "/quizzes/banks", {"bank": "policy", "file": (io.BytesIO(aiken.encode()), "p.txt")},
                         content_type="multipart/form-data")
    preview_url = response.headers["Location"]
    post_form(client, preview_url, {"digest": "x", "action": "cancel"}, token_from=preview_url)
    assert db.session.scalar(select(QuestionImportUpload)) is None
    assert db.session.scalar(select(QuestionBank)) is None


XLSX_BANK = [
    QuestionSpec(key="a", type="single", stem="**单选**", options=("甲", "乙", "丙"), correct=(1,), points=2,
                 explanation="见政策。", tags=("终端", "category:政策"), difficulty=2, extra={"title": "单选"}),
    QuestionSpec(key="b", type="multiple", stem="多选", options=tuple("ABCDEFGH"), correct=(0, 6, 7), points=3),
    QuestionSpec(key="c", type="truefalse", stem="判断", truth=True),
    QuestionSpec(key="d", type="fill", stem="填空 ____", accepted=("200", "二百"), points=1.5),
    QuestionSpec(key="e", type="numeric", stem="数值", numbers=((3.5, 0.1), (7.0, 0.0))),
]


def comparable(spec: QuestionSpec) -> tuple[Any, ...]:
    return (spec.type, spec.stem, spec.options, spec.correct, spec.truth, spec.accepted, spec.numbers, spec.points,
            spec.explanation, spec.tags, spec.difficulty, spec.extra.get("title", ""))


def test_xlsx_export_then_import_gives_the_same_questions_answers_and_points(app, client, auth, make_user):
    trainer = make_user("trainer")
    data = EXPORTERS["xlsx"].export(XLSX_BANK, title="导出", media=lambda url: None)
    imports.import_questions(data, "导出.xlsx", "original", by=trainer)
    auth.login(trainer)
    exported = client.get("/quizzes/banks/original/export.xlsx")
    assert exported.status_code == 200
    assert exported.mimetype == EXPORTERS["xlsx"].mimetype
    assert "original.xlsx" in exported.headers["Content-Disposition"]
    report = imports.import_questions(exported.data, "original.xlsx", "copy", by=trainer)
    assert report.imported == len(XLSX_BANK)
    assert report.plan.refused == ()
    copy = db.session.scalar(select(QuestionBank).where(QuestionBank.slug == "copy"))
    assert [comparable(spec_from_json(q.spec)) for q in copy.questions] == [comparable(s) for s in XLSX_BANK]
    assert client.get("/quizzes/banks/original/export.doc").status_code == 404
    assert "导出" in client.get("/quizzes/banks/original").get_data(as_text=True)


def moodle_xml_with_a_picture() -> bytes:
    picture = base64.b64encode(screenshot_png(300)).decode()
    return f"""<?xml version="1.0" encoding="UTF-8"?><quiz>
<question type="truefalse"><name><text>套餐图</text></name>
<questiontext format="html">
<text><![CDATA[<p>图中套餐是5G套餐。</p><p><img src="@@PLUGINFILE@@/plan.png" alt="套餐"></p>]]></text>
<file name="plan.png" path="/" encoding="base64">{picture}</file></questiontext>
<answer fraction="100"><text>true</text></answer><answer fraction="0"><text>false</text></answer></question>
</quiz>""".encode()


def test_a_moodle_xml_picture_is_stored_and_survives_the_xml_export(app, client, auth, make_user):
    trainer = make_user("trainer")
    report = imports.import_questions(moodle_xml_with_a_picture(), "moodle.xml", "plans", by=trainer)
    assert (report.imported, len(report.plan.pictures)) == (1, 1)
    name = db.session.scalar(select(QuestionMedia.stored_name))
    [question] = db.session.scalar(select(QuestionBank).where(QuestionBank.slug == "plans")).questions
    assert f'src="/quizzes/media/{name}"' in spec_from_json(question.spec).stem
    auth.login(trainer)
    exported = client.get("/quizzes/banks/plans/export.xml")
    assert exported.status_code == 200
    assert b"@@PLUGINFILE@@/" in exported.data  # the picture travels inside the file
    copy = imports.import_questions(exported.data, "plans.xml", "plans-copy", by=trainer)
    assert (copy.imported, len(copy.plan.pictures)) == (1, 1)
    copied = db.session.scalar(select(QuestionBank).where(QuestionBank.slug == "plans-copy")).questions[0]
    assert "/quizzes/media/" in spec_from_json(copied.spec).stem
    assert db.session.scalar(select(func.count(QuestionMedia.id))) == 2  # one row per bank


MOODLE_BANK = [
    QuestionSpec(key="w1", type="single", stem="**最合适**的套餐？", options=("199 元", "129 元", "99 元"),
                 correct=(0,), weights=(1.0, 0.5, 0.0), feedback=("对", "部分对", "不对"), explanation="看资费。",
                 extra={"title": "套餐"}),
    QuestionSpec(key="w2", type="multiple", stem="哪些是酬金？", options=("房补", "激励", "话费"), correct=(0, 1),
                 weights=(0.5, 0.5, -1.0), points=2, extra={"title": "酬金"}),
    QuestionSpec(key="w3", type="single", stem="任选其一", options=("甲", "乙", "丙"), correct=(0, 1),
                 weights=(1.0, 1.0, 0.0), extra={"title": "任选"}),
    QuestionSpec(key="w4", type="truefalse", stem="79.9 分及格。", truth=False, feedback=("不对", "对"),
                 extra={"title": "及格线"}),
    QuestionSpec(key="w5", type="fill", stem="订货系统叫 ____", accepted=("B2B", "B*B"), weights=(1.0, 0.5),
                 extra={"title": "订货"}),
    QuestionSpec(key="w6", type="numeric", stem="6 折后多少元？", numbers=((119.4, 0.0), (119.5, 0.5)),
                 weights=(1.0, 0.5), feedback=("正好", "差不多"), extra={"title": "折扣"}),
]
ANSWERS = {"w1": [{"choices": ["B"]}, {"choices": ["A"]}], "w2": [{"choices": ["A"]}, {"choices": ["A", "C"]}],
           "w3": [{"choices": ["B"]}, {"choices": ["C"]}], "w4": [{"choices": ["F"]}, {"choices": ["T"]}],
           "w5": [{"text": "b2b"}, {"text": "BxB"}, {"text": "C"}],
           "w6": [{"text": "119,4"}, {"text": "119.9"}, {"text": "121"}]}


def scores(specs: list[QuestionSpec]) -> list[tuple[str, float]]:
    """Each question's share of its points for a few answers, on an unshuffled paper (option ids A, B, C in
    authoring order)."""
    found = []
    for spec in specs:
        paper_question = as_paper(spec)
        for payload in ANSWERS[spec.key]:
            answer = question_type(spec.type).parse_answer(paper_question, payload)
            grade = question_type(spec.type).grade(paper_question, answer)
            found.append((spec.key, grade.points / grade.max_points))
    return found


def shown(spec: QuestionSpec) -> tuple[Any, ...]:
    """What people see of a question: its texts rendered, its name."""
    return (render_markdown(spec.stem), [render_markdown(o) for o in spec.options],
            [render_markdown(f) for f in spec.feedback], render_markdown(spec.explanation), spec.extra.get("title", ""))


@pytest.mark.parametrize("fmt", ["gift", "xml"])
def test_a_bank_exported_to_moodle_and_imported_again_scores_the_same(app, client, auth, make_user, fmt):
    trainer = make_user("trainer")
    exporter = EXPORTERS[fmt]
    data = exporter.export(MOODLE_BANK, title="原题", media=lambda url: None)
    # The bank's title is the Moodle category its export writes, read back as a tag: the same as the original's.
    imports.import_questions(data, f"original.{exporter.extension}", "original", title="原题", by=trainer)
    auth.login(trainer)
    exported = client.get(f"/quizzes/banks/original/export.{fmt}")
    assert exported.status_code == 200
    report = imports.import_questions(exported.data, f"copy.{exporter.extension}", "copy", by=trainer)
    assert (report.imported, report.plan.refused, report.plan.skipped) == (len(MOODLE_BANK), (), ())
    copy = [spec_from_json(q.spec) for q in db.session.scalar(
        select(QuestionBank).where(QuestionBank.slug == "copy")).questions]
    assert [s.key for s in copy] == [s.key for s in MOODLE_BANK]
    assert [(s.type, s.correct, s.truth, s.accepted, s.numbers, s.weights) for s in copy] == [
        (s.type, s.correct, s.truth, s.accepted, s.numbers, s.weights) for s in MOODLE_BANK]
    if fmt == "xml":  # GIFT has no place for a question's points (Moodle's default grade): they read back as 1
        assert [s.points for s in copy] == [s.points for s in MOODLE_BANK]
    assert scores(copy) == scores(MOODLE_BANK)
    assert [shown(s) for s in copy] == [shown(s) for s in MOODLE_BANK]
    # Importing the export into the bank it came from changes nothing.
    again = imports.import_questions(exported.data, f"again.{exporter.extension}", "original", by=trainer)
    assert (again.imported, again.updated) == (0, 0)
