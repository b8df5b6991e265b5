from __future__ import annotations

import io
import re
import zipfile

import openpyxl
import pytest
from sqlalchemy import func, select

from lms.accounts.models import User
from lms.extensions import db
from lms.org.models import Unit
from tests.support.web import post_form

GOOD_CSV = (
    "employee_no,name,role,county,grid,phone\n"
    "M1001,王伟,manager,城区,东城网格,13800000001\n"
    "M1002,李娜,manager,城区,西城网格,\n"
    "S2001,刘洋,supervisor,城区,,13900000002\n"
    "S2002,陈静,supervisor,,,\n"
    "T3001,赵敏,trainer,,,\n"
)


def write(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return path


def xlsx_bytes(rows):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def people():
    return {u.employee_no: u for u in db.session.scalars(select(User))}


def test_good_csv_creates_people_units_and_scopes(runner, tmp_path):
    result = runner.invoke(args=["users", "import", str(write(tmp_path, "roster.csv", GOOD_CSV))])
    assert result.exit_code == 0, result.output
    assert "5 rows, 5 created, 0 updated" in result.output
    found = people()
    assert found["M1001"].county.name == "城区"
    assert found["M1001"].grid.name == "东城网格"
    assert found["M1001"].grid.parent_id == found["M1001"].county_id
    assert found["S2001"].scope.kind == "county"
    assert found["S2002"].scope.kind == "all"
    assert found["M1002"].phone is None


def test_chinese_headers_and_bom_and_role_names(runner, tmp_path):
    content = ("\ufeff工号,姓名,角色,县区,网格,手机\n"
               "M1,张三,渠道经理,城区,东城网格,13800000000\nS1,李四,主管,城区,东城网格,\n")
    result = runner.invoke(args=["users", "import", str(write(tmp_path, "名单.csv", content))])
    assert result.exit_code == 0, result.output
    found = people()
    assert found["M1"].role == "manager"
    assert found["S1"].scope.kind == "grid"


def test_xlsx_roster_with_numeric_phone_cells(runner, tmp_path):
    data = xlsx_bytes([["工号", "姓名", "角色", "县区", "网格", "手机"],
                       ["M7", "周杰", "manager", "郊县", "一号网格", 13812345678]])
    result = runner.invoke(args=["users", "import", str(write(tmp_path, "roster.xlsx", data))])
    assert result.exit_code == 0, result.output
    assert people()["M7"].phone == "13812345678"


def test_bad_rows_are_each_reported_and_nothing_is_imported(runner, tmp_path):
    content = (
        "employee_no,name,role,county,grid,phone\n"
        "M1,王伟,manager,城区,东城网格,13800000001\n"
        "M2,,manager,城区,东城网格,\n"
        "M1,重复,manager,城区,东城网格,\n"
        "M4,李四,boss,城区,东城网格,\n"
        "M5,赵六,manager,,,\n"
        "M6,钱七,manager,城区,东城网格,12345\n"
    )
    result = runner.invoke(args=["users", "import", str(write(tmp_path, "bad.csv", content))])
    assert result.exit_code != 0
    for expected in ["第3行", "姓名", "第4行", "与第2行重复", "第5行", "角色“boss”", "第6行", "县区和网格",
                     "第7行", "手机号“12345”"]:
        assert expected in result.output
    assert "第2行" not in result.output.replace("与第2行重复", "")
    assert db.session.scalar(select(func.count()).select_from(User)) == 0
    assert db.session.scalar(select(func.count()).select_from(Unit)) == 0


def test_reimport_updates_by_employee_number(runner, tmp_path):
    runner.invoke(args=["users", "import", str(write(tmp_path, "a.csv", GOOD_CSV))])
    moved = "employee_no,name,role,county,grid,phone\nM1001,王伟,manager,郊县,南山网格,13800000009\n"
    result = runner.invoke(args=["users", "import", str(write(tmp_path, "b.csv", moved))])
    assert "0 created, 1 updated" in result.output
    person = people()["M1001"]
    assert (person.county.name, person.grid.name, person.phone) == ("郊县", "南山网格", "13800000009")
    assert db.session.scalar(select(func.count()).select_from(User)) == 5


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("corrupt.xlsx", b"PK\x03\x04 this is not really a workbook", "不是有效的 Excel"),
        ("random.xlsx", b"\x00\x01\x02" * 100, "不是有效的 Excel"),
        ("roster.pdf", b"%PDF-1.4", "只支持 .xlsx 或 .csv"),
        ("latin1.csv", "employee_no,name,role\nM1,Jos\xe9,manager\n".encode("latin-1"), "UTF-8"),
        ("empty.csv", b"", "文件为空"),
        ("header.csv", b"employee_no,name\n", "缺少必需列“role”"),
        ("unknown.csv", b"employee_no,name,role,salary\n", "未知列“salary”"),
    ],
)
def test_unusable_files_are_refused_with_a_message_not_a_traceback(runner, tmp_path, name, content, message):
    result = runner.invoke(args=["users", "import", str(write(tmp_path, name, content))])
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output


