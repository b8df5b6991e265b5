"""The whole product walked in a real Chromium: every GET page of the URL map, as every kind of person, on a phone
and on a desktop, with the checks a careful reviewer makes by eye written down as code.

Used by ``tests/browser/test_walk_*.py`` (in ``make test``) and by ``make screenshots`` (the same walk, writing a
PNG of every page). The demo world is the one the trust tests use (``tests/trust/demo_world.py``) plus what the
walk needs so no page is empty for want of data: a training session, a group robot, an outbox message.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Flask, url_for
from sqlalchemy import select

from lms.extensions import db
from tests.trust.demo_world import DEMO_PASSWORD

# Who walks: the demo's people (lms/demo/people.py), one of each kind.
IDENTITIES: dict[str, str | None] = {
    "anonymous": None,
    "manager": "M1001",
    "trainer": "T0001",
    "grid": "S1100",
    "county": "S1000",
    "city": "S0001",
    "admin": "A0001",
}
VIEWPORTS = {"phone": {"width": 360, "height": 740}, "desktop": {"width": 1366, "height": 900}}

# GET routes that are not pages a person reads, each with its reason. Every other GET route of the URL map is
# walked; `test_every_get_route_is_walked_or_excused` keeps this list honest when routes are added.
NOT_PAGES: dict[str, str] = {
    "static": "static files (their loading is checked on every page: no failed request)",
    "home.favicon": "the icon browsers ask for (its loading is checked on every page)",
    "home.healthz": "a health check for load balancers (JSON)",
    "accounts.set_language": "a redirect that sets the language cookie (the English pass uses the cookie)",
    "accounts.roster_template": "a CSV download",
    "audit.export_file": "an xlsx/csv download",
    "assessment.export_file": "an xlsx/csv/json download",
    "assessment.notice_pdf": "a PDF download",
    "assessment.appeal_attachment": "a photo or file attached to an appeal",
    "certificates.download": "a PDF download",
    "field.visit_photo": "a shop photo of a visit",
    "certificates.period_zip": "a zip download",
    "courses.export": "a Markdown download",
    "courses.attachment": "a lesson's attached file",
    "courses.media_file": "an image or attachment uploaded in the lesson editor",
    "quizzes.bank_template": "an xlsx download",
    "quizzes.bank_template_docx": "a docx download",
    "quizzes.bank_export": "a bank's download (xlsx, later GIFT and Moodle XML)",
    "quizzes.question_media": "a picture of an imported question",
    "quizzes.import_picture": "a picture of a waiting import, for its uploader's preview",
    "quizzes.import_preview": "bound to its uploader's token for an hour (tests/quizzes/test_import_browser.py)",
    "field.shops_template": "a CSV download",
    "field.shops_import_preview": "bound to its uploader's token for half an hour (tests/browser/test_shops.py)",
    "reports.supervisor_home_xlsx": "an xlsx download",
    "field.checkin_photo": "a check-in photo (tests/field/test_checkin_views.py: who may see it)",
    "reports.person_xlsx": "an xlsx download",
    "reports.period_xlsx": "an xlsx download",
    "reports.quiz_xlsx": "an xlsx download",
    "reports.suggestions_xlsx": "an xlsx download",
    "reports.trainer_home_xlsx": "an xlsx download",
    "field.daily_photo": "a photo of a ground activity (tests/field/test_daily_browser.py shows it on its pages)",
    "field.daily_board_xlsx": "an xlsx download",
    "field.checkin_board_xlsx": "an xlsx download",
    "field.visit_compliance_xlsx": "an xlsx download",
    "outreach.shop_qr": "a shop link's QR code (an SVG image on 门店学习, loaded when 二维码 is opened)",
    "outreach.coverage_xlsx": "an xlsx download",
    "outreach.shop_page": "opened only by a shop's own token, made on the manager's page "
                          "(tests/outreach/test_browser.py walks it at 360 px and 1366 px)",
    "outreach.session_checkin": "opened only by a training session's own QR code, shown on the manager's session page "
                                "(tests/outreach/test_session_browser.py walks it at 360 px and 1366 px)",
    "outreach.shop_poster": "a PDF download (tests/outreach/test_followup_browser.py downloads it)",
    "outreach.all_posters": "a PDF download (tests/outreach/test_followup_browser.py downloads it)",
    "outreach.shop_lesson_media": "a lesson picture on a shop's page, by its token "
                                  "(tests/outreach/test_report_browser.py shows it at 360 px)",
    "outreach.shop_lesson_file": "a file beside a lesson on a shop's page, by its token "
                                 "(tests/outreach/test_shop_media.py)",
    "field.ticket_photo": "a photo a shop sent with its own report (tests/outreach/test_report_views.py)",
}
# Pages with side effects on open, walked last so they do not change what the other pages show; each builds itself
# from the API after loading, and is checked once it shows what the selector finds (its requests answered).
WALK_LAST = {"attempts.take": "#quiz-actions:not([hidden]), #quiz-message:not([hidden]), #quiz-done:not([hidden])"}


def internal_codes() -> dict[str, tuple[str, ...]]:
    """The codes the program uses internally, from its own enums: none of them may be shown to a Chinese reader."""
    from lms.accounts.rules import ROLES
    from lms.assessment.rules import LEDGER_KINDS, OUTCOMES
    from lms.attempts import services as attempts
    from lms.quizzes.models import QUIZ_KINDS
    from lms.quizzes.specs import QUESTION_TYPES

    codes = {
        "role": ROLES,
        "quiz kind": QUIZ_KINDS,
        "question type": QUESTION_TYPES,
        "ledger kind": LEDGER_KINDS,
        "outcome": OUTCOMES,
        "attempt event": tuple(attempts.CLIENT_EVENT_KINDS),
    }
    finish_reasons = getattr(attempts, "FINISH_REASONS", ("submit", "deadline"))
    codes["finish reason"] = tuple(finish_reasons)
    return codes


def code_pattern() -> re.Pattern[str]:
    words = sorted({code for group in internal_codes().values() for code in group}, key=len, reverse=True)
    # A code standing alone (not part of a longer word, a URL or an e-mail address).
    return re.compile(r"(?<![\w./@:-])(" + "|".join(re.escape(w) for w in words) + r")(?![\w/@-])")


_PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|%[sd]")


def untranslated_pattern() -> re.Pattern[str] | None:
    """The Chinese source strings of the UI that have an English translation: shown as they are in the English UI,
    each is a string that was not translated where it is displayed."""
    tsv = Path(__file__).resolve().parents[2] / "translations" / "en.tsv"
    sources = []
    for line in tsv.read_text(encoding="utf-8").splitlines():
        if "\t" not in line or line.startswith("#"):
            continue
        source = line.split("\t", 1)[0]
        if not re.search(r"[\u4e00-\u9fff]", source):
            continue
        pieces = _PLACEHOLDER.split(source)
        literal = [re.escape(piece) for i, piece in enumerate(pieces) if i % 2 == 0]
        pattern = r".{1,80}?".join(literal)
        # One character is too likely to be data, and so is a short frame around placeholders ("%(y)s年%(m)d月").
        literal_chinese = len(re.sub(r"[^\u4e00-\u9fff]", "", "".join(pieces[::2])))
        if literal_chinese >= (4 if len(pieces) > 1 else 2):
            sources.append(pattern)
    if not sources:
        return None
    sources.sort(key=len, reverse=True)
    return re.compile(r"^\s*(?:" + "|".join(sources) + r")\s*$")


@dataclass
class WalkPage:
    endpoint: str
    url: str


@dataclass
class World:
    """Ids of the demo world's records, looked up once: what fills the URL map's arguments."""

    values: dict[str, Any] = field(default_factory=dict)
    per_person: dict[str, dict[str, Any]] = field(default_factory=dict)


def add_walk_extras() -> None:
    """What the demo does not make but the pages need to show something: a training session with invitations,
    a county group robot and a queued message for it, this month's published training pack, a draft notice of the
    last closed month, a roster upload waiting for the administrator's confirmation (one new channel manager), a
    question bank made in the browser (its questions' editor opens; a file's bank is read-only)."""
    from datetime import timedelta

    from lms.accounts.models import User
    from lms.announcements import services as announcements
    from lms.announcements.robots import save_robot
    from lms.core.clock import period_of, utcnow
    from lms.courses import pack_services
    from lms.courses import services as courses
    from lms.courses.models import Lesson

    def person(number: str) -> User:
        return db.session.scalars(select(User).where(User.employee_no == number)).one()

    admin, trainer, manager = person("A0001"), person("T0001"), person("M1001")
    lesson = db.session.scalars(select(Lesson.slug).order_by(Lesson.slug)).first()
    courses.create_training_session(
        title="12月政策集中宣贯", mode="centralized", starts_at=utcnow() + timedelta(days=2), place="市公司3楼会议室",
        created_by=trainer, invitee_ids=[u.id for u in db.session.scalars(
            select(User).where(User.county_id == manager.county_id, User.role == "manager"))],
        lesson_slugs=[lesson] if lesson else [], ends_at=utcnow() + timedelta(days=2, hours=2), notes="请带手机")
    save_robot(admin, name="城区渠道群", kind="wecom", url="https://robots.example.invalid/send?key=walk",
               unit_id=manager.county_id)
    announcements.publish_announcement(trainer, announcements.AnnouncementDraft(
        title="12月终端政策已发布", body="请于8号前完成学习。"))
    db.session.commit()
    # This month's training pack, published (one announcement), so managers' home page shows it.
    pack = pack_services.create_pack(period_of(utcnow()), trainer)
    live = list(db.session.scalars(select(Lesson.id).where(Lesson.published_number.is_not(None),
                                                           Lesson.retired_at.is_(None)).order_by(Lesson.slug)))[:3]
    pack_services.save_pack(pack, title=pack.title, quiz_id=pack.quiz_id, lesson_ids=live, author=trainer)
    pack_services.publish_pack(pack, trainer)
    from lms.accounts import people
    from lms.quizzes import imports as quizzes

    gift = "::酬金结算::酬金按月结算。{T}\n\n::终端补贴::合约机补贴由谁承担？{=渠道 ~客户}\n"
    quizzes.import_questions(gift.encode(), "walk.gift", "walk-bank", title="走查题库")

    roster = ("工号,姓名,角色,县区,网格,手机\n"
              f"M1999,新同事,manager,{manager.county.name},{manager.grid.name},13800000000\n")
    people.upload_roster(roster.encode(), "walk.csv", uploader=admin, deactivate_missing=False, max_rows=100,
                         max_bytes=100_000)
    _open_walk_appeal(manager)
    _add_walk_visit(manager)
    _add_walk_shop_session(manager)


def _add_walk_shop_session(manager: Any) -> None:
    """A training session for shops of M1001's, tomorrow (so it can still be edited), with its one shop invited."""
    from datetime import timedelta

    from lms.core.clock import utcnow
    from lms.field.models import Shop
    from lms.outreach import session_rules, session_services

    shops = tuple(db.session.scalars(select(Shop.id).where(Shop.manager_id == manager.id, Shop.active.is_(True))
                                     .order_by(Shop.code)))
    starts = utcnow().replace(second=0, microsecond=0) + timedelta(days=1)
    session_services.schedule_session(manager, session_rules.SessionDraft(
        title="12月终端政策片区培训", kind=session_rules.AREA, place="东城营业厅二楼会议室", starts_at=starts,
        ends_at=starts + timedelta(hours=2), shop_ids=shops[:3]))


