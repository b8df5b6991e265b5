"""Parsing the courseware tree (``content/**/<slug>.md``): pure, typed, and loud about every problem.

Each file is YAML front matter between ``---`` lines, then Markdown. Every problem names the file and, where it
can, the line. The YAML is read with a safe loader that also refuses aliases (no "billion laughs") and deep
nesting, and files over a size limit are refused before parsing.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from lms.core.errors import ValidationFailed
from lms.core.yaml_files import GuardedLoader, read_keyed_mapping
from lms.courses import rules
from lms.courses.rules import LessonMeta

MAX_FILE_BYTES = 512 * 1024
MAX_FRONT_MATTER_BYTES = 16 * 1024
MAX_YAML_DEPTH = 7  # levels of nested mappings and lists
KNOWN_KEYS = ("title", "category", "tags", "period", "order", "summary", "quiz", "effective", "audience")
MAX_TITLE = 200
MAX_SUMMARY = 500


@dataclass(frozen=True)
class LessonFile:
    slug: str
    path: str  # as shown to people, e.g. "content/policy/2026-11/policy-2026-11-handset.md"
    relative_path: str  # inside the content folder, POSIX separators
    meta: LessonMeta
    body: str
    checksum: str  # SHA-256 of the file's bytes: unchanged files are skipped


@dataclass(frozen=True)
class ContentPlan:
    root: str
    files: tuple[LessonFile, ...]


class _FrontMatterLoader(GuardedLoader):
    """No aliases and little nesting: front matter is a handful of plain keys."""

    max_aliases = 0
    max_depth = MAX_YAML_DEPTH
    alias_problem = "YAML 别名（*alias）不允许使用"
    depth_problem = "YAML 嵌套层数过多"


def split_front_matter(text: str) -> tuple[str, str, int] | None:
    """(front matter, body, line number where the body starts) or None when the file has no front matter."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        return None
    for number, line in enumerate(lines[1:], start=2):
        if line.strip() in ("---", "..."):
            return "".join(lines[1 : number - 1]), "".join(lines[number:]), number + 1
    return None


def parse_front_matter(front: str, path: str) -> tuple[dict[str, Any], dict[str, int], list[str]]:
    """The mapping, each key's line in the file, and problems. Line numbers count the opening ``---`` as line 1."""
    if len(front.encode()) > MAX_FRONT_MATTER_BYTES:
        return {}, {}, [f"{path}:1: 头部信息（front matter）超过 {MAX_FRONT_MATTER_BYTES // 1024} KB"]
    loader = _FrontMatterLoader(front)
    try:
        node = loader.get_single_node()
        if node is None:
            return {}, {}, [f"{path}:1: 头部信息为空，至少需要 title 和 category"]
        if not isinstance(node, yaml.MappingNode):
            return {}, {}, [f"{path}:{node.start_mark.line + 2}: 头部信息必须是“键: 值”的形式"]
        read = read_keyed_mapping(loader, node, first_line=2)
        problems = [f"{path}:{line}: 键必须是文字" if key is None
                    else f"{path}:{line}: 键“{key}”重复（第{read.lines[key]}行已有）"
                    for line, key in read.refused]
        return read.values, read.lines, problems
    except yaml.MarkedYAMLError as exc:
        # The context mark is where the broken construct starts (an unclosed "[" …), usually the line to fix.
        mark = exc.context_mark or exc.problem_mark
        line = mark.line + 2 if mark is not None else 1
        where = ""
        if exc.problem_mark is not None and exc.problem_mark.line + 2 != line:
            where = f"（在第{exc.problem_mark.line + 2}行发现）"
        return {}, {}, [f"{path}:{line}: 头部信息 YAML 格式错误：{exc.context or ''} {exc.problem or exc}{where}"]
    except (yaml.YAMLError, RecursionError) as exc:
        return {}, {}, [f"{path}:1: 头部信息无法解析：{type(exc).__name__}"]
    finally:
        loader.dispose()


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return str(value).strip()
    return None


def _for_shops(values: dict[str, Any], at: Any, problems: list[str]) -> bool:
    """``audience: shops``: the lesson is also for the shops that sell (the month's shop pack, lms.outreach)."""
    audience = _text(values.get("audience"))
    if audience is not None and audience != rules.SHOP_AUDIENCE:
        problems.append(f"{at('audience')}: audience 只能是 {rules.SHOP_AUDIENCE}（也发给渠道门店）")
    return audience == rules.SHOP_AUDIENCE


