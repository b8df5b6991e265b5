from __future__ import annotations

import io
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


def test_admin_uploads_roster_in_the_browser(client, auth, make_user):
    auth.login(make_user("admin"))
    response = post_form(client, "/admin/users",
                         {"file": (io.BytesIO(GOOD_CSV.encode()), "roster.csv")},
                         content_type="multipart/form-data", follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "导入完成：新增 5 人" in html
    assert "王伟" in html


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