def _add_walk_visit(manager: Any) -> None:
    """A shop of M1001's and one visit of it with a photo and a B2B problem (a ticket for the grid supervisor), so the
    visit pages, the tickets and the checklist show something."""
    from datetime import timedelta

    from flask import current_app

    from lms.core.clock import utcnow
    from lms.courses import media
    from lms.field import visit_rules, visits
    from lms.field.models import Shop
    from tests.support.images import screenshot_png

    shop = db.session.scalars(select(Shop).where(Shop.manager_id == manager.id)).first()
    if shop is None:
        shop = Shop(code="WALK001", name="东城手机店", kind="terminal", star=4, address="东城路1号", latitude=30.0,
                    longitude=120.0, grid_id=manager.grid_id, manager_id=manager.id)
        db.session.add(shop)
        db.session.commit()
    form = visits.VisitForm(
        shop_id=shop.id, checklist_version=1,
        answers={"signboard": "yes", "realname_poster": "yes", "realname_card": "no", "expired_posters": "no"},
        fix_by={"realname_card": (utcnow() + timedelta(days=3)).date().isoformat()},
        problems={"system_ops": "店员不会在B2B订货", "remuneration": "无", "after_sales": "无"},
        photos=[visits.Photo(screenshot_png(400, rows=1), "门头.png")], latitude=30.0002, longitude=120.0)
    visits.record_visit(form, person=manager, now=utcnow(), limits=media.MediaLimits(),
                        media_root=Path(current_app.config["LMS_MEDIA_DIR"]) / "field",
                        settings=visit_rules.TicketSettings())


