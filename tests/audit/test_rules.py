"""How an audit entry's changes read: field labels, old → new, stored codes shown by their labels, times local."""

from __future__ import annotations

from lms.audit.rules import ChangeLine, change_lines, describe_changes


def test_a_role_change_reads_by_label():
    assert change_lines(describe_changes({"role": "manager"}, {"role": "admin"})) == [
        ChangeLine("角色", "管理员", "渠道经理", translate=True, translate_old=True)]


def test_empty_values_and_data_are_shown_as_stored():
    assert change_lines({"grid": [None, "东城网格"]}) == [ChangeLine("网格", "东城网格", "—")]


def test_status_decisions_and_ledger_kinds_are_labels_never_codes():
    lines = change_lines({"active": [True, False], "decision": [None, "rejected"], "kind": "cash_penalty"})
    assert [(line.field, line.old, line.new) for line in lines] == [
        ("状态", "在职", "停用"), ("决定", "—", "已驳回"), ("类型", None, "现金处罚")]
    assert [line.translate for line in lines] == [True, True, True]


def test_facts_of_an_export_one_line_each_filters_included():
    lines = change_lines({"what": "audit_log", "format": "csv", "rows": 12,
                          "filters": {"action": "person.role_changed", "actor": "A0001"}})
    assert [(line.field, line.new, line.is_change) for line in lines] == [
        ("内容", "审计日志", False), ("格式", "csv", False), ("行数", "12", False), ("操作类型", "角色变更", False),
        ("操作人", "A0001", False)]


def test_a_stored_moment_reads_in_local_time_and_unknown_keys_as_stored():
    assert change_lines({"signed_in_at": ["2026-11-02T01:00:00+00:00", None]}) == [
        ChangeLine("登录时间", "—", "2026-11-02 09:00")]
    assert change_lines({"widget": 3.0}) == [ChangeLine("widget", "3")]
    assert change_lines(None) == []


def test_the_rules_import_no_framework():
    import ast
    from pathlib import Path

    import lms.audit.rules

    tree = ast.parse(Path(lms.audit.rules.__file__).read_text(encoding="utf-8"))
    imported = {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    imported |= {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    assert not {name for name in imported if name.split(".")[0] in ("flask", "sqlalchemy", "flask_babel")}
    assert {name for name in imported if name.startswith("lms.")} <= {
        "lms.accounts.rules", "lms.assessment.rules", "lms.assessment.appeal_rules", "lms.core.clock", "lms.quizzes",
        "lms.quizzes.question_types", "lms.field.rules", "lms.outreach.session_rules"}


def test_a_quiz_s_kind_and_status_and_a_question_s_type_read_as_words():
    lines = change_lines({"kind": "monthly", "status": "published", "type": "truefalse"})
    assert [(line.new, line.translate) for line in lines] == [("月度考试", True), ("已发布", True), ("判断题", True)]
