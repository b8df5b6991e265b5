"""The demo organisation and people: fixed, so every run produces the same accounts."""

from __future__ import annotations

from dataclasses import dataclass

DEMO_PASSWORD = "Demo@2026"  # noqa: S105 - the published demo password, printed by `make run`

COUNTIES: dict[str, list[str]] = {
    "城区分公司": ["东城网格", "西城网格", "南湖网格"],
    "临江县分公司": ["临江镇营业部", "白沙乡营业部"],
    "青山区分公司": ["青山网格", "石桥镇营业部", "新河网格"],
}

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
GIVEN = ["伟", "芳", "娜", "敏", "静", "磊", "强", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀英",
         "华", "丽", "平", "刚", "桂英", "建华", "晓东", "海燕", "志强", "雪梅", "国庆", "春梅", "文博", "子涵",
         "浩然", "欣怡", "宇航", "思远", "佳怡", "俊杰", "婷婷", "鹏飞", "晨曦", "一鸣", "嘉豪", "梦琪", "天宇"]


@dataclass(frozen=True)
class DemoPerson:
    employee_no: str
    name: str
    role: str
    county: str | None
    grid: str | None
    phone: str | None


def demo_people() -> list[DemoPerson]:
    people = [
        DemoPerson("A0001", "系统管理员", "admin", None, None, None),
        DemoPerson("T0001", "孙丽华", "trainer", None, None, "13900000101"),
        DemoPerson("T0002", "郑文斌", "trainer", None, None, "13900000102"),
        DemoPerson("S0001", "周建国", "supervisor", None, None, "13900000001"),
    ]
    number = 0
    for county_index, (county, grids) in enumerate(COUNTIES.items(), 1):
        people.append(DemoPerson(f"S{county_index}000", _name(100 + county_index), "supervisor", county, None,
                                 f"1390000{county_index:04d}"))
        for grid_index, grid in enumerate(grids, 1):
            people.append(DemoPerson(f"S{county_index}{grid_index}00", _name(200 + county_index * 10 + grid_index),
                                     "supervisor", county, grid, None))
            for _ in range(5):
                number += 1
                people.append(DemoPerson(f"M{1000 + number}", _name(number), "manager", county, grid,
                                         f"138{number:08d}"))
    return people


def _name(seed: int) -> str:
    surname = SURNAMES[(seed * 7) % len(SURNAMES)]
    given = GIVEN[(seed * 11) % len(GIVEN)]
    return surname + given
