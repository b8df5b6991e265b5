"""The administrator's audit log: search it (a GET form, newest first, paginated) and download what was found."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, make_response, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from lms.accounts.access import roles_required
from lms.audit import export, queries, rules
from lms.audit import services as audit
from lms.audit.forms import AuditSearchForm
from lms.core.clock import to_local, utcnow
from lms.core.errors import ValidationFailed
from lms.core.numbers import page_number
from lms.extensions import db

bp = Blueprint("audit", __name__)

PER_PAGE = 50

# Labels that audit/rules.py keeps in Chinese and the page translates where it shows them (``_(line.field)``):
# naming them here puts them in the English catalogue. tests/audit/test_admin_page.py fails when one is missing.
RULE_LABELS = (
    _l("考核规则新版本"), _l("生效月份"), _l("不处理"), _l("县区内排名"), _l("全市排名"),  # policy versions
    _l("允许县区自定过程指标权重（县区自主考核）"), _l("各县区过程指标权重"),
    _l("首次不及格的处理"), _l("连续不及格现金处罚（元）"), _l("缺考按不及格计"),
    _l("补考通过计入本月结果"), _l("系统操作不会用扣分"), _l("黄牌人数（排名末位）"),
    _l("奖励人数（排名前列）"), _l("一季度几张黄牌进入重点提升"), _l("排名范围"),
    _l("窗口开放后入职的人员也参加当月考试"), _l("通报批评"),
    # quiz status, question type
    _l("草稿"), _l("已发布"), _l("单选题"), _l("多选题"), _l("判断题"), _l("填空题"), _l("数值题"),
    _l("新增人员"), _l("角色变更"), _l("单位变更"), _l("姓名变更"), _l("停用人员"), _l("启用人员"), _l("重置密码"),
    _l("修改密码"), _l("结束登录会话"), _l("导入花名册"), _l("创建 API 令牌"), _l("吊销 API 令牌"), _l("修改设置"),
    _l("台账冲销"), _l("岗位调整决定"), _l("发布通报"), _l("证书撤销"), _l("导出个人数据"), _l("角色"), _l("姓名"),
    _l("县区"), _l("网格"), _l("单位"), _l("手机"), _l("状态"), _l("须改密码"), _l("决定"), _l("考核周期"), _l("类型"),
    _l("金额（元）"), _l("分数"), _l("记录编号"), _l("内容"), _l("格式"), _l("筛选条件"), _l("行数"), _l("文件"),
    _l("新增"), _l("更新"), _l("停用"), _l("权限范围"), _l("到期时间"), _l("会话数"), _l("编号"), _l("在职"),
    _l("已确认"), _l("已驳回"), _l("是"), _l("否"), _l("考核结果与台账"), _l("考核通报"), _l("考核看板"),
    _l("考核期报表"), _l("个人考核档案"), _l("点对点培训建议"), _l("证书批量下载"), _l("审计日志"), _l("命令行"),
    _l("系统"), _l("操作类型"), _l("操作人"), _l("对象人员"), _l("起始日期"), _l("截止日期"), _l("关键词"),
    _l("未接受"), _l("登录时间"), _l("月度结账"), _l("执行力扣分登记"), _l("考核指标导入"), _l("考试数"),
    _l("考核结果数"), _l("台账记录数"), _l("在浏览器中接管课程"),
    _l("考核结果数"), _l("台账记录数"), _l("发布培训包"), _l("修改已发布的培训包"), _l("课程"), _l("考试"), _l("标题"),
    _l("已再次通知"), _l("题型"), _l("题干"), _l("选项"), _l("正确答案"), _l("判断题答案"), _l("可接受的答案"),
    _l("解析"), _l("标签"), _l("难度"), _l("关联课程"), _l("题目名称"), _l("其他属性"), _l("加上此标签的题目"),
    _l("去掉此标签的题目"),
    _l("考核结果数"), _l("台账记录数"),
    _l("导入题目"), _l("新题"), _l("未变"), _l("跳过"), _l("图片"),
    _l("新建题库"), _l("新增题目"), _l("修改题目"), _l("停用题目"), _l("恢复题目"), _l("批量修改题目标签"),
    _l("新建考试"), _l("修改考试"), _l("发布考试"), _l("接管文件考试"), _l("标题"), _l("版本"),
    _l("手机号变更"), _l("新增单位"), _l("单位改名"), _l("网格调整所属县区"), _l("停用单位"), _l("启用单位"),
    _l("单位名称"), _l("层级"), _l("人数"), _l("市公司"), _l("使用状态"), _l("在用"),
    _l("提出申诉"), _l("填写申诉意见"), _l("申诉成立"), _l("驳回申诉"), _l("申诉编号"), _l("附件"), _l("申诉状态"),
    _l("冲销记录编号"), _l("待处理"), _l("申诉驳回"),
    _l("设置营业厅位置"), _l("清除到期的外勤照片和位置"), _l("纬度"), _l("经度"), _l("清除的签到数"),
    _l("清除的拜访数"), _l("清除的地面活动数"), _l("清除照片的门店自报问题数"),
    _l("删除的照片数"), _l("保留天数"), _l("保留的最早签到"),
    _l("修改拜访检查表"), _l("答复门店工单"), _l("关闭门店工单"), _l("确认拜访扣分"), _l("驳回拜访扣分"),
    _l("检查表版本"), _l("检查项数"), _l("工单编号"), _l("门店"), _l("问题类别"), _l("待确认扣分编号"),
    _l("新增渠道"), _l("修改渠道"), _l("关闭渠道"), _l("重新启用渠道"), _l("导入渠道"), _l("星级"), _l("负责人"),
    _l("地址"), _l("坐标"), _l("终端渠道"), _l("业务渠道"), _l("村级渠道"),
    _l("布置当日工作"), _l("修改过程指标分值"), _l("日期"), _l("工作安排"), _l("签到率"), _l("拜访达标率"),
    _l("日报提交率"), _l("工单及时办结率"),  # the field day
    _l("布置当日工作"), _l("修改过程指标分值"), _l("工作日报看板"), _l("日期"), _l("工作安排"),  # the field day
    _l("签到率"), _l("拜访达标率"), _l("日报提交率"), _l("工单及时办结率"),
    _l("签到统计"), _l("拜访达标"),  # the field exports
    _l("生成门店学习链接"), _l("作废门店学习链接"), _l("门店链接编号"),  # outreach
    _l("门店学习覆盖"), _l("门店学习覆盖率"),  # outreach: the coverage export, the process indicator
    _l("安排门店培训"), _l("修改门店培训"), _l("取消门店培训"), _l("撤销门店培训签到"), _l("培训方式"), _l("地点"),
    _l("开始时间"), _l("结束时间"), _l("邀请的门店"), _l("签到时间"), _l("片区培训"), _l("点对点培训"),  # sessions
)


def _search_form() -> tuple[AuditSearchForm, bool]:
    form = AuditSearchForm(formdata=request.args)
    valid = form.validate() if request.args else True
    return form, valid


@bp.route("/admin/audit")
@roles_required("admin")
def search() -> Any:
    form, valid = _search_form()
    entries = None
    if valid:
        entries = db.paginate(queries.search(form.wanted()), page=page_number(), per_page=PER_PAGE, error_out=False)
    return render_template("audit/search.html", form=form, entries=entries, arguments=form.arguments(),
                           change_lines=rules.change_lines, action_label=rules.action_label,
                           person_label=queries.person_label)


@bp.route("/admin/audit/export.xlsx", defaults={"fmt": "xlsx"})
@bp.route("/admin/audit/export.csv", defaults={"fmt": "csv"})
@roles_required("admin")
def export_file(fmt: str) -> Any:
    """The entries the search finds, as a file; the download is itself an entry of the log."""
    form, valid = _search_form()
    if not valid:
        problems = [f"{form[name].label.text}：{error}" for name, errors in form.errors.items() for error in errors]
        raise ValidationFailed(_("筛选条件有误，未导出"), problems)
    wanted = form.wanted()
    found = queries.count(wanted)
    if found > queries.EXPORT_LIMIT:
        raise ValidationFailed(_("找到 %(n)d 条记录，一次最多导出 %(limit)d 条：请缩小日期范围或增加条件。", n=found,
                                 limit=queries.EXPORT_LIMIT))
    rows = queries.export_rows(wanted)
    filename = f"audit-log-{to_local(utcnow()).strftime('%Y%m%d-%H%M')}.{fmt}"
    body = export.file_of(rows, fmt)
    audit.record_export(rules.EXPORT_AUDIT_LOG, filename=filename, fmt=fmt, rows=len(rows),
                        filters=wanted.as_record())
    response = make_response(body)
    response.headers["Content-Type"] = export.MIME_TYPES[fmt]
    response.headers["Content-Disposition"] = f"attachment; filename={filename}"
    return response