def test_zip_bomb_workbook_is_refused_before_parsing(runner, tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (80 * 1024 * 1024))
    result = runner.invoke(args=["users", "import", str(write(tmp_path, "bomb.xlsx", buffer.getvalue()))])
    assert result.exit_code != 0
    assert "已拒绝" in result.output


def test_size_limit(app, runner, tmp_path):
    app.config["LMS_UPLOAD_MAX_BYTES"] = 100
    result = runner.invoke(args=["users", "import", str(write(tmp_path, "big.csv", GOOD_CSV))])
    assert result.exit_code != 0
    assert "文件大小超过上限" in result.output


def upload(client, content, name="roster.csv", *, full=False):
    """Upload a roster from /admin/users; returns the preview page's response (after the redirect)."""
    data = {"file": (io.BytesIO(content.encode() if isinstance(content, str) else content), name)}
    if full:
        data["deactivate_missing"] = "y"
    return post_form(client, "/admin/users", data, content_type="multipart/form-data", follow_redirects=True)


def digest_of(html):
    return re.search(r'name="digest" type="hidden" value="([0-9a-f]+)"|id="digest" name="digest" '
                     r'type="hidden" value="([0-9a-f]+)"', html).group(0).rsplit('"', 2)[-2]


def confirm(client, response, **extra):
    """Press 确认导入 on the preview ``response`` shows."""
    html = response.get_data(as_text=True)
    url = response.request.path
    return post_form(client, url, {"digest": digest_of(html), "action": "confirm", **extra},
                     token_from="/admin/users", follow_redirects=True)


def audit_actions():
    from lms.audit.models import AuditEntry

    return [(e.action, e.subject) for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))]


def test_admin_upload_shows_a_preview_and_writes_only_when_confirmed(client, auth, make_user):
    auth.login(make_user("admin"))
    preview = upload(client, GOOD_CSV)
    html = preview.get_data(as_text=True)
    assert preview.request.path.startswith("/admin/users/import/")
    assert "核对名单" in html
    assert "新增 5 人" in html
    assert "王伟" in html
    assert set(people()) == {next(iter(people()))}  # only the admin: nothing written yet
    done = confirm(client, preview).get_data(as_text=True)
    assert "导入完成：新增 5 人，更新 0 人，停用 0 人" in done
    assert people()["M1001"].grid.name == "东城网格"
    twice = confirm(client, preview)  # the button pressed again, or in a second tab
    assert "这份名单已经导入或已取消" in twice.get_data(as_text=True)
    assert len(people()) == 6


def test_preview_shows_each_change_old_and_new(client, auth, make_user):
    auth.login(make_user("admin"))
    confirm(client, upload(client, GOOD_CSV))
    moved = "employee_no,name,role,county,grid,phone\nM1001,王伟伟,supervisor,郊县,南山网格,13800000009\n"
    preview = upload(client, moved, "b.csv")
    html = preview.get_data(as_text=True)
    for text in ["变更 1 人", "王伟 → ", "王伟伟", "渠道经理", "主管", "城区 / 东城网格", "郊县 / 南山网格",
                 "13800000001", "13800000009", "不变 0 人"]:
        assert text in html, text
    assert people()["M1001"].name == "王伟"
    confirm(client, preview)
    person = people()["M1001"]
    assert (person.name, person.role, person.grid.name, person.phone) == ("王伟伟", "supervisor", "南山网格",
                                                                           "13800000009")


def test_the_issues_row_demoting_the_importing_admin_is_refused(client, auth, make_user):
    """Finding 2: one row `A0001,改名,manager,…` uploaded by admin A0001 demoted that admin."""
    admin = make_user("admin", employee_no="A0001", name="管理员")
    make_user("admin", employee_no="A0002")
    auth.login(admin)
    preview = upload(client, "工号,姓名,角色,县区,网格\nA0001,改名,manager,城区,东城网格\n")
    html = preview.get_data(as_text=True)
    assert "不能通过名单修改自己的角色" in html
    confirm(client, preview, confirm_admin="y")
    db.session.expire_all()
    assert (people()["A0001"].role, people()["A0001"].name) == ("admin", "管理员")
    assert client.get("/admin/users").status_code == 200


