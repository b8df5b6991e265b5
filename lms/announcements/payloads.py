"""The message shapes that group robots and webhooks accept, as pure functions (no I/O).

WeCom (企业微信) group robot: ``{"msgtype": "markdown", "markdown": {"content": ...}}`` or
``{"msgtype": "text", "text": {"content": ..., "mentioned_mobile_list": [...]}}``; content at most 4096 bytes
(UTF-8). DingTalk (钉钉) custom robot: ``{"msgtype": "markdown", "markdown": {"title": ..., "text": ...}}`` or
``{"msgtype": "text", "text": {"content": ...}}``, with ``at``; a robot with "加签" security needs
``timestamp`` (ms) and ``sign`` = Base64(HMAC-SHA256(secret, f"{timestamp}\\n{secret}")) in the URL.
Both answer HTTP 200 with ``{"errcode": 0, "errmsg": "ok"}``; any other ``errcode`` is a failure.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, quote_plus, urlencode, urlsplit, urlunsplit

WECOM, DINGTALK, WEBHOOK, EMAIL = "wecom", "dingtalk", "webhook", "email"
ROBOT_KINDS = {WECOM: "企业微信群机器人", DINGTALK: "钉钉群机器人", WEBHOOK: "通用 JSON Webhook"}
CHANNEL_LABELS = {**ROBOT_KINDS, EMAIL: "电子邮件"}

WECOM_CONTENT_BYTES = 4096
DINGTALK_TEXT_BYTES = 20000


@dataclass(frozen=True)
class Outgoing:
    """One message to one target, channel-neutral. ``body`` is Markdown; ``url`` the absolute link to open."""

    idempotency_key: str
    subject: str
    body: str
    url: str
    kind: str
    event_key: str


def truncate_utf8(text: str, limit: int, marker: str = "…") -> str:
    """At most ``limit`` bytes of UTF-8 without cutting a character in half."""
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    room = limit - len(marker.encode("utf-8"))
    return data[:room].decode("utf-8", errors="ignore") + marker


def robot_markdown(message: Outgoing) -> str:
    text = f"### {message.subject}\n\n{message.body}"
    if message.url:
        text += f"\n\n[查看详情]({message.url})"
    return text


def wecom_payload(message: Outgoing, *, msgtype: str = "markdown") -> dict[str, Any]:
    if msgtype == "text":
        content = f"{message.subject}\n{message.body}" + (f"\n{message.url}" if message.url else "")
        return {"msgtype": "text", "text": {"content": truncate_utf8(content, 2048)}}
    return {"msgtype": "markdown", "markdown": {"content": truncate_utf8(robot_markdown(message),
                                                                         WECOM_CONTENT_BYTES)}}


def dingtalk_payload(message: Outgoing, *, msgtype: str = "markdown") -> dict[str, Any]:
    if msgtype == "text":
        content = f"{message.subject}\n{message.body}" + (f"\n{message.url}" if message.url else "")
        return {"msgtype": "text", "text": {"content": truncate_utf8(content, DINGTALK_TEXT_BYTES)},
                "at": {"atMobiles": [], "isAtAll": False}}
    return {"msgtype": "markdown",
            "markdown": {"title": message.subject[:64],
                         "text": truncate_utf8(robot_markdown(message), DINGTALK_TEXT_BYTES)},
            "at": {"atMobiles": [], "isAtAll": False}}


def generic_payload(message: Outgoing) -> dict[str, Any]:
    """Our own documented shape for any other system; the idempotency key lets the receiver drop repeats."""
    return {"id": message.idempotency_key, "event": message.event_key, "kind": message.kind,
            "title": message.subject, "markdown": message.body, "url": message.url}


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    string_to_sign = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode(), string_to_sign, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def dingtalk_signed_url(url: str, secret: str, timestamp_ms: int) -> str:
    """The robot URL with ``timestamp`` and ``sign`` added (existing query parameters such as access_token kept)."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in ("timestamp", "sign")]
    query += [("timestamp", str(timestamp_ms)), ("sign", dingtalk_sign(secret, timestamp_ms))]
    return urlunsplit(parts._replace(query=urlencode(query, quote_via=quote_plus)))


@dataclass(frozen=True)
class Verdict:
    ok: bool
    error: str = ""
    permanent: bool = False  # retrying cannot help (bad URL, rejected payload)


def robot_verdict(status_code: int, body: Any) -> Verdict:
    """WeCom and DingTalk answer 200 even when they refuse a message; ``errcode`` says whether it was taken."""
    if status_code >= 500 or status_code == 429:
        return Verdict(False, f"HTTP {status_code}")
    if status_code >= 400:
        return Verdict(False, f"HTTP {status_code}", permanent=status_code in (400, 401, 403, 404))
    if not isinstance(body, dict) or "errcode" not in body:
        return Verdict(False, "robot answered without errcode")
    if body.get("errcode") != 0:
        # 45009 (WeCom) / 130101 (DingTalk): rate limited, worth retrying; other codes are configuration errors.
        retryable = body.get("errcode") in (45009, 130101, -1)
        return Verdict(False, f"errcode {body.get('errcode')}: {body.get('errmsg', '')}"[:500],
                       permanent=not retryable)
    return Verdict(True)


def webhook_verdict(status_code: int) -> Verdict:
    if 200 <= status_code < 300:
        return Verdict(True)
    if status_code in (408, 425, 429) or status_code >= 500:
        return Verdict(False, f"HTTP {status_code}")
    return Verdict(False, f"HTTP {status_code}", permanent=status_code in (400, 401, 403, 404, 410, 422))
