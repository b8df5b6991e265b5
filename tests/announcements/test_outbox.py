"""The outbox against local receivers: payload shapes as the robots see them, retries with back-off, the delivery
log, failures on the admin's page, and never a duplicate for the same event."""

from __future__ import annotations

import email
from datetime import UTC, datetime, timedelta
from email.header import decode_header, make_header

import pytest
from sqlalchemy import func, select

from lms.announcements import delivery, outbox, services
from lms.announcements.models import Delivery, GroupRobot, OutboxMessage
from lms.extensions import db
from tests.support.web import post_form

T0 = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)


def robot(kind: str, url: str, *, secret: str | None = None, msgtype: str = "markdown") -> GroupRobot:
    item = GroupRobot(name=f"{kind} 群", kind=kind, url=url, secret=secret, msgtype=msgtype, active=True)
    db.session.add(item)
    db.session.commit()
    return item


def queue(robot_: GroupRobot, event: str = "announcement:1", *, now: datetime = T0) -> int:
    count = delivery.queue_for_robots(db.session, [robot_], event_key=event, kind="announcement",
                                      subject="【新政策】11月终端补贴", body="**补贴**从11月1日起执行。",
                                      link="/announcements/1", now=now)
    db.session.commit()
    return count


def deliveries(message_id: int) -> list[tuple[int | None, bool]]:
    return [(d.status_code, d.ok) for d in db.session.scalars(
        select(Delivery).where(Delivery.message_id == message_id).order_by(Delivery.id))]


def test_a_receiver_that_fails_twice_then_succeeds_gets_the_message_exactly_once(app, http_receiver):
    http_receiver.script = [(503, {"error": "busy"}), (200, {"errcode": 45009, "errmsg": "api freq out of limit"})]
    target = robot("wecom", http_receiver.url + "/cgi-bin/webhook/send?key=k1")
    assert queue(target) == 1
    assert queue(target) == 0  # the same event for the same robot is never queued twice

    first = outbox.send_due(now=T0)
    message = db.session.scalar(select(OutboxMessage))
    assert (first.retrying, message.status, message.next_attempt_at) == (1, "pending", T0 + timedelta(seconds=60))
    assert outbox.send_due(now=T0 + timedelta(seconds=59)).sent == 0  # not due yet: no request at all
    assert len(http_receiver.requests) == 1

    second = outbox.send_due(now=T0 + timedelta(seconds=60))
    db.session.refresh(message)
    assert second.retrying == 1
    assert message.next_attempt_at == T0 + timedelta(seconds=60 + 120)
    assert "45009" in message.last_error

    third = outbox.send_due(now=T0 + timedelta(seconds=180))
    assert third.sent == 1
    for later in (200, 3600, 86400):
        assert outbox.send_due(now=T0 + timedelta(seconds=later)).sent == 0

    db.session.refresh(message)
    assert message.status == "sent"
    assert message.sent_at == T0 + timedelta(seconds=180)
    assert len(http_receiver.requests) == 3
    accepted = [r for r, answer in zip(http_receiver.requests, [503, 45009, 0], strict=True) if answer == 0]
    assert len(accepted) == 1
    assert deliveries(message.id) == [(503, False), (200, False), (200, True)]
    # every try carries the same key, so a receiver that did take an earlier try can drop the repeat
    assert {r.headers["Idempotency-Key"] for r in http_receiver.requests} == {message.idempotency_key}
    assert accepted[0].body == {"msgtype": "markdown", "markdown": {
        "content": "### 【新政策】11月终端补贴\n\n**补贴**从11月1日起执行。\n\n[查看详情](http://localhost/announcements/1)"}}


def test_dingtalk_gets_its_shape_on_a_signed_url(app, http_receiver):
    target = robot("dingtalk", http_receiver.url + "/robot/send?access_token=tok", secret="SECabc")
    queue(target)
    assert outbox.send_due(now=T0).sent == 1
    request = http_receiver.requests[0]
    assert request.path == "/robot/send"
    assert request.query["access_token"] == ["tok"]
    assert set(request.query) == {"access_token", "timestamp", "sign"}
    assert request.body["msgtype"] == "markdown"
    assert request.body["markdown"]["title"] == "【新政策】11月终端补贴"
    assert request.body["markdown"]["text"].startswith("### 【新政策】11月终端补贴")


def test_generic_webhook_gets_our_documented_json(app, http_receiver):
    http_receiver.default = (204, None)
    target = robot("webhook", http_receiver.url + "/hooks/lms")
    queue(target, "quiz-open:7:20261031T1600")
    assert outbox.send_due(now=T0).sent == 1
    body = http_receiver.requests[0].body
    assert body == {"id": f"quiz-open:7:20261031T1600|webhook|robot:{target.id}",
                    "event": "quiz-open:7:20261031T1600", "kind": "announcement",
                    "title": "【新政策】11月终端补贴", "markdown": "**补贴**从11月1日起执行。",
                    "url": "http://localhost/announcements/1"}


