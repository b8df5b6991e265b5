"""Pages: a question file's preview and its confirmation (the upload itself is on the banks page), the preview's
pictures, stored question pictures, and a bank's export in each format of ``exporters.EXPORTERS``."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from flask import Response, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.accounts.access import roles_required
from lms.core.errors import NotFound, ValidationFailed
from lms.core.markdown import render_inline, render_markdown
from lms.quizzes import imports, services
from lms.quizzes.blueprint import bp
from lms.quizzes.definitions import spec_from_json
from lms.quizzes.exporters import EXPORTERS
from lms.quizzes.import_plan import answer_summary
from lms.quizzes.question_types import TYPES
from lms.quizzes.specs import LETTERS, QuestionSpec

AUTHORS = ("trainer", "admin")
# A picture answers alone, never as part of a page (as lesson media do): no script, no plugin, a sandbox.
MEDIA_CSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"
STORED_PICTURE = re.compile(re.escape(imports.MEDIA_URL) + r"([0-9a-f]{64}\.[a-z0-9]+)")


_root, _limits = imports.configured_root, imports.configured_limits


def _picture_response(path_or_bytes: Path | bytes, content_type: str, *, cache: str) -> Response:
    if isinstance(path_or_bytes, Path):
        response: Response = send_file(path_or_bytes, mimetype=content_type, max_age=86400, conditional=True)
    else:
        response = Response(path_or_bytes, mimetype=content_type)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = MEDIA_CSP
    response.headers["Cache-Control"] = cache
    return response


def _shown(spec: QuestionSpec, preview: imports.ImportPreview) -> dict[str, Any]:
    """One question of the preview as the page shows it, the file's own pictures served from the waiting upload
    (they are stored only when confirmed)."""
    def staged(match: re.Match[str]) -> str:
        name = match.group(1)
        return url_for("quizzes.import_picture", token=preview.token, name=name) if name in preview.staged \
            else match.group(0)

    def shown(text: str) -> str:
        return STORED_PICTURE.sub(staged, text) if imports.MEDIA_URL in text else text

    def html(text: str) -> str:
        return render_markdown(shown(text))

    kind = TYPES.get(spec.type)
    return {
        "type": _(kind.label) if kind is not None else spec.type,
        "stem": html(spec.stem),
        "options": [(LETTERS[i] if i < len(LETTERS) else str(i + 1), render_inline(shown(o)))
                    for i, o in enumerate(spec.options)],
        "answer": answer_summary(spec, truth_words=(_("正确"), _("错误"))),
        "explanation": html(spec.explanation) if spec.explanation else "",
    }


def _render_preview(preview: imports.ImportPreview, status: int = 200) -> Any:
    plan = preview.plan
    unit = "paragraph" if plan.format == "docx" else "line"  # a spreadsheet's row is its line
    questions = [(q, _shown(q.spec, preview)) for q in plan.questions]
    return render_template("quizzes/import_preview.html", preview=preview, plan=plan, questions=questions,
                           unit=unit), status


@bp.route("/quizzes/banks/import/<token>", methods=["GET", "POST"])
@roles_required(*AUTHORS)
def import_preview(token: str) -> Any:
    """What importing an uploaded file would do; written only when confirmed here (or dropped with 取消)."""
    try:
        if request.method == "POST":
            return _confirm_or_cancel(token)
        return _render_preview(imports.preview_import(token, viewer=current_user, limits=_limits()))
    except NotFound:
        if request.method == "POST":  # pressed twice, or in two tabs: the first press already wrote it
            flash(_("这份文件已经导入或已取消。"), "warning")
            return redirect(url_for("quizzes.banks"))
        abort(404)
    except imports.PreviewExpired:
        flash(_("这份文件的预览已过期，请重新上传。"), "error")
        return redirect(url_for("quizzes.banks"))
    except ValidationFailed as exc:  # the file no longer reads (the limits changed), or nothing is left to import
        flash(exc.message, "error")
        return redirect(url_for("quizzes.banks"))


def _confirm_or_cancel(token: str) -> Any:
    if request.form.get("action") == "cancel":
        imports.cancel_import(token, viewer=current_user)
        flash(_("已取消，题目未导入。"), "success")
        return redirect(url_for("quizzes.banks"))
    try:
        report = imports.confirm_import(token, actor=current_user, digest=request.form.get("digest", ""),
                                        root=_root(), limits=_limits())
    except imports.PreviewOutdated as exc:
        flash(_("预览之后题库已有变化，请核对新的预览后再确认。"), "warning")
        return _render_preview(exc.preview, 409)
    plan = report.plan
    flash(_("已导入：新增 %(new)d 道，更新 %(updated)d 道，未变 %(unchanged)d 道；跳过 %(skipped)d 道，"
            "未通过 %(refused)d 道。", new=plan.new, updated=plan.updated, unchanged=plan.unchanged,
            skipped=len(plan.skipped), refused=len(plan.refused)), "success")
    return redirect(url_for("quizzes.bank", slug=report.bank))


@bp.route("/quizzes/banks/import/<token>/media/<name>")
@roles_required(*AUTHORS)
def import_picture(token: str, name: str) -> Any:
    """A picture of a waiting upload, as it will be stored, for its uploader's preview only."""
    try:
        item = imports.staged_picture(token, name, viewer=current_user, limits=_limits())
    except (NotFound, imports.PreviewExpired):
        abort(404)
    return _picture_response(item.data, item.content_type, cache="private, no-store")


@bp.route("/quizzes/media/<name>")
@roles_required()
def question_media(name: str) -> Any:
    """A stored question picture, for anyone signed in (papers show them to managers)."""
    item, path = imports.question_picture(name, _root())
    # Content-addressed (the name is the SHA-256), so it never changes; private: only signed-in readers get it.
    return _picture_response(path, item.content_type, cache="private, max-age=86400, immutable")


@bp.route("/quizzes/banks/<slug>/export.<fmt>")
@roles_required(*AUTHORS)
def bank_export(slug: str, fmt: str) -> Any:
    exporter = EXPORTERS.get(fmt)
    if exporter is None:
        abort(404)
    bank = services.get_bank(slug)
    specs = [spec_from_json(q.spec) for q in bank.questions if q.retired_at is None]
    root = _root()
    data = exporter.export(specs, title=bank.title, media=lambda url: imports.picture_for_export(url, root))
    return Response(data, mimetype=exporter.mimetype,
                    headers={"Content-Disposition": f"attachment; filename={bank.slug}.{exporter.extension}"})
