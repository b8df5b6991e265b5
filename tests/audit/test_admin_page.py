"""The administrator's audit log page: filters by action, actor, person, dates and words; newest first; shows who,
from where, what and what changed in words (roles by their label); the export holds the filtered entries and is
itself recorded."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from lms.audit import rules, services
from lms.audit.models import AuditEntry
from lms.audit.views import RULE_LABELS
from lms.extensions import db


@pytest.fixture
def admin(make_user):
    return make_user("admin", name="管理员甲", employee_no="A7001")


def add(action, *, at, actor=None, target=None, subject="", changes=None, reason=""):
    entry = services.record(action, actor=actor, target=target, subject=subject, changes=changes, reason=reason)
    entry.at = at
    db.session.commit()
    return entry


@pytest.fixture
def log(admin, make_user):
    """Three acts on two days (local time, Asia/Shanghai): a role change, a certificate revoked, a command's reset."""
    person = make_user("manager", name="王小明", employee_no="M7001")
    other = make_user("manager", name="李四", employee_no="M7002")
    add(rules.ROLE_CHANGED, at=datetime(2026, 11, 2, 1, 0, tzinfo=UTC), actor=admin, target=person,
        changes=rules.describe_changes({"role": "manager"}, {"role": "supervisor"}), reason="升任网格主管")
    add(rules.CERTIFICATE_REVOKED, at=datetime(2026, 11, 3, 2, 0, tzinfo=UTC), actor=admin, target=other,
        subject="证书 ABCD2345", reason="成绩更正后不及格")
    add(rules.PASSWORD_RESET, at=datetime(2026, 11, 3, 17, 0, tzinfo=UTC), target=person)  # 11-04 01:00 local
    return person, other


def tbody(html: str) -> str:
    return html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]


def rows(html: str) -> int:
    body = tbody(html)
    return body.count("<tr>") - body.count("没有符合条件的记录")


def test_only_admins_see_the_page_in_their_menu(client, auth, admin, make_user):
    auth.login(make_user("supervisor", county=None, grid=None))
    assert client.get("/admin/audit").status_code == 403
    assert "/admin/audit" not in client.get("/").get_data(as_text=True)
    auth.logout()
    auth.login(admin)
    assert 'href="/admin/audit"' in client.get("/").get_data(as_text=True)


def test_newest_first_with_who_where_what_and_what_changed(client, auth, admin, log):
    auth.login(admin)
    html = client.get("/admin/audit").get_data(as_text=True)
    assert rows(html) == 3
    table = tbody(html)
    reset, revoked, role = (table.index(text) for text in ("重置密码", "证书撤销", "角色变更"))
    assert reset < revoked < role
    assert "2026-11-02 09:00:00" in html  # local time
    assert "命令行" in html
    assert "管理员甲" in html
    assert "A7001" in html
    assert "<del>渠道经理</del> → <ins>主管</ins>" in html  # roles by their label, never the code
    assert "升任网格主管" in html
    assert "证书 ABCD2345" in html


@pytest.mark.parametrize(("query", "expected"), [
    ({"action": "certificate.revoked"}, ["证书撤销"]),
    ({"actor": "a7001"}, ["角色变更", "证书撤销"]),
    ({"actor": "管理员"}, ["角色变更", "证书撤销"]),
    ({"actor": "命令行"}, ["重置密码"]),
    ({"target": "王小"}, ["角色变更", "重置密码"]),
    ({"target": "M7002"}, ["证书撤销"]),
    ({"start": "2026-11-03", "end": "2026-11-03"}, ["证书撤销"]),
    ({"start": "2026-11-04"}, ["重置密码"]),
    ({"q": "更正"}, ["证书撤销"]),
    ({"q": "ABCD"}, ["证书撤销"]),
    ({"q": "100%"}, []),
])
def test_filters(client, auth, admin, log, query, expected):  # noqa: PLR0917 - pytest passes fixtures by name
    auth.login(admin)
    html = client.get("/admin/audit", query_string=query).get_data(as_text=True)
    shown = [label for label in ("角色变更", "证书撤销", "重置密码") if label in tbody(html)]
    assert sorted(shown) == sorted(expected)


@pytest.mark.parametrize(("query", "message"), [
    ({"start": "2026-13-01"}, "日期应写作 年-月-日"),
    ({"start": "9999-12-31"}, "日期应在 2000 年到 2099 年之间"),
    ({"start": "2026-11-05", "end": "2026-11-01"}, "截止日期不能早于起始日期"),
    ({"action": "person.nonsense"}, "没有这种操作，请从列表中选择"),
    ({"page": "99999999999999999999"}, None),
])
def test_bad_filters_are_named_never_a_server_error(client, auth, admin, log, query, message):  # noqa: PLR0917 - pytest fixtures
    auth.login(admin)
    response = client.get("/admin/audit", query_string=query)
    if message is None:
        assert response.status_code == 400
        return
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert message in html
    assert "<tbody>" not in html