def _open_walk_appeal(manager: Any) -> None:
    """An open appeal (申诉) of a manager of M1001's county (M1001's own where they have an entry to appeal), opened
    inside its window, so the appeal page and the queue show one."""
    from datetime import timedelta
    from pathlib import Path

    from flask import current_app

    from lms.accounts.models import User
    from lms.assessment import appeals
    from lms.assessment.models import LedgerEntry
    from lms.courses import media

    entries = select(LedgerEntry).join(User, User.id == LedgerEntry.user_id).where(
        User.county_id == manager.county_id, LedgerEntry.kind.in_(("criticism", "cash_penalty", "deduction")))
    entry = db.session.scalars(entries.order_by((LedgerEntry.user_id == manager.id).desc(), LedgerEntry.id.desc())
                               ).first()
    if entry is None:
        return
    appeals.open_appeal(entry.id, person=entry.user, reason="考试当天系统故障，无法提交答卷", attachment=None,
                        now=entry.created_at + timedelta(minutes=5), settings=appeals.AppealSettings(),
                        media_root=Path(current_app.config["LMS_MEDIA_DIR"]) / "appeals",
                        limits=media.MediaLimits.from_settings(current_app.config))


def world(app: Flask) -> World:
    """Look up the ids the walk fills into URLs."""
    from lms.accounts.models import User
    from lms.accounts.roster_uploads import RosterUpload
    from lms.announcements.models import Announcement, InboxMessage, OutboxMessage
    from lms.assessment.models import Appeal, ClosedPeriod, LedgerEntry
    from lms.attempts.models import Attempt, AttemptAnswer
    from lms.certificates.models import Certificate
    from lms.courses.models import Lesson, TrainingPack, TrainingSession
    from lms.field.models import Shop
    from lms.field.visit_models import Visit
    from lms.outreach.session_models import ShopSession
    from lms.quizzes.models import Quiz

    found = World()
    with app.app_context():
        manager = db.session.scalars(select(User).where(User.employee_no == IDENTITIES["manager"])).one()
        closed = db.session.scalars(select(ClosedPeriod.period).order_by(ClosedPeriod.period.desc())).first()
        monthly = db.session.scalars(select(Quiz).where(Quiz.kind == "monthly", Quiz.period == closed)).first()
        practice = db.session.scalars(select(Quiz.slug).where(Quiz.kind == "practice").order_by(Quiz.slug)).first()
        entry = db.session.scalars(select(LedgerEntry.id).where(LedgerEntry.user_id == manager.id)
                                   .order_by(LedgerEntry.id.desc())).first()
        if entry is None:  # M1001 may have a clean record: any entry in their county then
            entry = db.session.scalars(select(LedgerEntry.id).join(User, User.id == LedgerEntry.user_id)
                                       .where(User.county_id == manager.county_id)).first()
        from lms.quizzes.models import BankQuestion, QuestionBank

        found.values = {
            "period": closed,
            "county_id": manager.county_id,
            "user_id": manager.id,
            "unit_id": manager.grid_id,  # the organisation's unit page: the walking manager's grid
            "entry_id": entry,
            "appeal_id": db.session.scalars(select(Appeal.id).order_by(Appeal.id)).first(),
            "visit_id": db.session.scalars(select(Visit.id).where(Visit.user_id == manager.id)).first(),
            "announcement_id": db.session.scalars(select(Announcement.id).order_by(Announcement.id)).first(),
            "message_id@announcements.outbox_message": db.session.scalars(select(OutboxMessage.id)).first(),
            "session_id": db.session.scalars(select(TrainingSession.id)).first(),
            "shop_session_id": db.session.scalars(select(ShopSession.id).where(ShopSession.manager_id == manager.id)
                                                  .order_by(ShopSession.id)).first(),
            "pack_id": db.session.scalars(select(TrainingPack.id)).first(),
            "slug@courses": db.session.scalars(select(Lesson.slug).order_by(Lesson.slug)).first(),
            "slug@quizzes": monthly.slug if monthly else None,
            "slug@attempts.take": practice,
            "slug@attempts.people": monthly.slug if monthly else None,
            "slug@reports": monthly.slug if monthly else None,
            "slug@quizzes.bank": db.session.scalars(select(QuestionBank.slug).order_by(QuestionBank.slug)).first(),
            # the question pages: a bank the browser owns (the editor opens), else any bank's first question
            "slug@quizzes.question_new": db.session.scalars(
                select(QuestionBank.slug).where(QuestionBank.source_path.is_(None)).order_by(QuestionBank.slug)
            ).first(),
            "question_id@quizzes": db.session.scalars(
                select(BankQuestion.id).join(QuestionBank, QuestionBank.id == BankQuestion.bank_id)
                .order_by(QuestionBank.source_path.is_not(None), BankQuestion.id)).first(),
            "question_id": db.session.scalars(
                select(AttemptAnswer.question_id).join(Attempt, Attempt.id == AttemptAnswer.attempt_id)
                .where(Attempt.quiz_id == monthly.id).order_by(AttemptAnswer.question_id)).first()
            if monthly else None,
            "number": 1,
            "token@accounts.roster_preview": db.session.scalars(select(RosterUpload.token)).first(),
            # a shop of the walking manager (in the grid and county of the walking supervisors)
            "shop_id": db.session.scalars(select(Shop.id).where(Shop.manager_id == manager.id)
                                          .order_by(Shop.code)).first(),
            "code": db.session.scalars(select(Certificate.code).where(Certificate.user_id == manager.id)).first(),
        }
        for who, number in IDENTITIES.items():
            person = db.session.scalars(select(User).where(User.employee_no == number)).first() if number else None
            mine: dict[str, Any] = {}
            if person is not None:
                mine["message_id@announcements.message"] = db.session.scalars(
                    select(InboxMessage.id).where(InboxMessage.user_id == person.id)
                    .order_by(InboxMessage.id.desc())).first()
                mine["attempt_id"] = db.session.scalars(
                    select(Attempt.id).where(Attempt.user_id == person.id).order_by(Attempt.id.desc())).first()
            found.per_person[who] = mine
    return found


