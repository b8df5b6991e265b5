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
    "certificates.period_zip": "a zip download",
    "courses.export": "a Markdown download",
    "courses.attachment": "a lesson's attached file",
    "courses.media_file": "an image or attachment uploaded in the lesson editor",
    "quizzes.bank_template": "an xlsx download",
    "reports.supervisor_home_xlsx": "an xlsx download",
    "reports.person_xlsx": "an xlsx download",
    "reports.period_xlsx": "an xlsx download",
    "reports.quiz_xlsx": "an xlsx download",
    "reports.suggestions_xlsx": "an xlsx download",
    "reports.trainer_home_xlsx": "an xlsx download",
}
# Pages with side effects on open, walked last so they do not change what the other pages show.
WALK_LAST = ("attempts.take",)


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
    from lms.quizzes import services as quizzes

    gift = "::酬金结算::酬金按月结算。{T}\n\n::终端补贴::合约机补贴由谁承担？{=渠道 ~客户}\n"
    quizzes.import_questions(gift.encode(), "walk.gift", "walk-bank", title="走查题库")

    roster = ("工号,姓名,角色,县区,网格,手机\n"
              f"M1999,新同事,manager,{manager.county.name},{manager.grid.name},13800000000\n")
    people.upload_roster(roster.encode(), "walk.csv", uploader=admin, deactivate_missing=False, max_rows=100,
                         max_bytes=100_000)
    _open_walk_appeal(manager)


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
            "announcement_id": db.session.scalars(select(Announcement.id).order_by(Announcement.id)).first(),
            "message_id@announcements.outbox_message": db.session.scalars(select(OutboxMessage.id)).first(),
            "session_id": db.session.scalars(select(TrainingSession.id)).first(),
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
    csp: window.__cspViolations || [],
    lang: document.documentElement.lang,
  };
}
"""


@dataclass
class Visit:
    """What one page showed; ``problems`` are the failed checks, each a line naming the page."""

    who: str
    viewport: str
    endpoint: str
    url: str
    status: int
    problems: list[str] = field(default_factory=list)
    axe: list[dict[str, Any]] = field(default_factory=list)


def input_problems(inputs: list[dict[str, str]]) -> Iterator[str]:
    for field_ in inputs:
        kind = field_["type"].lower()
        if kind not in VALID_INPUT_TYPES:
            yield f"<input name={field_['name']}> has type {field_['type']!r}"
        if ("password" in field_["name"] or field_["name"] in SECRET_FIELDS) and kind != "password":
            yield f"<input name={field_['name']}> shows a secret in clear ({kind})"
        if field_["name"] == "file" and kind != "file":
            yield f"<input name=file> is not a file picker ({kind})"


def inspect_page(page: Any, visit: Visit, *, phone: bool, english: bool, console: list[str],
                 failed_requests: list[str], codes: re.Pattern[str], untranslated: re.Pattern[str] | None) -> None:
    where = f"{visit.who}/{visit.viewport}{'/en' if english else ''} {visit.url}"
    found = page.evaluate(INSPECT)
    for message in console:
        visit.problems.append(f"{where}: console: {message}")
    for request in failed_requests:
        visit.problems.append(f"{where}: request failed: {request}")
    for violation in found["csp"]:
        visit.problems.append(f"{where}: CSP violation: {violation}")
    if phone and found["scrollWidth"] > found["clientWidth"]:
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


def axe_source() -> str:
    """axe-core's script (the copy shipped with axe-playwright-python)."""
    from axe_playwright_python.base import AXE_SCRIPT

    return str(AXE_SCRIPT)


def run_axe(page: Any, *, contrast: bool = True) -> list[dict[str, Any]]:
    """axe-core's violations on the page. Colour contrast costs most of axe's time (4-8x all other rules
    together) and does not change with the viewport, so the walk checks it on the phone, where it matters most.

    A walk's browser context loads axe into every document (``add_init_script``), once per page instead of sending
    its 570 kB with every check; a page without it gets it here. Only the violations come back from the page (the
    passing and inapplicable rules are not read)."""
    options: dict[str, Any] = {"resultTypes": ["violations"]}
    if not contrast:
        options["rules"] = {"color-contrast": {"enabled": False}}
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source())
    violations = page.evaluate("options => axe.run(document, options).then(results => results.violations)", options)
    return [{"id": v["id"], "impact": v.get("impact"), "help": v.get("help"),
             "nodes": [n.get("target") for n in v.get("nodes", [])][:3]} for v in violations]


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


def walk(walker: Walker, who: str, viewport: str, *, english: bool = False, axe: bool = True) -> list[Visit]:
    """Sign in as ``who`` in a fresh browser context and open every page they may open; returns each visit."""
    browser, base_url, app, found = walker.browser, walker.base_url, walker.app, walker.found
    context = browser.new_context(viewport=VIEWPORTS[viewport], locale="en-US" if english else "zh-CN",
                                  base_url=base_url, timezone_id="Asia/Shanghai")
    if english:
        context.add_cookies([{"name": "lms_lang", "value": "en", "url": base_url}])
    context.add_init_script(CSP_LISTENER)
    if axe:
        context.add_init_script(axe_source())
    page = context.new_page()
    console: list[str] = []
    failed: list[str] = []
    page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: console.append(f"uncaught: {e}"))
    document_url: list[str] = [""]

    def on_response(response: Any) -> None:
        if response.status >= 400 and response.url != document_url[0]:
            failed.append(f"{response.status} {response.url.removeprefix(base_url)}")

    page.on("response", on_response)
    number = IDENTITIES[who]
    if number:
        sign_in(page, number)
    walked, _ = pages(app, found, who)
    codes, untranslated = code_pattern(), untranslated_pattern()
    shots = screenshot_dir()
    visits: list[Visit] = []
    for target in walked:
        console.clear()
        failed.clear()
        document_url[0] = base_url + target.url
        response = page.goto(target.url, wait_until="load")
        status = response.status if response is not None else 0
        visit = Visit(who, viewport, target.endpoint, target.url, status)
        visits.append(visit)
        if status >= 500 or status == 0:
            visit.problems.append(f"{who}/{viewport} {target.url}: status {status}")
            continue
        if status in (401, 403, 404) or (page.url.rstrip("/").endswith("/login") and who != "anonymous"):
            continue  # not theirs: the route matrix tests who may open what; here only the pages people read
        if who == "anonymous" and "/login" in page.url and target.endpoint != "accounts.login":
            continue  # sent to sign in
        if target.endpoint in WALK_LAST:  # pages that build themselves from the API after loading
            page.wait_for_load_state("networkidle")
        # Console messages about the denied documents above are the browser's own reports of a 403/404.
        console[:] = [m for m in console if "status of 40" not in m or "favicon" in m]
        inspect_page(page, visit, phone=viewport == "phone", english=english, console=console,
                     failed_requests=failed, codes=codes, untranslated=untranslated)
        if axe:
            visit.axe = run_axe(page, contrast=viewport == "phone")
        if shots is not None:
            name = f"{who}-{viewport}{'-en' if english else ''}-{target.endpoint}.png"
            (shots / name).parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(shots / name), full_page=True)
    context.close()
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
