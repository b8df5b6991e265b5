"""The Word (.docx) template trainers download from the bank page: how to write a paper the Word importer reads,
then one example of every question type with 解析, 难度 and 知识点, one with a picture. Built with python-docx on
request (and kept for the process); its own import is tested to read with no problem. Pure: no Flask."""

from __future__ import annotations

import io
from functools import lru_cache

from PIL import Image, ImageDraw

INSTRUCTIONS = (
    "使用说明：按“一、单选题”“二、多选题”“三、判断题”“四、填空题”“五、数值题”等标题分题型，"
    "标题后可注明“（共10题，每题2分）”。每题以题号开头（如“1.”或“1、”，请直接输入，不用自动编号），"
    "题干可写多段；选项 A–J 每个一行，或用空格隔开写在同一行。",
    "每题之后依次写：答案（选择题写字母，如 ABD；判断题写 对/错；填空题多个可接受的答案用“；”隔开；"
    "数值题写数字，可加误差，如 3.5±0.1），以及可选的解析、难度（易/中/难）、知识点（用“、”隔开）和分值。",
    "图片可直接粘贴在题干或选项中；表格和 Word 公式无法导入，请改为图片。问答题、简答题不会导入。"
    "导入时会逐题检查，有问题的题目会注明段落位置，其余题目照常导入。",
)

# (heading, [paragraphs of one question]); a bytes item is where the picture goes.
EXAMPLES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("一、单选题（共2题，每题2分）", (
        "1. 本月合约机终端补贴政策的有效期是（  ）",
        "A. 当月有效",
        "B. 次月有效",
        "C. 长期有效",
        "D. 由渠道自定",
        "答案：A",
        "解析：终端补贴政策按月发布，仅在发布当月有效。",
        "难度：易",
        "知识点：终端政策、补贴",
        "2. 下图是哪个系统的订货页面？",
        "<picture>",
        "A. 终端订货系统    B. 社会渠道管理系统    C. 营业厅查询系统",
        "答案：A",
        "解析：页面顶部的蓝色标题栏和“下单”按钮是终端订货系统的样式。",
        "难度：中",
        "知识点：系统操作",
    )),
    ("二、多选题（共1题，每题3分）", (
        "1. 办理新入网业务时，渠道经理必须核验的有（  ）",
        "A. 身份证原件",
        "B. 人像比对",
        "C. 用户的工作证明",
        "D. 一证五号查询",
        "答案：ABD",
        "解析：实名制要求核验证件原件、人像比对，并查询一证五号；工作证明不是必需材料。",
        "难度：中",
        "知识点：入网、实名制",
    )),
    ("三、判断题（共1题，每题1分）", (
        "1. 连续两个月考试不及格的渠道经理，每月处罚200元。",
        "答案：对",
        "解析：见考核办法第三条。",
        "难度：易",
        "知识点：考核办法",
    )),
    ("四、填空题（共1题，每题2分）", (
        "1. 办理入网业务必须落实____制度。",
        "答案：实名；实名制",
        "解析：入网登记必须落实实名制度。",
        "难度：易",
        "知识点：入网、实名制",
    )),
    ("五、数值题（共1题，每题2分）", (
        "1. 某渠道本月发展宽带新装20户，每户酬金50元，本月宽带新装酬金共多少元？",
        "答案：1000",
        "解析：20 × 50 = 1000 元。",
        "难度：中",
        "知识点：酬金计提",
    )),
)


def example_picture() -> bytes:
    """A small drawing of an ordering screen: a blue title bar, three rows, an order button."""
    image = Image.new("RGB", (480, 270), (245, 247, 250))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 480, 40), fill=(0, 82, 155))
    for row in range(3):
        top = 60 + row * 60
        draw.rectangle((20, top, 460, top + 44), outline=(180, 190, 200), width=2, fill=(255, 255, 255))
        draw.rectangle((360, top + 8, 448, top + 36), fill=(0, 120, 215))
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


@lru_cache(maxsize=1)
def docx_template() -> bytes:
    import docx  # here, not at the top: a server worker that never writes the template does not hold python-docx
    from docx.shared import Cm, Pt, RGBColor

    document = docx.Document()
    document.add_heading("题库导入模板（Word）", level=1)
    for text in INSTRUCTIONS:
        run = document.add_paragraph().add_run(text)
        run.font.size = Pt(9)
        run.font.color.rgb = RGBColor(0x59, 0x59, 0x59)
    for heading, lines in EXAMPLES:
        document.add_paragraph().add_run(heading).bold = True
        for line in lines:
            if line == "<picture>":
                document.add_paragraph().add_run().add_picture(io.BytesIO(example_picture()), width=Cm(8))
            else:
                document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