def _argument(found: World, who: str, endpoint: str, name: str) -> Any:
    mine = found.per_person.get(who, {})
    for key in (f"{name}@{endpoint}", f"{name}@{endpoint.split('.', maxsplit=1)[0]}", name):
        if key in mine:
            return mine[key]
        if key in found.values:
            return found.values[key]
    return None


def pages(app: Flask, found: World, who: str) -> tuple[list[WalkPage], dict[str, str]]:
    """Every GET page of the URL map with its arguments filled for ``who``; and the routes left out, with why."""
    walked: list[WalkPage] = []
    left_out: dict[str, str] = {}
    with app.test_request_context():
        for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
            if "GET" not in (rule.methods or ()) or rule.rule.startswith("/api/"):
                continue
            if rule.endpoint in NOT_PAGES:
                left_out[rule.endpoint] = NOT_PAGES[rule.endpoint]
                continue
            arguments = {name: _argument(found, who, rule.endpoint, name) for name in rule.arguments}
            missing = [name for name, value in arguments.items() if value is None]
            if missing:
                left_out[rule.endpoint] = f"nothing in the demo world fills {', '.join(missing)} for {who}"
                continue
            walked.append(WalkPage(rule.endpoint, url_for(rule.endpoint, **arguments)))
    walked.sort(key=lambda p: p.endpoint in WALK_LAST)
    return walked, left_out


