"""Lesson pictures on the shop's page: the shop's token opens the uploads and the files beside a lesson that a
lesson of its pack this month shows (``shop_media``), nothing else (404, as for a token not honoured). Never cached
(the blueprint's no-store), sandboxed like the signed-in readers' copies, and throttled on their own budget: a page
of pictures must not use up the page's."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from flask import Response, current_app, send_file

from lms.core.clock import period_of, utcnow
from lms.courses.media_views import MEDIA_CSP
from lms.extensions import limiter
from lms.outreach import links, queries, services, shop_media, shop_views
from lms.outreach.blueprint import bp


def _media_limit() -> str:
    return str(current_app.config["LMS_SHOP_MEDIA_LIMIT"])


media_limit = limiter.shared_limit(_media_limit, scope="shop-media")


def _pack(token: str) -> list[queries.PackLesson] | None:
    link = services.usable_link(links.secret_keys(), token)
    return None if link is None else queries.shop_pack(period_of(utcnow()))


def _send(path: Path, mimetype: str, download_name: str) -> Response:
    # Read out (a lesson picture is at most LMS_MEDIA_IMAGE_MAX_WIDTH wide), so no file handle outlives the request.
    response: Response = send_file(io.BytesIO(path.read_bytes()), mimetype=mimetype, download_name=download_name)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = MEDIA_CSP
    return response


@bp.route("/s/<token>/lessons/<slug>/media/<name>")
@media_limit
def shop_lesson_media(token: str, slug: str, name: str) -> Any:
    pack = _pack(token)
    found = shop_media.upload(pack, slug, name, Path(current_app.config["LMS_MEDIA_DIR"])) if pack else None
    if found is None:
        return shop_views._not_found()
    row, path = found
    return _send(path, row.content_type, row.original_name)


@bp.route("/s/<token>/lessons/<slug>/files/<path:filename>")
@media_limit
def shop_lesson_file(token: str, slug: str, filename: str) -> Any:
    pack = _pack(token)
    found = shop_media.beside(pack, slug, filename, Path(current_app.config["LMS_CONTENT_DIR"])) if pack else None
    if found is None:
        return shop_views._not_found()
    path, mimetype = found
    return _send(path, mimetype, path.name)
