"""The link an outbound message carries: LMS_BASE_URL + path. Messages are sent by ``flask outbox send``, outside
any request, so without LMS_BASE_URL they carry no link rather than one that points nowhere."""

from __future__ import annotations

import logging

import pytest

from lms.announcements import outbox
from tests.announcements.test_outbox import T0, queue, robot


@pytest.fixture
def app_config(app_config):
    config = dict(app_config)
    config.pop("LMS_BASE_URL")  # as shipped: not set
    return config


def test_without_lms_base_url_a_robot_message_has_no_link_and_the_log_says_why(app, http_receiver, caplog,
                                                                               monkeypatch):
    monkeypatch.setattr(outbox, "_warned_without_base_url", False)
    http_receiver.default = (204, None)
    queue(robot("webhook", http_receiver.url + "/hooks/lms"))

    with caplog.at_level(logging.WARNING, logger="lms.announcements.outbox"):
        assert outbox.send_due(now=T0).sent == 1

    assert http_receiver.requests[0].body["url"] == ""
    assert "LMS_BASE_URL is not set" in caplog.text


def test_with_lms_base_url_the_link_is_absolute(app, http_receiver):
    app.config["LMS_BASE_URL"] = "https://lms.example.cn/"
    http_receiver.default = (204, None)
    queue(robot("webhook", http_receiver.url + "/hooks/lms"))
    assert outbox.send_due(now=T0).sent == 1
    assert http_receiver.requests[0].body["url"] == "https://lms.example.cn/announcements/1"