# --- what is checked on every page -----------------------------------------------------------------------------

# Collects CSP violations from the first moment of every document (init scripts run before the page's own).
CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation',
  e => window.__cspViolations.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline')));
"""

# Fields that hold a secret (the password forms' current/new/confirm, a robot's signing secret).
SECRET_FIELDS = {"current", "new", "confirm", "secret"}
VALID_INPUT_TYPES = {"button", "checkbox", "color", "date", "datetime-local", "email", "file", "hidden", "image",
                     "month", "number", "password", "radio", "range", "reset", "search", "submit", "tel", "text",
                     "time", "url", "week"}

# Gathers, in the page, what the checks need: overflow, inputs, the text a person reads.
INSPECT = """
() => {
  const visibleText = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!el || el.closest('script,style,template,code,pre,textarea,noscript,[translate="no"],.user-content')) continue;
    const style = getComputedStyle(el);
    if (style.display === 'none' || style.visibility === 'hidden') continue;
    const text = node.textContent.trim();
    if (text) visibleText.push(text);
  }
  const wide = [];
  const vw = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth > vw) {
    for (const el of document.body.querySelectorAll('*')) {
      const r = el.getBoundingClientRect();
      if (r.right > vw + 1 && r.width > 0 && !el.closest('[data-scrolls]')) {
        let inScroller = false;
        for (let p = el.parentElement; p; p = p.parentElement) {
          const o = getComputedStyle(p).overflowX;
          if (o === 'auto' || o === 'scroll' || o === 'hidden') { inScroller = true; break; }
        }
        const cls = typeof el.className === 'string' && el.className ? '.' + el.className.split(' ')[0] : '';
        if (!inScroller) wide.push(el.tagName.toLowerCase() + cls + ' ' + Math.round(r.right) + 'px');
      }
      if (wide.length >= 3) break;
    }
  }
  return {
    scrollWidth: document.documentElement.scrollWidth,
    clientWidth: vw,
    wide,
    inputs: [...document.querySelectorAll('input')].map(i => ({
      name: i.getAttribute('name') || '', type: i.getAttribute('type') || 'text',
      autocomplete: i.getAttribute('autocomplete') || ''})),
    text: visibleText,
    title: document.title,
    csp: (window.__cspViolations || []).splice(0),  // taken: a later look at the page reports only new ones
    lang: document.documentElement.lang,
  };
}
"""


@dataclass
class Visit:
    """What one page showed at one width; ``problems`` are the failed checks, each a line naming the page;
    ``checks`` names the checks made (none for a page the person may not open)."""

    who: str
    viewport: str
    endpoint: str
    url: str
    status: int
    english: bool = False
    problems: list[str] = field(default_factory=list)
    axe: list[dict[str, Any]] = field(default_factory=list)
    checks: list[str] = field(default_factory=list)


def input_problems(inputs: list[dict[str, str]]) -> Iterator[str]:
    for field_ in inputs:
        kind = field_["type"].lower()
        if kind not in VALID_INPUT_TYPES:
            yield f"<input name={field_['name']}> has type {field_['type']!r}"
        if ("password" in field_["name"] or field_["name"] in SECRET_FIELDS) and kind != "password":
            yield f"<input name={field_['name']}> shows a secret in clear ({kind})"
        if field_["name"] == "file" and kind != "file":
            yield f"<input name=file> is not a file picker ({kind})"


def inspect_page(page: Any, visit: Visit, *, english: bool, console: list[str],
                 failed_requests: list[str], codes: re.Pattern[str], untranslated: re.Pattern[str] | None) -> None:
    where = f"{visit.who}/{visit.viewport}{'/en' if english else ''} {visit.url}"
    found = page.evaluate(INSPECT)
    visit.checks += ["console", "requests", "csp", "inputs", "untranslated" if english else "codes", "overflow"]
    for message in console:
        visit.problems.append(f"{where}: console: {message}")
    for request in failed_requests:
        visit.problems.append(f"{where}: request failed: {request}")
    for violation in found["csp"]:
        visit.problems.append(f"{where}: CSP violation: {violation}")
    if found["scrollWidth"] > found["clientWidth"]:
        visit.problems.append(f"{where}: scrolls sideways at {found['clientWidth']} px (scrollWidth "
                              f"{found['scrollWidth']}; too wide: {', '.join(found['wide']) or 'unknown'})")
    visit.problems.extend(f"{where}: {p}" for p in input_problems(found["inputs"]))
    text = "\n".join(found["text"])
    if not english:
        for match in sorted({m.group(1) for m in codes.finditer(text)}):
            line = next(t for t in found["text"] if match in t)
            visit.problems.append(f"{where}: internal code {match!r} shown: {line[:80]!r}")
    elif untranslated is not None:
        for piece in found["text"]:
            if untranslated.match(piece):
                visit.problems.append(f"{where}: untranslated in English: {piece[:80]!r}")


AXE_SERIOUS = ("serious", "critical")
MENU = "header.topbar"  # the top bar with the menu, the same on every page of a person in one language


def axe_source() -> str:
    """axe-core's script (the copy shipped with axe-playwright-python)."""
    from axe_playwright_python.base import AXE_SCRIPT

    return str(AXE_SCRIPT)