def validate_meta(values: dict[str, Any], lines: dict[str, int], path: str) -> tuple[LessonMeta | None, list[str]]:  # noqa: PLR0912 - one check per key reads best as a flat list
    """Check the front matter keys; problems read ``path:line: message``."""
    problems: list[str] = []

    def at(key: str) -> str:
        return f"{path}:{lines.get(key, 1)}"

    for key in values:
        if key not in KNOWN_KEYS:
            problems.append(f"{at(key)}: 未知的键“{key}”（可用：{', '.join(KNOWN_KEYS)}）")
    title = _text(values.get("title"))
    if not title:
        problems.append(f"{at('title')}: 缺少 title（标题）")
    elif len(title) > MAX_TITLE:
        problems.append(f"{at('title')}: title 超过 {MAX_TITLE} 个字符")
    category = _text(values.get("category"))
    if not category:
        problems.append(f"{at('category')}: 缺少 category（分类）")
    elif category not in rules.CATEGORY_BY_KEY:
        problems.append(f"{at('category')}: 未知的分类“{category}”（可用：{', '.join(rules.CATEGORY_BY_KEY)}）")
    raw_tags = values.get("tags") or []
    if isinstance(raw_tags, str):
        raw_tags = raw_tags.replace("，", ",").split(",")
    tags: list[str] = []
    if not isinstance(raw_tags, list) or any(_text(t) is None for t in raw_tags):
        problems.append(f"{at('tags')}: tags 必须是文字列表，例如 [终端, 补贴]")
    else:
        tags = [t for t in (_text(t) or "" for t in raw_tags) if t][:20]
    period = _text(values.get("period"))
    if period is not None and not rules.is_valid_period(period):
        problems.append(f"{at('period')}: period 必须是 YYYY-MM 形式的月份，例如 2026-11")
    order = values.get("order", 100)
    if isinstance(order, bool) or not isinstance(order, int) or not -10000 <= order <= 10000:
        problems.append(f"{at('order')}: order 必须是整数")
        order = 100
    summary = _text(values.get("summary")) or ""
    if len(summary) > MAX_SUMMARY:
        problems.append(f"{at('summary')}: summary 超过 {MAX_SUMMARY} 个字符")
    quiz = _text(values.get("quiz"))
    if quiz is not None and not rules.is_valid_slug(quiz):
        problems.append(f"{at('quiz')}: quiz 必须是测验的标识（小写字母、数字和连字符）")
    effective = values.get("effective")
    if isinstance(effective, str):
        try:
            effective = date.fromisoformat(effective.strip())
        except ValueError:
            effective = "invalid"
    if effective is not None and (not isinstance(effective, date) or hasattr(effective, "hour")):
        problems.append(f"{at('effective')}: effective 必须是日期，例如 2026-11-01")
        effective = None
    for_shops = _for_shops(values, at, problems)
    if problems:
        return None, problems
    assert title is not None  # noqa: S101 - narrowed by the checks above
    assert category is not None  # noqa: S101 - narrowed by the checks above
    return LessonMeta(title=title, category=category, tags=tuple(tags), period=period, order=order,
                      summary=summary, quiz=quiz, effective=effective, for_shops=for_shops), []


def parse_lesson(data: bytes, path: str, slug: str) -> tuple[LessonFile | None, list[str]]:  # noqa: PLR0911 - one early return per kind of broken file
    """One file's bytes → a LessonFile, or the problems with it."""
    if len(data) > MAX_FILE_BYTES:
        return None, [f"{path}:1: 文件超过 {MAX_FILE_BYTES // 1024} KB 的上限"]
    if not rules.is_valid_slug(slug):
        return None, [f"{path}:1: 文件名“{slug}.md”不能作为课程标识：只能用小写字母、数字和连字符"]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return None, [f"{path}:{line}: 文件必须是 UTF-8 编码"]
    parts = split_front_matter(text)
    if parts is None:
        return None, [f"{path}:1: 缺少头部信息：文件必须以 --- 开头，并用 --- 结束头部信息"]
    front, body, body_line = parts
    values, lines, problems = parse_front_matter(front, path)
    if problems:
        return None, problems
    meta, problems = validate_meta(values, lines, path)
    if not body.strip():
        problems.append(f"{path}:{body_line}: 正文为空")
    if meta is None or problems:
        return None, problems
    checksum = hashlib.sha256(data).hexdigest()
    return LessonFile(slug=slug, path=path, relative_path="", meta=meta, body=body, checksum=checksum), []


def load_tree(root: Path) -> ContentPlan:
    """Every ``**/*.md`` under ``root``; raises ValidationFailed listing every problem in every file."""
    if not root.is_dir():
        raise ValidationFailed(f"课程目录不存在：{root.name}", [f"{root.name}: 课程目录不存在"])
    files: list[LessonFile] = []
    problems: list[str] = []
    seen: dict[str, str] = {}
    for file in sorted(root.rglob("*.md")):
        relative = file.relative_to(root).as_posix()
        if any(part.startswith(".") for part in file.relative_to(root).parts) or not file.is_file():
            continue  # hidden folders (.git) and dangling links are not courseware
        shown = f"{root.name}/{relative}"
        if file.name.lower() in ("readme.md",):
            continue  # a README describes the folder; it is not a lesson
        slug = file.stem
        parsed, found = parse_lesson(file.read_bytes(), shown, slug)
        problems.extend(found)
        if slug in seen:
            problems.append(f"{shown}:1: 课程标识“{slug}”重复：{seen[slug]} 与 {shown}")
            continue
        seen[slug] = shown
        if parsed is not None:
            files.append(LessonFile(slug=parsed.slug, path=shown, relative_path=relative, meta=parsed.meta,
                                    body=parsed.body, checksum=parsed.checksum))
    if problems:
        raise ValidationFailed(f"课程文件有 {len(problems)} 处问题，未做任何修改", problems)
    return ContentPlan(root=str(root), files=tuple(files))