def test_pages_of_fifty_keep_the_filter(client, auth, admin, make_user):
    person = make_user("manager")
    for n in range(55):
        add(rules.PASSWORD_RESET, at=datetime(2026, 11, 1, 0, n, tzinfo=UTC), actor=admin, target=person)
    auth.login(admin)
    html = client.get("/admin/audit?action=password.reset").get_data(as_text=True)
    assert rows(html) == 50
    assert "/admin/audit?page=2&amp;action=password.reset" in html
    assert rows(client.get("/admin/audit?action=password.reset&page=2").get_data(as_text=True)) == 5


def test_the_export_holds_the_filtered_entries_and_is_recorded(client, auth, admin, log):
    auth.login(admin)
    response = client.get("/admin/audit/export.csv?actor=A7001")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment; filename=audit-log-")
    table = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert table[0][:3] == ["编号", "时间", "操作人"]
    assert [row[5] for row in table[1:]] == ["证书撤销", "角色变更"]
    assert "角色：渠道经理 → 主管" in table[2][10]
    exported = db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == rules.PERSONAL_DATA_EXPORTED)).all()
    assert len(exported) == 1
    assert exported[0].actor_id == admin.id
    assert exported[0].changes == {"what": "audit_log", "format": "csv", "rows": 2, "filters": {"actor": "A7001"}}
    assert exported[0].address


def test_the_xlsx_export_opens(client, auth, admin, log):
    import openpyxl

    auth.login(admin)
    response = client.get("/admin/audit/export.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    assert sheet.max_row == 4
    assert sheet["F2"].value == "重置密码"


def test_an_export_with_a_bad_filter_exports_nothing(client, auth, admin, log):
    auth.login(admin)
    response = client.get("/admin/audit/export.xlsx?end=yesterday")
    assert response.status_code == 422
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == rules.PERSONAL_DATA_EXPORTED)) is None


def test_every_label_the_page_translates_is_in_the_catalogue():
    """Labels of actions, fields, values and exports are shown through ``_()``: views.RULE_LABELS names them for
    the catalogue (and tests/core/test_i18n.py checks the catalogue has English for each)."""
    named = {str(label) for label in RULE_LABELS}
    shown = set(rules.ACTION_LABELS.values()) | set(rules.FIELD_LABELS.values()) | set(rules.EXPORT_LABELS.values())
    shown |= set(rules.ACTOR_LABELS.values()) | set(rules.YES_NO.values())
    for field, labels in rules.VALUE_LABELS.items():
        if field not in ("role", "kind", "system"):  # listed by accounts and assessment, checked by test_i18n
            shown |= set(labels.values())
    assert sorted(shown - named) == []


def test_the_english_page_speaks_english(client, auth, admin, log):
    auth.login(admin)
    html = client.get("/admin/audit?lang=en").get_data(as_text=True)
    assert "Role changed" in html
    assert "<del>Channel manager</del> → <ins>Supervisor</ins>" in html
    assert "Command line" in html


def test_an_export_beyond_the_limit_asks_for_a_narrower_search(client, auth, admin, log, monkeypatch):
    from lms.audit import queries

    monkeypatch.setattr(queries, "EXPORT_LIMIT", 2)
    auth.login(admin)
    response = client.get("/admin/audit/export.csv")
    assert response.status_code == 422
    assert "找到 3 条记录，一次最多导出 2 条" in response.get_data(as_text=True)
    assert client.get("/admin/audit/export.csv?actor=A7001").status_code == 200


def test_wildcards_typed_into_a_number_are_plain_characters(client, auth, admin, log):
    auth.login(admin)
    assert rows(client.get("/admin/audit?actor=A%25").get_data(as_text=True)) == 0
    assert rows(client.get("/admin/audit?target=M700_").get_data(as_text=True)) == 0


def test_the_command_line_is_found_in_the_readers_words(client, auth, admin, log):
    auth.login(admin)
    html = client.get("/admin/audit?lang=en&actor=command+line").get_data(as_text=True)
    assert rows(html) == 1
    assert "Password reset" in tbody(html)
    assert rows(client.get("/admin/audit?actor=cli").get_data(as_text=True)) == 1
