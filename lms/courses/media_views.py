"""Lesson media and take-over pages: the editor's upload (JSON for courses-editor.js), the uploaded files served
with safe headers to the lesson's readers, and taking a file lesson over in the browser."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Response, current_app, flash, jsonify, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.accounts.access import roles_required
from lms.core.errors import ValidationFailed
from lms.courses import media, services
from lms.courses.blueprint import bp

EVERYONE = ("manager", "trainer", "supervisor", "admin")
AUTHORS = ("trainer", "admin")

# The file answers alone, never as part of a page: no script, no plugin, no form, and a sandbox so that even a
# browser that renders it (a PDF viewer, an SVG smuggled past the checks) gives it no origin of ours.
MEDIA_CSP = "default-src 'none'; img-src 'self'; media-src 'self'; style-src 'unsafe-inline'; sandbox"


def media_root() -> Path:
    return Path(current_app.config["LMS_MEDIA_DIR"])


@bp.route("/lessons/<slug>/media", methods=["POST"])
@roles_required(*AUTHORS)
def upload_media(slug: str) -> Any:
    """One file from the editor (picked, pasted or dropped): its address and the Markdown to insert, or 422."""
    item = services.get_lesson(slug)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return jsonify(error=_("请选择要上传的文件。")), 400
    try:
        stored = services.add_lesson_media(
            item, data=upload.read(), filename=upload.filename, author=current_user, root=media_root(),
            limits=media.MediaLimits.from_settings(current_app.config))
    except ValidationFailed as exc:
        return jsonify(error="；".join(exc.problems or [exc.message])), 422
    return jsonify(name=stored.original_name, url=services.media_url(item.slug, stored.stored_name),
                   markdown=services.media_markdown(item, stored), image=stored.is_image,
                   width=stored.width, height=stored.height, size=stored.size)


@bp.route("/lessons/<slug>/media/<name>")
@roles_required(*EVERYONE)
def media_file(slug: str, name: str) -> Any:
    item, path = services.media_for_reader(slug, name, current_user, media_root())
    inline = item.content_type.startswith(("image/", "video/"))
    response: Response = send_file(path, mimetype=item.content_type, as_attachment=not inline,
                                   download_name=item.original_name, max_age=86400, conditional=True)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = MEDIA_CSP
    # Content-addressed (the name is the SHA-256), so it never changes; private: only signed-in readers get it.
    response.headers["Cache-Control"] = "private, max-age=86400, immutable"
    return response


@bp.route("/lessons/<slug>/takeover", methods=["GET", "POST"])
@roles_required(*AUTHORS)
def take_over(slug: str) -> Any:
    item = services.get_lesson(slug)
    if request.method == "POST":
        services.take_over_lesson(item, current_user)
        flash(_("已在浏览器中接管，文件 %(path)s 从此不再同步。", path=item.source_path), "success")
        return redirect(url_for("courses.edit_lesson", slug=slug))
    if not item.is_from_file:
        flash(_("此课程已由浏览器管理。"), "info")
        return redirect(url_for("courses.edit_lesson", slug=slug))
    return render_template("courses/edit_takeover.html", lesson=item)
