"""拜访达标: supervisors and administrators see, per channel manager in their scope, the visits their shops' required
frequency asks this week and this month against those made, and the shops overdue for a visit; and download it."""

from __future__ import annotations

import io
from typing import Any

from flask import render_template, send_file
from flask_login import current_user

from lms.accounts.access import roles_required
from lms.audit import rules as audit_rules
from lms.audit import services as audit
from lms.core.clock import period_of, to_local, utcnow
from lms.field import board_filters, rules
from lms.field import visit_compliance_queries as queries
from lms.field.blueprint import bp
from lms.reports import export


def _board(period: str, grid_id: int | None) -> queries.Board:
    return queries.board(current_user, period, to_local(utcnow()).date(), grid_id=grid_id)


@bp.route("/field/visits/compliance")
@roles_required("supervisor", "admin")
def visit_compliance() -> Any:
    period, grid_id, grids = board_filters.month_and_grid()
    found = _board(period, grid_id)
    overdue = found.overdue
    return render_template("field/visit_compliance.html", board=found, period=period, grid_id=grid_id,
                           grids=grids, overdue=overdue[:queries.PAGE_OVERDUE_LIMIT], overdue_total=len(overdue),
                           current=period == period_of(utcnow()), kind_labels=rules.SHOP_KIND_LABELS)


@bp.route("/field/visits/compliance/export.xlsx")
@roles_required("supervisor", "admin")
def visit_compliance_xlsx() -> Any:
    period, grid_id, _grids = board_filters.month_and_grid()
    found = _board(period, grid_id)
    sheets = [export.Sheet(f"拜访达标 {period}", queries.MANAGER_HEADERS, queries.manager_rows(found)),
              export.Sheet("逾期未拜访渠道", queries.OVERDUE_HEADERS, queries.overdue_rows(found))]
    filename = f"visit-compliance-{period}.xlsx"
    audit.record_export(audit_rules.EXPORT_FIELD_VISIT_COMPLIANCE, filename=filename, fmt="xlsx",
                        rows=len(found.rows), period=period, filters={"grid": grid_id} if grid_id else None)
    return send_file(io.BytesIO(export.workbook(sheets)), mimetype=export.XLSX_MIME, as_attachment=True,
                     download_name=filename)
