"""Demo daily reports (工作安排): about a month of the first grid's managers' days, written through the daily
service as on the phone — the morning plan (yesterday's work carried over from the last report), now and then a
ground activity with a photo and its results, and the progress report, mostly before 17:00, sometimes late, now and
then missing. Idempotent: a day that has a report is left alone."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from lms.core.clock import SHANGHAI, as_utc, to_local, utcnow
from lms.demo.checkins import working_days_before
from lms.demo.photos import demo_photo
from lms.demo.visits import DAYS, first_grid_managers
from lms.field import daily_services
from lms.org.models import Unit

PLANS = ("上午走访辖区手机卖场，检查实名制物料；下午跟进宽带意向客户",
         "到合作营业厅对接本月酬金明细；下午在社区开展宽带地推",
         "陪同网格主管走访村级服务站，收集终端售后问题",
         "上午参加县区例会；下午走访便民服务点，推广5G套餐",
         "整理本周门店问题清单，跟进未办结工单")
PROGRESS = ("已走访3家门店，物料齐全；宽带意向客户2户已预约上门",
            "酬金明细已与店主核对；社区地推登记意向客户5户",
            "村级服务站反映2个售后问题，已提交工单",
            "例会精神已传达；便民服务点办理5G套餐3笔",
            "工单已逐一电话跟进，1个待县区答复")
PLACES = ("{grid}中心广场", "{grid}农贸市场门口", "{grid}新城小区", "{grid}职业学校门口")


def record_days(now: datetime | None = None) -> tuple[int, int]:
    """(days written, ground activities added) for the first grid's managers over the last working days."""
    now = now or utcnow()
    days = sorted(working_days_before(to_local(now).date(), DAYS))  # the oldest first: yesterday's text carries
    written = activities = 0
    for m, person in enumerate(first_grid_managers()):
        grid: Unit | None = person.grid
        grid_name = grid.name.removesuffix("网格").removesuffix("营业部") if grid else ""
        for d, day in enumerate(days):
            if daily_services.report_for(person, day) is not None:
                continue
            turn = (m + d) % 10
            at = datetime.combine(day, time(8, 35), SHANGHAI) + timedelta(minutes=4 * m)
            daily_services.save_plan(person, yesterday=daily_services.yesterday_text(person, day),
                                     plan=PLANS[(m + d) % len(PLANS)], now=as_utc(at))
            if (m + d) % 4 == 0:
                place = PLACES[(m + d) % len(PLACES)].format(grid=grid_name)
                position = ((grid.latitude + 0.004, grid.longitude - 0.003)
                            if grid is not None and grid.latitude is not None and grid.longitude is not None
                            else (None, None))
                daily_services.add_activity(person, daily_services.ActivityInput(
                    place=place, latitude=position[0], longitude=position[1], handsets_sold=(m + d) % 4,
                    broadband_signups=(m * 3 + d) % 5, new_lines=(m + 2 * d) % 7 + 1,
                    note="现场办理为主，发放宣传单页"),
                    [(demo_photo(m + d + 1, size=(320, 200)), "活动.jpg")],
                    now=as_utc(datetime.combine(day, time(11, 20), SHANGHAI)))
                activities += 1
            if turn != 7:  # now and then no progress report at all
                report_at = time(17, 25) if turn == 3 else time(16, 40)  # sometimes after the 17:00 deadline
                daily_services.save_progress(person, text=PROGRESS[(m + d) % len(PROGRESS)],
                                             now=as_utc(datetime.combine(day, report_at, SHANGHAI)))
            written += 1
    return written, activities