# One round trip: axe's violations, cut to what the walk reads (rule, impact, help, the first three nodes); null
# when the page has no axe yet.
AXE_RUN = """
([context, options]) => typeof window.axe === 'undefined' ? null : axe.run(context || document, options).then(results =>
  results.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                nodes: v.nodes.slice(0, 3).map(n => n.target)})))
"""


def run_axe(page: Any, *, contrast: bool = True, only_contrast_of: str | None = None) -> list[dict[str, Any]]:
    """axe-core's violations on the page. Colour contrast costs most of axe's time (2-3x all other rules
    together), so the walk checks it at one width, on the phone, where it matters most; at 360 px the top menu is
    folded away, so the walk checks the open menu's contrast at 1366 px once per person and language
    (``only_contrast_of``: that one rule in that part of the page).

    A walk's browser context loads axe into every document (``add_init_script``), once per page instead of sending
    its 570 kB with every check; a page without it gets it here. Only the violations come back from the page (the
    passing and inapplicable rules are not read)."""
    options: dict[str, Any] = {"resultTypes": ["violations"]}
    context: Any = "document"
    if only_contrast_of is not None:
        options["runOnly"] = {"type": "rule", "values": ["color-contrast"]}
        context = {"include": [only_contrast_of]}
    elif not contrast:
        options["rules"] = {"color-contrast": {"enabled": False}}
    arguments = [context if context != "document" else None, options]
    violations = page.evaluate(AXE_RUN, arguments)
    if violations is None:
        page.evaluate(axe_source())
        violations = page.evaluate(AXE_RUN, arguments)
    return [{"id": v["id"], "impact": v.get("impact"), "help": v.get("help"), "nodes": v["nodes"]}
            for v in violations]


def sign_in(page: Any, employee_no: str) -> None:
    sign_in_with(page, employee_no, DEMO_PASSWORD)


def sign_in_with(page: Any, employee_no: str, password: str) -> None:
    page.goto("/login")
    if "/login" not in page.url:
        return  # still signed in (a password change keeps the session that made it)
    page.fill("input[name=employee_no]", employee_no)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)


def screenshot_dir() -> Path | None:
    folder = os.environ.get("LMS_WALK_SCREENSHOTS")
    return Path(folder) if folder else None


def figures_dir() -> Path | None:
    folder = os.environ.get("LMS_WALK_FIGURES") or os.environ.get("LMS_WALK_SCREENSHOTS")
    return Path(folder) if folder else None


@dataclass
class Walker:
    """What a walk needs: a Chromium, the server's address, the app (for its URL map) and the demo world's ids."""

    browser: Any
    base_url: str
    app: Flask
    found: World


# The route matrix's roles (tests/core/test_route_matrix.py) of the walk's identities.
MATRIX_ROLES = {"anonymous": "anonymous", "manager": "manager", "trainer": "trainer", "grid": "grid_supervisor",
                "county": "county_supervisor", "city": "city_supervisor", "admin": "admin"}


