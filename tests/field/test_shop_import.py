"""Importing shops from a spreadsheet: previewed, every bad row named with nothing written, re-import updates by
code with history, and the command line."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from lms.audit.models import AuditEntry
from lms.core.errors import ValidationFailed
from lms.extensions import db
from lms.field import shops
from lms.field.models import Shop, ShopHistory

LIMITS = {"max_rows": 1000, "max_bytes": 1 << 20}
HEADER_CN = "渠道编码,渠道名称,类型,星级,地址,纬度,经度,县区,网格,负责人工号"
HEADER_EN = "code,name,kind,star,address,latitude,longitude,county,grid,manager_employee_no"


@pytest.fixture
def people(make_user, make_unit):
    make_unit("城区", "西城网格")
    return {"admin": make_user("admin"),
            "m1": make_user("manager", employee_no="M0001"),
            "m2": make_user("manager", employee_no="M0002"),
            "trainer": make_user("trainer", employee_no="T0009")}


def csv(*rows, header=HEADER_CN):
    return ("\ufeff" + "\n".join([header, *rows]) + "\n").encode()


GOOD = ("QD1,东城卖场,终端,4,东城路1号,30.27,120.15,城区,东城网格,M0001",
        "QD2,西湖村服务点,村级,2,西湖村,,,城区,东城网格,M0002",
        "QD3,业务点,business,3,,,,,,")


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_preview_lists_what_would_be_added_and_writes_nothing(people):
    preview = shops.upload_shops(csv(*GOOD), "shops.csv", uploader=people["admin"], **LIMITS)
    assert [a.code for a in preview.diff.additions] == ["QD1", "QD2", "QD3"]
    assert preview.diff.additions[0].values.kind == "terminal"
    assert preview.diff.additions[1].values.latitude is None
    assert count(Shop) == 0
    report = shops.confirm_upload(preview.token, actor=people["admin"], digest=preview.digest, **LIMITS)
    assert (report.created, report.updated) == (3, 0)
    shop = db.session.scalar(select(Shop).where(Shop.code == "QD1"))
    assert (shop.star, shop.manager.employee_no, shop.grid.name, shop.latitude) == (4, "M0001", "东城网格", 30.27)
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "shops.imported")).changes["created"] == 3


def test_english_headers_and_an_xlsx_file_work_alike(people):
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER_EN.split(","))
    sheet.append(["QD7", "数码店", "terminal", 5, "", 30.2, 120.1, "城区", "西城网格", "M0002"])
    data = io.BytesIO()
    book.save(data)
    preview = shops.upload_shops(data.getvalue(), "shops.xlsx", uploader=people["admin"], **LIMITS)
    assert [(a.code, a.values.star, a.values.grid) for a in preview.diff.additions] == [("QD7", 5, "西城网格")]


def test_every_bad_row_is_named_and_nothing_is_written(people):
    rows = (*GOOD,
            "QD4,坏类型,超市,4,,,,,,",
            "QD5,坏星级,终端,6,,,,,,",
            "QD6,坏坐标,终端,3,,91,120,,,",
            "QD1,重复,终端,3,,,,,,",
            "QD8,不存在的网格,终端,3,,,,城区,北城网格,",
            "QD9,不是经理,终端,3,,,,,,T0009")
    with pytest.raises(ValidationFailed) as refused:
        shops.upload_shops(csv(*rows), "shops.csv", uploader=people["admin"], **LIMITS)
    problems = refused.value.problems
    assert [p.split("：")[0] for p in problems] == ["第5行", "第6行", "第7行", "第8行", "第9行", "第10行"]
    assert "类型“超市”无效" in problems[0]
    assert "星级“6”无效" in problems[1]
    assert "坐标" in problems[2]
    assert "与第2行重复" in problems[3]
    assert "网格“城区 / 北城网格”不存在" in problems[4]
    assert "T0009" in problems[5]
    assert "shops.csv" in refused.value.message
    assert count(Shop) == 0


def test_a_bad_header_is_named(people):
    with pytest.raises(ValidationFailed) as refused:
        shops.upload_shops(csv("QD1,店", header="渠道编码,名字"), "shops.csv", uploader=people["admin"], **LIMITS)
    assert refused.value.problems == ["第1行（表头）：未知列“名字”", "第1行（表头）：缺少必需列“name”",
                                      "第1行（表头）：缺少必需列“kind”", "第1行（表头）：缺少必需列“star”"]


def test_reimport_updates_by_code_with_history_and_reopens_a_closed_shop(people):
    shops.import_shops(csv(*GOOD), "first.csv", **LIMITS)
    qd2 = db.session.scalar(select(Shop).where(Shop.code == "QD2"))
    shops.set_shop_active(qd2.id, False, actor=people["admin"])
    second = csv("QD1,东城卖场,终端,5,东城路1号,30.27,120.15,城区,东城网格,M0002",
                 "QD2,西湖村服务点,村级,2,西湖村,,,城区,东城网格,M0002",
                 "QD3,业务点,business,3,,,,,,")
    preview = shops.upload_shops(second, "second.csv", uploader=people["admin"], **LIMITS)
    assert preview.diff.unchanged == 1
    changes = {c.code: {f.field: (f.before, f.after) for f in c.changes} for c in preview.diff.changes}
    assert changes == {"QD1": {"star": ("4", "5"), "manager": ("M0001", "M0002")}, "QD2": {"active": (False, True)}}
    shops.confirm_upload(preview.token, actor=people["admin"], digest=preview.digest, **LIMITS)
    qd1 = db.session.scalar(select(Shop).where(Shop.code == "QD1"))
    latest = [(h.field, h.old, h.new) for h in db.session.scalars(
        select(ShopHistory).where(ShopHistory.shop_id == qd1.id).order_by(ShopHistory.id))][-2:]
    assert latest[0] == ("star", "4", "5")
    assert latest[1][0] == "manager"
    assert latest[1][2].startswith("M0002")
    assert db.session.get(Shop, qd2.id).active


def test_a_confirmation_of_an_outdated_preview_is_refused(people):
    shops.import_shops(csv(*GOOD), "first.csv", **LIMITS)
    preview = shops.upload_shops(csv("QD1,东城卖场,终端,5,,,,,,"), "second.csv", uploader=people["admin"], **LIMITS)
    shop = db.session.scalar(select(Shop).where(Shop.code == "QD1"))
    shops.edit_shop(shop.id, shops.ShopFields(name="改过", kind="terminal", star=4), actor=people["admin"])
    with pytest.raises(shops.PreviewOutdated):
        shops.confirm_upload(preview.token, actor=people["admin"], digest=preview.digest, **LIMITS)


def test_only_an_admin_uploads(people):
    with pytest.raises(Exception, match="管理员"):
        shops.upload_shops(csv(*GOOD), "shops.csv", uploader=people["m1"], **LIMITS)


def test_the_command_imports_and_a_dry_run_writes_nothing(runner, people, tmp_path):
    path = tmp_path / "shops.csv"
    path.write_bytes(csv(*GOOD))
    dry = runner.invoke(args=["field", "shops-import", str(path), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "dry run, nothing written" in dry.output
    assert count(Shop) == 0
    done = runner.invoke(args=["field", "shops-import", str(path)])
    assert done.exit_code == 0, done.output
    assert "3 created" in done.output
    assert count(Shop) == 3
    path.write_bytes(csv("QD1,店,超市,4,,,,,,"))
    bad = runner.invoke(args=["field", "shops-import", str(path)])
    assert bad.exit_code != 0
    assert "第2行" in bad.output
