"""Outreach's hooks: the filter that keeps shop tokens out of the access logs."""

from __future__ import annotations

from flask import Flask

from lms.outreach import log_redaction


def init_app(app: Flask) -> None:
    log_redaction.install()