def test_admin_rows_need_the_admin_box_and_the_rest_is_written(client, auth, make_user):
    auth.login(make_user("admin"))
    content = ("工号,姓名,角色,县区,网格\nA0009,新管理员,admin,,\nM1,张三,manager,城区,东城网格\n")
    preview = upload(client, content)
    html = preview.get_data(as_text=True)
    assert "会授予或收回管理员权限" in html
    assert "A0009 新管理员" in html
    done = confirm(client, preview).get_data(as_text=True)
    assert "新增 1 人" in done
    assert "A0009 新管理员：涉及管理员权限，需另行勾选确认" in done
    assert set(people()) >= {"M1"}
    assert "A0009" not in people()
    confirm(client, upload(client, content), confirm_admin="y")
    assert people()["A0009"].role == "admin"
    assert ("person.created", "A0009") in audit_actions()


def test_every_change_and_the_import_are_in_the_audit_log(client, auth, make_user):
    from lms.audit.models import AuditEntry

    auth.login(make_user("admin"))
    confirm(client, upload(client, GOOD_CSV))
    moved = "employee_no,name,role,county,grid,phone\nM1001,王伟伟,supervisor,郊县,,\n"
    confirm(client, upload(client, moved, "moved.csv"))
    actions = audit_actions()
    assert actions.count(("person.created", "M1001")) == 1
    for action in ("person.role_changed", "person.unit_changed", "person.name_changed"):
        assert (action, "M1001") in actions
    imports = list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == "roster.imported")))
    assert [e.subject for e in imports] == ["roster.csv", "moved.csv"]
    assert imports[1].changes == {"file": "moved.csv", "rows": 1, "created": 0, "updated": 1, "deactivated": 0,
                                  "refused": 0}
    role = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "person.role_changed"))
    assert role.changes == {"role": ["manager", "supervisor"]}
    assert role.actor_label != "cli"


def test_a_full_roster_deactivates_missing_managers_and_signs_them_out(app, client, auth, make_user):
    leaver = make_user("manager", employee_no="M0999")
    trainer = make_user("trainer")
    their_client = app.test_client()
    post_form(their_client, "/login", {"employee_no": leaver.employee_no, "password": "correct-horse-9"})
    assert their_client.get("/").status_code == 200
    auth.login(make_user("admin"))
    kept = "employee_no,name,role,county,grid\nM1,张三,manager,城区,东城网格\n"
    partial = upload(client, kept).get_data(as_text=True)
    assert "停用 0 人" in partial
    preview = upload(client, kept, full=True)
    html = preview.get_data(as_text=True)
    assert "停用 1 人" in html
    assert "M0999" in html
    confirm(client, preview)
    found = people()
    assert not found["M0999"].active
    assert found[trainer.employee_no].active  # a full roster is of channel managers only
    assert their_client.get("/").status_code == 302
    assert ("person.deactivated", "M0999") in audit_actions()


def test_confirming_an_outdated_preview_shows_the_new_one(client, auth, make_user):
    auth.login(make_user("admin"))
    preview = upload(client, GOOD_CSV)
    make_user("manager", employee_no="M1001", name="已有的人")  # someone else adds M1001 meanwhile
    again = confirm(client, preview)
    html = again.get_data(as_text=True)
    assert again.status_code == 409
    assert "人员数据已有变化" in html
    assert "新增 4 人" in html
    assert "变更 1 人" in html
    assert people()["M1001"].name == "已有的人"
    confirm(client, again)
    assert people()["M1001"].name == "王伟"


def test_a_preview_is_the_uploaders_alone_and_expires(app, client, auth, make_user):
    from datetime import timedelta

    from lms.accounts.roster_uploads import RosterUpload

    auth.login(make_user("admin"))
    preview = upload(client, GOOD_CSV)
    url = preview.request.path
    other = app.test_client()
    post_form(other, "/login", {"employee_no": make_user("admin").employee_no, "password": "correct-horse-9"})
    assert other.get(url).status_code == 404
    assert other.get("/admin/users/import/nonsense").status_code == 404
    pending = db.session.scalar(select(RosterUpload))
    pending.created_at -= timedelta(minutes=31)
    db.session.commit()
    expired = confirm(client, preview)
    assert "预览已过期" in expired.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(RosterUpload)) == 0
    assert len(people()) == 2


