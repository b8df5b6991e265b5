"""What the field pages share about people's photos and their location: where the photos are stored, how one is
served (to the person and their supervisors only, never cached by anyone else, never run as a page), and the one
header that lets a page read the location — on the person's tap; every other page forbids it (lms.core.security)."""

from __future__ import annotations

import io
import mimetypes
from pathlib import Path

from flask import Response, current_app, send_file

GEOLOCATION_PERMISSIONS = "camera=(), microphone=(), geolocation=(self)"
SHOP_REPORTS = "shop-reports"  # the folder, under the field photos, of the photos shops send with their reports
PHOTO_CSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"


def media_root() -> Path:
    """Check-in, visit and activity photos (lms.courses.media's content-addressed store)."""
    return Path(current_app.config["LMS_MEDIA_DIR"]) / "field"


def shop_report_root() -> Path:
    """Photos a shop sent with a report from its own page (lms.outreach.reports): a folder of their own, so the
    field day's purge of visit photos never takes one a ticket still shows."""
    return media_root() / SHOP_REPORTS


def allow_geolocation(response: Response) -> Response:
    """A page that reads the location when the person taps (check-in, visit form, the day's activities)."""
    response.headers["Permissions-Policy"] = GEOLOCATION_PERMISSIONS
    return response


def photo_response(path: Path, *, mimetype: str | None = None, cache: str = "private, no-store") -> Response:
    """A person's photo, read out (a photo is at most LMS_MEDIA_IMAGE_MAX_WIDTH wide, so no file handle outlives
    the request)."""
    kind = mimetype or mimetypes.guess_type(path.name)[0] or "image/jpeg"
    response: Response = send_file(io.BytesIO(path.read_bytes()), mimetype=kind)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = PHOTO_CSP
    response.headers["Cache-Control"] = cache
    return response
