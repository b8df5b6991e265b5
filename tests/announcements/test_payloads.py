"""The shapes WeCom and DingTalk robots accept, the DingTalk signature, and how their answers are read."""

from __future__ import annotations

import base64
import hashlib
import hmac
from urllib.parse import parse_qs, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lms.announcements import payloads
from lms.announcements.payloads import Outgoing

MESSAGE = Outgoing("announcement:1|wecom|robot:1", "【新政策】11月终端补贴", "**补贴**从11月1日起执行。",
                   "https://lms.example/announcements/1", "announcement", "announcement:1")


def test_wecom_markdown_shape():
    body = payloads.wecom_payload(MESSAGE)
    assert set(body) == {"msgtype", "markdown"}
    assert body["msgtype"] == "markdown"
    assert set(body["markdown"]) == {"content"}
    assert body["markdown"]["content"].startswith("### 【新政策】11月终端补贴\n\n**补贴**")
    assert "[查看详情](https://lms.example/announcements/1)" in body["markdown"]["content"]


def test_wecom_text_shape():
    body = payloads.wecom_payload(MESSAGE, msgtype="text")
    assert body == {"msgtype": "text", "text": {"content": "【新政策】11月终端补贴\n**补贴**从11月1日起执行。\n"
                                                          "https://lms.example/announcements/1"}}


def test_dingtalk_markdown_shape():
    body = payloads.dingtalk_payload(MESSAGE)
    assert body["msgtype"] == "markdown"
    assert set(body["markdown"]) == {"title", "text"}
    assert body["markdown"]["title"] == "【新政策】11月终端补贴"
    assert body["at"] == {"atMobiles": [], "isAtAll": False}


def test_dingtalk_text_shape():
    body = payloads.dingtalk_payload(MESSAGE, msgtype="text")
    assert body["msgtype"] == "text"
    assert set(body["text"]) == {"content"}


def test_wecom_content_is_cut_to_4096_bytes_without_breaking_a_character():
    long = Outgoing("k", "标题", "政策" * 3000, "", "announcement", "e")
    content = payloads.wecom_payload(long)["markdown"]["content"]
    assert len(content.encode("utf-8")) <= 4096
    assert content.endswith("…")


@given(st.text(), st.integers(min_value=4, max_value=300))
def test_truncation_is_valid_utf8_within_the_limit(text, limit):
    cut = payloads.truncate_utf8(text, limit)
    if len(text.encode("utf-8")) <= limit:
        assert cut == text
    else:
        assert len(cut.encode("utf-8")) <= limit
        assert cut.endswith("…")
        assert text.startswith(cut[:-1])


def test_dingtalk_signature_is_hmac_sha256_of_timestamp_and_secret():
    secret, timestamp = "SEC0123456789abcdef", 1700000000000
    url = payloads.dingtalk_signed_url("https://oapi.dingtalk.com/robot/send?access_token=abc", secret, timestamp)
    query = parse_qs(urlsplit(url).query)
    assert query["access_token"] == ["abc"]
    assert query["timestamp"] == [str(timestamp)]
    expected = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    assert base64.b64decode(query["sign"][0]) == expected


@pytest.mark.parametrize(("status", "body", "ok", "permanent"), [
    (200, {"errcode": 0, "errmsg": "ok"}, True, False),
    (200, {"errcode": 93000, "errmsg": "invalid webhook url"}, False, True),
    (200, {"errcode": 45009, "errmsg": "api freq out of limit"}, False, False),
    (200, {"errcode": 130101, "errmsg": "send too fast"}, False, False),
    (200, None, False, False),
    (500, None, False, False),
    (429, None, False, False),
    (404, None, False, True),
])
def test_a_robot_refusal_inside_http_200_is_a_failure(status, body, ok, permanent):
    verdict = payloads.robot_verdict(status, body)
    assert (verdict.ok, verdict.permanent) == (ok, permanent)


@pytest.mark.parametrize(("status", "ok", "permanent"), [
    (200, True, False), (204, True, False), (503, False, False), (408, False, False), (400, False, True),
    (410, False, True),
])
def test_generic_webhook_verdicts(status, ok, permanent):
    verdict = payloads.webhook_verdict(status)
    assert (verdict.ok, verdict.permanent) == (ok, permanent)
