"""Outbound channels behind one interface. Only ``flask outbox send`` calls these, never a web request.

Each channel takes an ``Outgoing`` and a target and returns a ``DeliveryResult``; it never raises for a failed
delivery (a network error is a result like any other), so the outbox can log every try the same way.
"""

from __future__ import annotations

import hashlib
import smtplib
import ssl
import time
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr
from typing import Any, Protocol

import httpx
from markupsafe import escape

from lms.announcements import payloads
from lms.announcements.payloads import Outgoing, Verdict
from lms.core.markdown import render_markdown
from lms.core.settings import is_on


@dataclass(frozen=True)
class Target:
    """Where one message goes: an address, or a robot's URL with its secret and message type."""

    address: str
    secret: str | None = None
    msgtype: str = "markdown"


@dataclass(frozen=True)
class DeliveryResult:
    ok: bool
    status_code: int | None = None
    error: str = ""
    permanent: bool = False
    duration_ms: int = 0


class Channel(Protocol):
    name: str

    def send(self, message: Outgoing, target: Target) -> DeliveryResult:
        """Deliver once; report what happened. Must not raise for a failed delivery."""


def _elapsed(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


def _post_json(url: str, body: dict[str, Any], *, timeout: float, headers: Mapping[str, str]) -> tuple[int, Any]:
    # No redirects: a robot URL that redirects is misconfigured, and following it could leak the payload.
    with httpx.Client(timeout=timeout, follow_redirects=False) as client:
        response = client.post(url, json=body, headers=dict(headers))
    try:
        parsed: Any = response.json()
    except ValueError:
        parsed = None
    return response.status_code, parsed


class _HttpChannel:
    name = ""

    def __init__(self, *, timeout: float, user_agent: str = "lms-outbox/1") -> None:
        self.timeout = timeout
        self.user_agent = user_agent

    def url_for(self, target: Target) -> str:
        return target.address

    def payload(self, message: Outgoing, target: Target) -> dict[str, Any]:
        raise NotImplementedError

    def verdict(self, status_code: int, body: Any) -> Verdict:
        raise NotImplementedError

    def send(self, message: Outgoing, target: Target) -> DeliveryResult:
        started = time.monotonic()
        headers = {"User-Agent": self.user_agent, "Idempotency-Key": message.idempotency_key}
        try:
            status, body = _post_json(self.url_for(target), self.payload(message, target), timeout=self.timeout,
                                      headers=headers)
        except httpx.InvalidURL as exc:
            return DeliveryResult(False, None, f"invalid URL: {exc}", permanent=True, duration_ms=_elapsed(started))
        except httpx.HTTPError as exc:
            return DeliveryResult(False, None, f"{type(exc).__name__}: {exc}"[:500], duration_ms=_elapsed(started))
        verdict = self.verdict(status, body)
        return DeliveryResult(verdict.ok, status, verdict.error, verdict.permanent, _elapsed(started))


class WeComRobot(_HttpChannel):
    name = payloads.WECOM

    def payload(self, message: Outgoing, target: Target) -> dict[str, Any]:
        return payloads.wecom_payload(message, msgtype=target.msgtype)

    def verdict(self, status_code: int, body: Any) -> Verdict:
        return payloads.robot_verdict(status_code, body)


class DingTalkRobot(_HttpChannel):
    name = payloads.DINGTALK

    def url_for(self, target: Target) -> str:
        if not target.secret:
            return target.address
        return payloads.dingtalk_signed_url(target.address, target.secret, int(time.time() * 1000))

    def payload(self, message: Outgoing, target: Target) -> dict[str, Any]:
        return payloads.dingtalk_payload(message, msgtype=target.msgtype)

    def verdict(self, status_code: int, body: Any) -> Verdict:
        return payloads.robot_verdict(status_code, body)


class JsonWebhook(_HttpChannel):
    name = payloads.WEBHOOK

    def payload(self, message: Outgoing, target: Target) -> dict[str, Any]:
        return payloads.generic_payload(message)

    def verdict(self, status_code: int, body: Any) -> Verdict:
        return payloads.webhook_verdict(status_code)


@dataclass(frozen=True)
class SmtpSettings:
    host: str = ""
    port: int = 25
    username: str = ""
    password: str = ""
    starttls: bool = False
    ssl: bool = False
    sender: str = "lms@localhost"
    sender_name: str = "渠道经理培训考核"
    timeout: float = 10.0

    @property
    def configured(self) -> bool:
        return bool(self.host)

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> SmtpSettings:
        def flag(key: str) -> bool:
            return is_on(settings.get(key, False))

        d = cls()
        return cls(
            host=str(settings.get("LMS_SMTP_HOST") or ""),
            port=int(settings.get("LMS_SMTP_PORT") or d.port),
            username=str(settings.get("LMS_SMTP_USERNAME") or ""),
            password=str(settings.get("LMS_SMTP_PASSWORD") or ""),
            starttls=flag("LMS_SMTP_STARTTLS"),
            ssl=flag("LMS_SMTP_SSL"),
            sender=str(settings.get("LMS_SMTP_SENDER") or d.sender),
            sender_name=str(settings.get("LMS_SMTP_SENDER_NAME") or d.sender_name),
            timeout=float(settings.get("LMS_SMTP_TIMEOUT") or d.timeout),
        )


def email_message(message: Outgoing, to: str, settings: SmtpSettings) -> EmailMessage:
    """Plain text (the Markdown) with an HTML alternative (rendered and sanitized)."""
    mail = EmailMessage()
    mail["Subject"] = message.subject
    mail["From"] = formataddr((settings.sender_name, settings.sender))
    mail["To"] = to
    domain = settings.sender.rpartition("@")[2] or "localhost"
    # The same outbox row always carries the same Message-ID, so a mail system can drop a repeat.
    mail["Message-ID"] = f"<{hashlib.sha256(message.idempotency_key.encode()).hexdigest()[:40]}@{domain}>"
    mail["X-LMS-Idempotency-Key"] = message.idempotency_key
    text = message.body + (f"\n\n{message.url}" if message.url else "")
    mail.set_content(text)
    link = f'<p><a href="{escape(message.url)}">查看详情</a></p>' if message.url else ""
    mail.add_alternative(f"<html><body>{render_markdown(message.body)}{link}</body></html>", subtype="html")
    return mail


class EmailChannel:
    name = payloads.EMAIL

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings

    def send(self, message: Outgoing, target: Target) -> DeliveryResult:
        started = time.monotonic()
        s = self.settings
        if not s.configured:
            return DeliveryResult(False, None, "SMTP is not configured (LMS_SMTP_HOST)", permanent=True)
        mail = email_message(message, target.address, s)
        try:
            smtp_class = smtplib.SMTP_SSL if s.ssl else smtplib.SMTP
            with smtp_class(s.host, s.port, timeout=s.timeout) as smtp:
                if s.starttls and not s.ssl:
                    smtp.starttls(context=ssl.create_default_context())
                if s.username:
                    smtp.login(s.username, s.password)
                refused = smtp.send_message(mail)
        except smtplib.SMTPRecipientsRefused as exc:
            return DeliveryResult(False, None, f"recipient refused: {exc.recipients}"[:500], permanent=True,
                                  duration_ms=_elapsed(started))
        except smtplib.SMTPResponseException as exc:
            permanent = 500 <= exc.smtp_code < 600
            return DeliveryResult(False, exc.smtp_code, f"SMTP {exc.smtp_code}: {exc.smtp_error!r}"[:500],
                                  permanent=permanent, duration_ms=_elapsed(started))
        except (OSError, smtplib.SMTPException) as exc:
            return DeliveryResult(False, None, f"{type(exc).__name__}: {exc}"[:500], duration_ms=_elapsed(started))
        if refused:
            return DeliveryResult(False, None, f"refused: {refused}"[:500], permanent=True,
                                  duration_ms=_elapsed(started))
        return DeliveryResult(True, 250, duration_ms=_elapsed(started))


def channels_from_settings(settings: Mapping[str, Any]) -> dict[str, Channel]:
    timeout = float(settings.get("LMS_OUTBOX_TIMEOUT_SECONDS") or 10)
    return {
        payloads.EMAIL: EmailChannel(SmtpSettings.from_settings(settings)),
        payloads.WECOM: WeComRobot(timeout=timeout),
        payloads.DINGTALK: DingTalkRobot(timeout=timeout),
        payloads.WEBHOOK: JsonWebhook(timeout=timeout),
    }
