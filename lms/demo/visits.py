"""Demo shop visits: about a month of the first grid's managers visiting their shops, recorded through the visit
service (photo re-encoded, tickets routed, R3 started) as on the phone. Most visits find the shop in order; some a
signboard or poster to fix, some a problem that becomes a ticket — answered and closed by its handler, answered,
still open (for the county and the grid supervisor), and one remuneration ticket left open past its due date, which
the sweep turns into a deduction candidate. The last manager visits seldom (the compliance board shows it).
Idempotent: each visit's form key is fixed."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import func, select

from lms.accounts.models import User
from lms.core.clock import SHANGHAI, as_utc, to_local, utcnow
from lms.courses import media
from lms.demo.checkins import working_days_before
from lms.demo.photos import demo_photo
from lms.extensions import db
from lms.field import photos, r3, tickets, visit_queries, visit_rules, visits
from lms.field.models import Shop
from lms.field.visit_models import ChecklistVersion, DeductionCandidate, Ticket, Visit
from lms.org.models import GRID, Unit

DAYS = 20  # working days, about a month
CADENCE = (4, 4, 5, 6, 11)  # per manager (by employee number): a visit of each shop every n working days
ANSWERED, CLOSED, OPEN = "answered", "closed", "open"
# (manager index, shop index, working days back from yesterday): the problem found and what became of its ticket.
PROBLEMS: dict[tuple[int, int, int], tuple[str, str, str]] = {
    (0, 0, 18): (visit_rules.SYSTEM_OPS, "店员不会在B2B平台下单，已现场演示一遍", CLOSED),
    (1, 2, 15): (visit_rules.REMUNERATION, "上月酬金未到账，店主多次询问", CLOSED),
    (2, 1, 13): (visit_rules.REMUNERATION, "9月酬金少算了两笔宽带新装", OPEN),  # overdue: the sweep's candidate
    (3, 0, 9): (visit_rules.AFTER_SALES, "顾客送修的手机两周未返回", CLOSED),
    (1, 3, 6): (visit_rules.SYSTEM_OPS, "实名制系统拍照上传经常失败", ANSWERED),
    (4, 1, 2): (visit_rules.AFTER_SALES, "新机激活后无法使用5G，需售后检测", OPEN),
    (0, 3, 1): (visit_rules.REMUNERATION, "酬金明细看不懂，希望上门讲解", OPEN),
    (2, 0, 0): (visit_rules.SYSTEM_OPS, "B2B平台新品价格显示不对", OPEN),  # the grid supervisor's to answer
}
ANSWERS = {
    visit_rules.SYSTEM_OPS: "已安排网格支撑人员上门培训，操作演示后店员已能独立完成",
    visit_rules.REMUNERATION: "已核对酬金明细，差额随下月酬金补发",
    visit_rules.AFTER_SALES: "已联系售后网点，维修完成后通知顾客取机",
}
NOTES = ("店内宣传物料齐全", "店主反映本月客流下降", "", "新到一批5G手机，已讲解套餐", "", "")


def first_grid_managers() -> list[User]:
    """The first grid's managers who have shops (the demo's field day happens there)."""
    grid = db.session.scalars(select(Unit).where(Unit.kind == GRID).order_by(Unit.id)).first()
    if grid is None:
        return []
    with_shops = select(Shop.manager_id).where(Shop.active.is_(True))
    return list(db.session.scalars(select(User).where(User.grid_id == grid.id, User.role == "manager",
                                                      User.id.in_(with_shops)).order_by(User.employee_no)))


def _answers(items: list[dict[str, Any]], key: tuple[int, int, int],
             day: date) -> tuple[dict[str, str], dict[str, str]]:
    """Every check up to standard, but now and then one that is not (with its fix-by date a week on)."""
    answers = {item["key"]: visit_rules.YES if item.get("bad", visit_rules.NO) == visit_rules.NO else visit_rules.NO
               for item in items}
    turn = sum(key) % 9
    flawed = {0: "expired_posters", 4: "realname_poster"}.get(turn) or ("signboard" if turn == 7 else None)
    for item in items:
        if item["key"] == flawed:
            answers[flawed] = item.get("bad", visit_rules.NO)
    fix_by = {item["key"]: (day + timedelta(days=7)).isoformat() for item in items
              if visit_rules.is_bad(item, answers[item["key"]]) and item.get("needs_fix_date", True)}
    return answers, fix_by


def record_visits(now: datetime | None = None) -> str:
    now = now or utcnow()
    managers = first_grid_managers()
    if not managers:
        return "no shops in the first grid"
    settings = visit_rules.TicketSettings.from_settings(current_app.config)
    limits = media.MediaLimits.from_settings(current_app.config)
    checklist = visit_queries.checklist_in_force()
    known = set(db.session.scalars(select(Visit.client_key).where(Visit.client_key.like("demo:%"))))
    days = working_days_before(to_local(now).date(), DAYS)  # yesterday first
    recorded = 0
    for back in reversed(range(len(days))):  # the oldest day first, as they happened
        day = days[back]
        for m, manager in enumerate(managers):
            shops = list(db.session.scalars(select(Shop).where(Shop.manager_id == manager.id, Shop.active.is_(True))
                                            .order_by(Shop.code)))
            for s, shop in enumerate(shops):
                key = (m, s, back)
                if key not in PROBLEMS and (back + 2 * s + m) % CADENCE[m % len(CADENCE)]:
                    continue
                client_key = f"demo:{manager.employee_no}:{shop.code}:{day.isoformat()}"
                if client_key in known:
                    continue
                at = as_utc(datetime.combine(day, time(9, 30), SHANGHAI) + timedelta(minutes=50 * s + 7 * m))
                recorded += _visit(manager, shop, key, at, client_key=client_key, checklist=checklist, now=now,
                                   settings=settings, limits=limits)
    swept = r3.sweep(now=now)
    open_tickets = db.session.scalar(select(func.count(Ticket.id)).where(Ticket.state == visit_rules.OPEN))
    overdue = db.session.scalar(select(func.count(Ticket.id)).where(Ticket.state == visit_rules.OPEN,
                                                                    Ticket.due_at < now))
    candidates = db.session.scalar(select(func.count(DeductionCandidate.id)).where(
        DeductionCandidate.state == visit_rules.PENDING))
    return (f"{recorded} recorded; tickets open: {open_tickets} ({overdue} overdue); "
            f"deduction candidates pending: {candidates} ({len(swept.created)} from the sweep)")


def _visit(manager: User, shop: Shop, key: tuple[int, int, int], at: datetime, *, client_key: str,
           checklist: ChecklistVersion, now: datetime, settings: visit_rules.TicketSettings,
           limits: media.MediaLimits) -> int:
    day = to_local(at).date()
    problems = dict.fromkeys(visit_rules.CATEGORIES, "无")
    found = PROBLEMS.get(key)
    if found is not None:
        problems[found[0]] = found[1]
    answers, fix_by = _answers(checklist.items, key, day)
    here = (shop.latitude, shop.longitude) if shop.latitude is not None and shop.longitude is not None else (
        (manager.grid.latitude, manager.grid.longitude) if manager.grid and manager.grid.latitude else (None, None))
    latitude = here[0] + 0.0003 if here[0] is not None else None
    longitude = here[1] + 0.0002 if here[1] is not None else None
    form = visits.VisitForm(
        shop_id=shop.id, checklist_version=checklist.number, answers=answers, fix_by=fix_by, problems=problems,
        note=NOTES[sum(key) % len(NOTES)], latitude=latitude, longitude=longitude,
        photos=[visits.Photo(demo_photo(key[0] + key[1]), "门头.jpg")], client_key=client_key)
    visit = visits.record_visit(form, person=manager, now=at, media_root=photos.media_root(), limits=limits,
                                settings=settings)
    if found is not None and found[2] in (ANSWERED, CLOSED):
        for ticket in visit.tickets:
            if ticket.routed_user is not None:
                tickets.answer_ticket(ticket.id, actor=ticket.routed_user, answer=ANSWERS[ticket.category],
                                      close=found[2] == CLOSED, now=min(at + timedelta(days=1), now))
    return 1