def test_a_permanent_refusal_fails_at_once_and_shows_on_the_admins_page(app, auth, make_user, http_receiver):
    http_receiver.default = (200, {"errcode": 93000, "errmsg": "invalid webhook url"})
    target = robot("wecom", http_receiver.url + "/send?key=wrong")
    queue(target)
    report = outbox.send_due(now=T0)
    assert (report.failed, report.retrying) == (1, 0)
    message = db.session.scalar(select(OutboxMessage))
    assert message.status == "failed"

    auth.login(make_user("admin"))
    page = auth.client.get("/admin/outbox?status=failed").get_data(as_text=True)
    assert "errcode 93000: invalid webhook url" in page
    assert "发送失败 (1)" in page
    detail = auth.client.get(f"/admin/outbox/{message.id}").get_data(as_text=True)
    assert "重新发送" in detail

    http_receiver.default = (200, {"errcode": 0, "errmsg": "ok"})
    response = post_form(auth.client, f"/admin/outbox/{message.id}/retry", {},
                         token_from=f"/admin/outbox/{message.id}")
    assert response.status_code == 302
    assert outbox.send_due(now=datetime.now(UTC) + timedelta(seconds=1)).sent == 1  # retried "now"
    db.session.refresh(message)
    assert message.status == "sent"
    assert [ok for _code, ok in deliveries(message.id)] == [False, True]


def test_a_network_error_is_retried_and_logged(app):
    target = robot("webhook", "http://127.0.0.1:9/unreachable")  # the discard port: connection refused
    queue(target)
    report = outbox.send_due(now=T0)
    message = db.session.scalar(select(OutboxMessage))
    assert report.retrying == 1
    assert message.status == "pending"
    assert "ConnectError" in message.last_error
    assert deliveries(message.id) == [(None, False)]


def test_after_the_last_try_the_message_is_failed_for_good(app, http_receiver):
    app.config["LMS_OUTBOX_MAX_ATTEMPTS"] = 3
    http_receiver.default = (500, {})
    queue(robot("webhook", http_receiver.url))
    now = T0
    for _ in range(3):
        outbox.send_due(now=now)
        now += timedelta(hours=2)
    assert outbox.send_due(now=now + timedelta(days=1)).sent == 0
    message = db.session.scalar(select(OutboxMessage))
    assert (message.status, message.attempts, len(http_receiver.requests)) == ("failed", 3, 3)


def test_a_row_claimed_by_another_worker_is_not_sent_twice(app, http_receiver):
    queue(robot("webhook", http_receiver.url))
    message = db.session.scalar(select(OutboxMessage))
    # another worker holds the claim (its lease runs until T0+5min)
    message.status, message.claimed_until = "sending", T0 + timedelta(minutes=5)
    db.session.commit()
    assert outbox.send_due(now=T0).sent == 0
    assert http_receiver.requests == []
    # that worker died: after the lease the row is taken over
    assert outbox.send_due(now=T0 + timedelta(minutes=6)).sent == 1
    assert len(http_receiver.requests) == 1


def test_the_send_command_sends_what_is_due(app, runner, http_receiver):
    queue(robot("wecom", http_receiver.url + "/send?key=x"), now=T0)
    result = runner.invoke(args=["outbox", "send"])
    assert result.exit_code == 0, result.output
    assert "outbox: 1 sent, 0 will retry, 0 failed" in result.output
    again = runner.invoke(args=["outbox", "send"])
    assert "outbox: 0 sent" in again.output
    assert len(http_receiver.requests) == 1
    status = runner.invoke(args=["outbox", "status"])
    assert "sent: 1" in status.output


@pytest.fixture
def app_config(app_config, smtp_receiver):
    return {**app_config, "LMS_SMTP_HOST": "127.0.0.1", "LMS_SMTP_PORT": smtp_receiver.port,
            "LMS_SMTP_SENDER": "lms@example.com"}


def test_a_manager_who_asked_for_e_mail_gets_the_announcement_by_e_mail_once(app, auth, make_user, smtp_receiver):
    manager = make_user("manager", county="城区", grid="东城网格")
    quiet = make_user("manager", county="城区", grid="东城网格")  # did not ask for e-mail
    auth.login(manager)
    response = post_form(auth.client, "/inbox/settings", {"email": "li@example.com", "email_enabled": "y"})
    assert response.status_code == 302
    trainer = make_user("trainer")
    services.publish_announcement(trainer, services.AnnouncementDraft(
        title="11月终端补贴政策", body="**补贴**从11月1日起执行。", audience_kind="all"))
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 1
    assert outbox.send_due(now=datetime.now(UTC) + timedelta(seconds=1)).sent == 1
    assert outbox.send_due(now=datetime.now(UTC) + timedelta(hours=1)).sent == 0

    assert len(smtp_receiver.messages) == 1
    _sender, recipients, raw = smtp_receiver.messages[0]
    assert recipients == ["li@example.com"]
    mail = email.message_from_bytes(raw)
    assert str(make_header(decode_header(mail["Subject"]))) == "11月终端补贴政策"
    assert mail["X-LMS-Idempotency-Key"].endswith(f"|email|user:{manager.id}")
    html = next(part for part in mail.walk() if part.get_content_type() == "text/html")
    assert "<strong>补贴</strong>" in html.get_payload(decode=True).decode()
    assert quiet.id not in [m.user_id for m in db.session.scalars(select(OutboxMessage))]


def test_an_e_mail_refused_by_the_server_is_logged(app, monkeypatch):
    from lms.announcements.channels import EmailChannel, SmtpSettings, Target
    from lms.announcements.payloads import Outgoing

    channel = EmailChannel(SmtpSettings(host="127.0.0.1", port=9, timeout=2))  # nothing listens there
    result = channel.send(Outgoing("k", "s", "b", "", "ledger", "e"), Target("x@example.com"))
    assert not result.ok
    assert not result.permanent
    assert "ConnectionRefusedError" in result.error