def policy_allows(who: str, endpoint: str) -> bool:
    """Whether the route matrix's policy lets ``who`` have a page at ``endpoint`` (an endpoint it does not name:
    yes)."""
    from tests.core.test_route_matrix import POLICY

    roles = POLICY.get(endpoint)
    return roles is None or MATRIX_ROLES[who] in roles


def not_theirs(who: str, target: WalkPage, status: int, url: str) -> bool:
    """A page the walk does not check: not theirs (the route matrix tests who may open what; here only the pages
    people read), or an anonymous visitor sent to sign in."""
    if status in (401, 403, 404) or (url.rstrip("/").endswith("/login") and who != "anonymous"):
        return True
    return who == "anonymous" and "/login" in url and target.endpoint != "accounts.login"


class InFlight:
    """The page's requests not answered yet (a lazy image, a script's fetch): waited for before a page is checked,
    so what they answer is part of the check."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.requests: set[Any] = set()
        page.on("request", self._started)
        page.on("requestfinished", self._answered)
        page.on("requestfailed", self._answered)

    def _started(self, request: Any) -> None:
        self.requests.add(request)

    def _answered(self, request: Any) -> None:
        self.requests.discard(request)

    def wait(self, timeout: float = 15.0) -> list[str]:
        """Wait until every request has its answer; returns those still waiting after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while self.requests and time.monotonic() < deadline:
            self.page.wait_for_timeout(10)  # Playwright delivers the requests' events while it waits
        return sorted(r.url for r in self.requests)


# After a resize: the next rendering update runs the page's resize steps (media queries, `resize` listeners) and
# the lazy images' distance check; one more frame when an image is not loaded yet, so the fetches it starts are
# under way (and then waited for) before the page is checked at its new width.
RESIZED = """
() => new Promise(done => requestAnimationFrame(() => {
  if ([...document.images].every(img => img.complete)) done();
  else requestAnimationFrame(() => done());
}))
"""


class Walk:
    """One person's walk in one language: a fresh browser context, signed in once, and what its page reported."""

    def __init__(self, walker: Walker, who: str, viewports: tuple[str, ...], *, english: bool, axe: bool) -> None:
        self.walker, self.who, self.viewports, self.english, self.axe = walker, who, viewports, english, axe
        self.context = walker.browser.new_context(viewport=VIEWPORTS[viewports[0]],
                                                  locale="en-US" if english else "zh-CN", base_url=walker.base_url,
                                                  timezone_id="Asia/Shanghai")
        if english:
            self.context.add_cookies([{"name": "lms_lang", "value": "en", "url": walker.base_url}])
        self.context.add_init_script(CSP_LISTENER)
        if axe:
            self.context.add_init_script(axe_source())
        self.page = self.context.new_page()
        self.width = viewports[0]
        self.menu_contrast_checked = False
        self.in_flight = InFlight(self.page)
        self.console: list[str] = []
        self.failed: list[str] = []
        self.document_url = ""
        self.page.on("console", lambda m: self.console.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.console.append(f"uncaught: {e}"))
        self.page.on("response", self._on_response)
        self.codes, self.untranslated = code_pattern(), untranslated_pattern()
        self.shots = screenshot_dir()

    def _on_response(self, response: Any) -> None:
        if response.status >= 400 and response.url != self.document_url:
            self.failed.append(f"{response.status} {response.url.removeprefix(self.walker.base_url)}")

    def _visits(self, target: WalkPage, status: int) -> list[Visit]:
        return [Visit(self.who, viewport, target.endpoint, target.url, status, self.english)
                for viewport in self.viewports]

    def _resize(self, viewport: str) -> None:
        if viewport != self.width:
            self.page.set_viewport_size(VIEWPORTS[viewport])
            self.width = viewport
            self.page.evaluate(RESIZED)

    def answer_alone(self, target: WalkPage) -> list[Visit] | None:
        """A page the route matrix promises ``who`` does not get: its answer asked for without a browser load; its
        visits when that answer is one the walk does not check (None: the page is to be loaded and checked)."""
        if policy_allows(self.who, target.endpoint) or target.endpoint in WALK_LAST:
            return None
        answer = self.context.request.get(target.url, headers={"Accept": "text/html"})
        status, url = answer.status, answer.url
        answer.dispose()
        return self._visits(target, status) if status < 500 and not_theirs(self.who, target, status, url) else None

    def open(self, target: WalkPage) -> list[Visit]:
        """Load ``target`` at the first width and check it at each width."""
        self.console.clear()
        self.failed.clear()
        self.document_url = self.walker.base_url + target.url
        self._resize(self.viewports[0])
        response = self.page.goto(target.url, wait_until="load")
        status = response.status if response is not None else 0
        here = self._visits(target, status)
        if status >= 500 or status == 0:
            for visit in here:
                visit.problems.append(f"{self.who}/{visit.viewport} {target.url}: status {status}")
            return here
        if not_theirs(self.who, target, status, self.page.url):
            return here
        if target.endpoint in WALK_LAST:
            self.page.wait_for_selector(WALK_LAST[target.endpoint], state="attached")
        for visit in here:
            self._resize(visit.viewport)
            self.look(visit)
        return here

    def look(self, visit: Visit) -> None:
        """The checks of the page as it is now, at ``visit``'s width."""
        for url in self.in_flight.wait():
            visit.problems.append(f"{self.who}/{self.width} {visit.url}: no answer to "
                                  f"{url.removeprefix(self.walker.base_url)}")
        # Console messages about a denied document are the browser's own reports of a 403/404.
        self.console[:] = [m for m in self.console if "status of 40" not in m or "favicon" in m]
        inspect_page(self.page, visit, english=self.english, console=self.console, failed_requests=self.failed,
                     codes=self.codes, untranslated=self.untranslated)
        self.console.clear()  # reported: the next width's visit reports what comes after this look
        self.failed.clear()
        if self.axe:
            visit.axe = run_axe(self.page, contrast=self.width == "phone")
            visit.checks += ["axe"] + (["color-contrast"] if self.width == "phone" else [])
            if self.width == "desktop" and not self.menu_contrast_checked and self.page.locator(MENU).count():
                visit.axe += run_axe(self.page, only_contrast_of=MENU)
                visit.checks.append("menu color-contrast")
                self.menu_contrast_checked = True
        if self.shots is not None:
            name = f"{self.who}-{self.width}{'-en' if self.english else ''}-{visit.endpoint}.png"
            (self.shots / name).parent.mkdir(parents=True, exist_ok=True)
            self.page.screenshot(path=str(self.shots / name), full_page=True)


