"""门店学习覆盖: supervisors and administrators see, for a month, how far the shop pack reached the shops of their
scope — per county, grid, shop kind, star and manager: reached, opened, read, passed — the shops never opened and
the check questions shops miss most (what a point-to-point training should go over); and download it."""

from __future__ import annotations

import io
from typing import Any

from flask import render_template, send_file
from flask_login import current_user

from lms.accounts import rules as account_rules
from lms.accounts.access import roles_required
from lms.audit import rules as audit_rules
from lms.audit import services as audit
from lms.core.i18n import N_
from lms.field import board_filters
from lms.field import rules as field_rules
from lms.outreach import coverage_queries as queries
from lms.outreach import coverage_rules
from lms.outreach import queries as outreach_queries
from lms.outreach.blueprint import bp
from lms.reports import export

# The never-reached reasons (lms.outreach.coverage_rules.NEVER_REACHED_LABELS), shown through gettext.
REASON_LABELS = (N_("从未生成链接"), N_("有链接，从未打开"))


@bp.route("/outreach/coverage")
@roles_required("supervisor", "admin")
def coverage() -> Any:
    period, grid_id, grids = board_filters.month_and_grid()
    found = queries.coverage(current_user, period, grid_id=grid_id)
    never = found.never_reached
    return render_template(
        "outreach/coverage.html", coverage=found, period=period, grid_id=grid_id, grids=grids,
        has_pack=bool(outreach_queries.shop_pack(period)),
        show_counties=current_user.scope.kind in (account_rules.ALL, account_rules.COUNTY_SCOPE) and not grid_id,
        never=never[:queries.PAGE_SHOP_LIMIT], never_total=len(never),
        questions=found.questions[:queries.PAGE_QUESTION_LIMIT], reasons=coverage_rules.NEVER_REACHED_LABELS,
        kind_labels=field_rules.SHOP_KIND_LABELS)


@bp.route("/outreach/coverage/export.xlsx")
@roles_required("supervisor", "admin")
def coverage_xlsx() -> Any:
    period, grid_id, _grids = board_filters.month_and_grid()
    found = queries.coverage(current_user, period, grid_id=grid_id)
    tally = queries.TALLY_HEADERS
    sheets = [export.Sheet(f"门店学习覆盖 {period}", ["县区", *tally], queries.group_rows(found.by_county, "label")),
              export.Sheet("按网格", ["网格", "县区", *tally], queries.group_rows(found.by_grid, "label", "unit")),
              export.Sheet("按渠道经理", ["姓名", "工号", "网格", *tally],
                           queries.group_rows(found.by_manager, "label", "detail", "unit")),
              export.Sheet("按渠道类型", ["类型", *tally], queries.group_rows(found.by_kind, "label")),
              export.Sheet("按星级", ["星级", *tally], queries.group_rows(found.by_star, "label")),
              export.Sheet("从未打开的渠道", queries.NEVER_HEADERS, queries.never_rows(found)),
              export.Sheet("门店易错题", queries.QUESTION_HEADERS, queries.question_rows(found))]
    filename = f"shop-coverage-{period}.xlsx"
    audit.record_export(audit_rules.EXPORT_OUTREACH_COVERAGE, filename=filename, fmt="xlsx",
                        rows=len(found.by_manager), period=period, filters={"grid": grid_id} if grid_id else None)
    return send_file(io.BytesIO(export.workbook(sheets)), mimetype=export.XLSX_MIME, as_attachment=True,
                     download_name=filename)
