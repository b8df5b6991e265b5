"""Announcements to an audience, read receipts, the in-app inbox, reminders the system sends by itself, and
outbound messages (e-mail, WeCom/DingTalk robots, JSON webhooks) through an outbox with retries and a delivery log.
"""