def walk(walker: Walker, who: str, viewports: tuple[str, ...], *, english: bool = False,
         axe: bool = True) -> list[Visit]:
    """Sign in as ``who`` in a fresh browser context and open every page they may open, checking each at each of
    ``viewports`` in turn; returns a visit per page and width.

    A page is loaded once, at the first width, and then the window is resized: the product's pages load the same
    files at every width (no ``srcset``, no stylesheet or script chosen by a media query, no script reading the width
    as it loads), so a second load would fetch and run the same things. What a resize does start (a lazy image that
    comes into range, a listener) is waited for and checked, at the width it belongs to: each width's visit reports
    the console errors, failed requests and CSP violations seen since the previous width's look (the load's, for
    the first width).

    A page the route matrix (tests/core/test_route_matrix.py) promises them they do not get is asked for without
    the browser: an answer the walk does not check (a 403, a 404, being sent to sign in) is all it reads of such a
    page in the browser too; any other answer, and every page the matrix lets them have, is loaded and checked."""
    run = Walk(walker, who, viewports, english=english, axe=axe)
    number = IDENTITIES[who]
    if number:
        sign_in(run.page, number)
    walked, _ = pages(walker.app, walker.found, who)
    visits: list[Visit] = []
    for target in walked:
        visits += run.answer_alone(target) or run.open(target)
    run.context.close()
    return visits


def report(visits: list[Visit], path: Path | None = None) -> dict[str, Any]:
    """Figures of a walk (pages, identities, axe findings by impact), written as JSON when ``path`` is given."""
    by_impact: dict[str, int] = {}
    rules: dict[str, int] = {}
    for visit in visits:
        for violation in visit.axe:
            by_impact[violation["impact"] or "none"] = by_impact.get(violation["impact"] or "none", 0) + 1
            rules[violation["id"]] = rules.get(violation["id"], 0) + 1
    figures = {
        "visits": len(visits),
        "opened": sum(1 for v in visits if v.status < 400),
        "axe_by_impact": by_impact,
        "axe_rules": rules,
        "problems": sum(len(v.problems) for v in visits),
        "problem_lines": [p for v in visits for p in v.problems],
        "axe_serious_lines": list(serious(visits)),
        "checks": [f"{v.who}|{v.viewport}|{v.endpoint}|{v.status}|{'+'.join(v.checks)}" for v in visits],
    }
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(figures, ensure_ascii=False, indent=2), encoding="utf-8")
    return figures


def serious(visits: list[Visit]) -> Iterator[str]:
    for visit in visits:
        for violation in visit.axe:
            if violation["impact"] in AXE_SERIOUS:
                yield (f"{visit.who}/{visit.viewport} {visit.url}: axe {violation['impact']} {violation['id']}: "
                       f"{violation['help']} at {violation['nodes']}")


Hook = Callable[[Any], None]