def test_cancel_drops_the_upload(client, auth, make_user):
    from lms.accounts.roster_uploads import RosterUpload

    auth.login(make_user("admin"))
    preview = upload(client, GOOD_CSV)
    html = preview.get_data(as_text=True)
    response = post_form(client, preview.request.path, {"digest": digest_of(html), "action": "cancel"},
                         follow_redirects=True)
    assert "已取消" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(RosterUpload)) == 0
    assert client.get(preview.request.path).status_code == 404


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("empty.csv", b"", "文件为空"),
        ("dup.csv", "employee_no,name,role\nT1,甲,trainer\nT1,乙,trainer\n".encode(), "与第2行重复"),
        ("broken.xlsx", b"PK\x03\x04 not a workbook", "不是有效的 Excel"),
        ("header-only.csv", b"employee_no,name,role\n", "没有数据行"),
        ("bad.csv", b"\xff\xfe\x00garbage", "UTF-8"),
    ],
)
def test_unusable_uploads_name_the_problem_and_write_nothing(client, auth, make_user, name, content, expected):  # noqa: PLR0917 - pytest passes fixtures and parameters by name
    from lms.accounts.roster_uploads import RosterUpload

    auth.login(make_user("admin"))
    response = upload(client, content, name)
    assert response.status_code == 200
    assert expected in response.get_data(as_text=True)
    assert response.request.path == "/admin/users"
    assert db.session.scalar(select(func.count()).select_from(RosterUpload)) == 0
    assert len(people()) == 1


def test_cli_dry_run_prints_the_preview_and_writes_nothing(runner, tmp_path, make_user):
    make_user("manager", employee_no="M1001", name="王伟")
    result = runner.invoke(args=["users", "import", "--dry-run", str(write(tmp_path, "roster.csv", GOOD_CSV))])
    assert result.exit_code == 0, result.output
    assert "+ row 3 M1002 李娜 渠道经理 城区 / 西城网格" in result.output
    assert "~ row 2 M1001 王伟: phone: — -> 13800000001" in result.output
    assert "dry run, nothing written: roster.csv: 5 rows, 4 created, 1 updated" in result.output
    assert set(people()) == {"M1001"}


def test_cli_never_demotes_or_deactivates_the_last_admin(runner, tmp_path, make_user):
    make_user("admin", employee_no="A0001")
    make_user("manager", employee_no="M0001")
    content = "employee_no,name,role,county,grid\nA0001,管理员,manager,城区,东城网格\nM2,新人,manager,城区,东城网格\n"
    result = runner.invoke(args=["users", "import", str(write(tmp_path, "r.csv", content))])
    assert result.exit_code == 0, result.output
    assert "! row 2 A0001 管理员: refused, 不能降级或停用最后一位在职管理员" in result.output
    assert "1 created, 0 updated, 0 deactivated, 0 unchanged, 1 refused" in result.output
    found = people()
    assert found["A0001"].role == "admin"
    assert "M2" in found
    full = runner.invoke(args=["users", "import", "--deactivate-missing", str(write(tmp_path, "f.csv", content))])
    assert "- M0001" in full.output
    db.session.expire_all()
    assert not people()["M0001"].active
    assert people()["A0001"].active


def test_admin_upload_lists_every_bad_row(client, auth, make_user):
    auth.login(make_user("admin"))
    bad = "工号,姓名,角色,县区,网格\nM1,,manager,城区,东城网格\nM2,张三,x,城区,东城网格\n"
    response = post_form(client, "/admin/users", {"file": (io.BytesIO(bad.encode()), "bad.csv")},
                         content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert "第2行" in html
    assert "第3行" in html
    assert "未导入任何数据" in html


def test_only_admins_may_upload(client, auth, make_user):
    auth.login(make_user("supervisor"))
    response = post_form(client, "/admin/users", {"file": (io.BytesIO(GOOD_CSV.encode()), "r.csv")},
                         token_from="/", content_type="multipart/form-data")
    assert response.status_code == 403


def test_names_in_the_preview_are_text_not_markup(client, auth, make_user):
    auth.login(make_user("admin"))
    content = 'employee_no,name,role\nT1,"<script>alert(1)</script>",trainer\nT2,=HYPERLINK("x"),trainer\n'
    html = upload(client, content).get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
