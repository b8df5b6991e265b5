"""How fast a 1,000-question file is read and previewed, in each format the platform reads.

One bank of 1,000 questions written in each format: GIFT, Moodle XML and the .xlsx template by the platform's own
exporters (``lms.quizzes.exporters``) from generated questions of every type (single — some with two right answers
as Moodle's fractions —, multiple, true/false, fill, numeric; feedback, explanations, tags; the template writes
the two-answer ones as "B或C"); Aiken by hand (it holds only choice questions: single and multiple,
``ANSWER: AC``), saved as ``.txt`` as trainers save it; Word by
``tests.support.word.trainer_paper(1000)`` (five sections; 264 screenshots in stems and options). Measured as the
median of several warm runs:
- ``import_<format>_parse_ms``: ``lms.quizzes.importers.parse_file`` of the file's bytes;
- ``import_<format>_preview_ms``: ``lms.quizzes.imports.stage_import``, what uploading the file on the bank page
  runs before the preview shows: read the file, check (re-encode) its pictures, compare every question with the bank
  by key and checksum (``import_plan.plan_import``), keep the upload. The bank already holds the same 1,000 questions
  (the file imported once before): the "re-import, nothing changed" case, each run checked to find 1,000 unchanged.
  The last few files read are cached for the preview's picture requests; the cache is emptied before each run,
  since an upload is a file not read yet. On a SQLite database made as bench/banks.py makes one (DATABASE_URL for
  PostgreSQL).
The baseline, measured in the same run: ``json.loads`` of the same generated 1,000 questions as the platform stores
them (``lms.quizzes.definitions.spec_to_json``), ``import_baseline_json_ms``; ``ratio_import_<format>_parse_vs_json``
is a format's parse time over it.

Targets (TARGETS_MS), met with a margin on 2 cores shared with other work (load average ≈ 5): every format's
1,000-question parse ≤ 2,000 ms; its preview ≤ 2,000 ms, Word's ≤ 5,000 ms — the Word paper carries 264 screenshots
and the preview re-encodes each (~5 ms apiece) as lesson media are, which the other files (no pictures) never do.

Prints a Markdown table and writes bench/results/imports.json.

    python -m bench.imports                    # a new SQLite file in a temporary folder; DATABASE_URL=postgresql://…
    python -m bench.imports --runs 3
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # tests.support.word writes the Word paper

from bench import common, scale  # noqa: E402 - after the path is set

RESULTS = ROOT / "bench" / "results" / "imports.json"
QUESTIONS = 1000
FORMATS = {  # format → the file's name, whose extension parse_file reads it by
    "gift": "bench.gift", "aiken": "bench-aiken.txt", "xml": "bench.xml", "xlsx": "bench.xlsx", "docx": "bench.docx"}
TARGETS_MS = {**{f"import_{fmt}_parse_ms": 2000 for fmt in FORMATS},
              **{f"import_{fmt}_preview_ms": 5000 if fmt == "docx" else 2000 for fmt in FORMATS}}


def generated_specs(count: int = QUESTIONS) -> list[Any]:
    """``count`` questions of the five types in turn, as a trainer's bank holds them."""
    from lms.quizzes.rules import validate_spec
    from lms.quizzes.specs import QuestionSpec

    specs = []
    for i in range(1, count + 1):
        common: dict[str, Any] = {
            "key": f"q{i}", "explanation": f"见11月渠道政策通知第{i % 9 + 1}条：199元档合约机直降800元，仅限新入网。",
            "tags": ("category:终端", "合约机"), "difficulty": i % 5 + 1, "points": float(i % 3 + 1)}
        kind = ("single", "multiple", "truefalse", "fill", "numeric")[i % 5]
        if kind == "single":
            options = ("500元", "700元", "800元", "1000元")
            if i % 10 == 0:  # Moodle's {=a =b ~c ~d}: either of two is right
                spec = QuestionSpec(type="single", stem=f"第{i}题：本月直降补贴可以是多少？", options=options,
                                    correct=(1, 2), weights=(0, 1, 1, 0), **common)
            else:
                spec = QuestionSpec(type="single", stem=f"第{i}题：11月199元档合约机直降补贴是多少？", options=options,
                                    correct=(i % 4,), feedback=("太少", "不对", "正确", "太多"), **common)
        elif kind == "multiple":
            spec = QuestionSpec(type="multiple", stem=f"第{i}题：下列哪些属于本月星级渠道的考核指标？",
                                options=("新入网用户数", "宽带融合率", "终端销量", "门店面积"), correct=(0, 1),
                                weights=(0.5, 0.5, -0.5, -0.5) if i % 4 == 1 else None, **common)
        elif kind == "truefalse":
            spec = QuestionSpec(type="truefalse", stem=f"第{i}题：合约机直降补贴仅限新入网用户。", truth=i % 2 == 0,
                                **common)
        elif kind == "fill":
            spec = QuestionSpec(type="fill", stem=f"第{i}题：星级渠道的考核周期是____。",
                                accepted=(f"答案{i}", f"ANSWER{i}"), **common)
        else:
            spec = QuestionSpec(type="numeric", stem=f"第{i}题：本月每户酬金为多少元？", numbers=((float(i), 0.5),),
                                **common)
        problems = validate_spec(spec)
        if problems:
            raise RuntimeError(f"a generated question is invalid: {problems}")
        specs.append(spec)
    return specs


def aiken_text(count: int = QUESTIONS) -> bytes:
    """``count`` choice questions written by hand as Aiken: four options, one answer letter or (every third) two."""
    lines = []
    for i in range(1, count + 1):
        answer = "AC" if i % 3 == 0 else "ABCD"[i % 4]
        lines += [f"第{i}题：11月199元档合约机直降补贴是多少？", "A. 500元", "B. 700元", "C. 800元", "D. 1000元",
                  f"ANSWER: {answer}", ""]
    return "\n".join(lines).encode("utf-8")


def files(specs: list[Any]) -> dict[str, bytes]:
    """The same bank in each format, by format."""
    from lms.quizzes.exporters import EXPORTERS
    from tests.support.word import trainer_paper

    def no_media(_url: str) -> None:
        return None

    written = {fmt: EXPORTERS[fmt].export(specs, title="压测题库", media=no_media) for fmt in ("gift", "xml", "xlsx")}
    written["aiken"] = aiken_text(len(specs))
    written["docx"] = trainer_paper(len(specs))
    return written




def measure_parse(written: dict[str, bytes], runs: int, expected: int) -> dict[str, Any]:
    from lms.quizzes.importers import parse_file

    figures: dict[str, Any] = {}
    for fmt, filename in FORMATS.items():
        data = written[fmt]
        result = parse_file(data, filename)
        if len(result.questions) != expected or result.refused or result.skipped:
            raise RuntimeError(f"{filename}: {len(result.questions)} questions read, {len(result.refused)} refused, "
                               f"{len(result.skipped)} skipped; expected {expected} read")
        figures[f"import_{fmt}_kb"] = round(len(data) / 1024, 1)
        figures[f"import_{fmt}_parse_ms"] = common.median_ms(
            lambda data=data, filename=filename: parse_file(data, filename), runs, digits=2)
    return figures


def build(uri: str) -> None:
    """The schema and a trainer (who uploads), as bench/banks.py makes its database."""
    from flask_migrate import upgrade
    from sqlalchemy import insert

    from lms.accounts.models import User
    from lms.extensions import db

    now = datetime.now(UTC)
    app = scale._app(uri)
    with app.app_context():
        upgrade()
        db.session.execute(insert(User), [{
            "employee_no": "TRAINER", "name": "培训师", "role": "trainer", "active": True, "joined_at": now,
            "created_at": now, "session_token": "bench-trainer"}])
        db.session.commit()
        db.engine.dispose()


def measure_preview(uri: str, written: dict[str, bytes], runs: int, expected: int, media_dir: Path) -> dict[str, Any]:
    """Each format's file imported once into its own bank, then previewed again against it (nothing changed)."""
    from sqlalchemy import select

    from lms.accounts.models import User
    from lms.courses.media import MediaLimits
    from lms.extensions import db
    from lms.quizzes import imports

    app = scale._app(uri)
    figures: dict[str, Any] = {}
    with app.app_context():
        limits = MediaLimits.from_settings(app.config)
        trainer = db.session.scalar(select(User).where(User.employee_no == "TRAINER"))
        assert trainer is not None  # build() made them
        for fmt, filename in FORMATS.items():
            data, bank = written[fmt], f"bench-{fmt}"
            first = imports.import_questions(data, filename, bank, root=media_dir, limits=limits)
            if first.imported != expected:
                raise RuntimeError(f"{filename}: {first.imported} questions imported, expected {expected}")

            def preview(data: bytes = data, filename: str = filename, bank: str = bank) -> None:
                imports._parsed.cache_clear()  # an upload is a file not read yet; the cache serves its pictures
                plan = imports.stage_import(data, filename, bank, title=None, by=trainer, limits=limits,
                                            max_bytes=app.config["LMS_UPLOAD_MAX_BYTES"]).plan
                if plan.unchanged != expected or plan.refused:
                    raise RuntimeError(f"{filename}: {plan.unchanged} unchanged, {plan.updated} updated, "
                                       f"{plan.new} new, {len(plan.refused)} refused; expected {expected} unchanged")

            figures[f"import_{fmt}_preview_ms"] = common.median_ms(preview, runs, digits=2)
        db.engine.dispose()
    return figures


def baseline_ms(specs: list[Any], runs: int) -> float:
    from lms.quizzes.definitions import spec_to_json

    stored = json.dumps([spec_to_json(spec) for spec in specs], ensure_ascii=False)
    return common.median_ms(lambda: json.loads(stored), runs, digits=2)


def measure(uri: str, runs: int, count: int, media_dir: Path) -> dict[str, Any]:
    specs = generated_specs(count)
    written = files(specs)
    figures: dict[str, Any] = {"import_questions": count, "import_baseline_json_ms": baseline_ms(specs, runs)}
    figures.update(measure_parse(written, runs, count))
    build(uri)
    figures.update(measure_preview(uri, written, runs, count, media_dir))
    for fmt in FORMATS:
        figures[f"ratio_import_{fmt}_parse_vs_json"] = round(
            figures[f"import_{fmt}_parse_ms"] / figures["import_baseline_json_ms"], 1)
    for key, target in TARGETS_MS.items():
        figures[f"{key}_ok"] = figures[key] <= target
    return figures


def markdown_table(figures: dict[str, Any]) -> str:
    baseline = figures["import_baseline_json_ms"]
    rows = [f"{figures['import_questions']:,} questions per file; baseline: json.loads of the same questions as "
            f"stored (spec_to_json) = {baseline} ms", "",
            "| format | file KB | parse ms | parse / baseline | preview ms (nothing changed) | targets | met |",
            "| --- | ---: | ---: | ---: | ---: | --- | --- |"]
    for fmt in FORMATS:
        parse, preview = f"import_{fmt}_parse_ms", f"import_{fmt}_preview_ms"
        met = "yes" if figures[f"{parse}_ok"] and figures[f"{preview}_ok"] else "no"
        rows.append(f"| {fmt} | {figures[f'import_{fmt}_kb']} | {figures[parse]} | "
                    f"{figures[f'ratio_import_{fmt}_parse_vs_json']}× | {figures[preview]} | "
                    f"parse ≤ {TARGETS_MS[parse]}, preview ≤ {TARGETS_MS[preview]} | {met} |")
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--questions", type=int, default=QUESTIONS)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-imports-") as folder:
        uri = scale.database_uri(Path(folder) / "imports.sqlite3")
        figures = measure(uri, args.runs, args.questions, Path(folder) / "media")
    figures["runs"] = args.runs
    common.save(RESULTS, figures, uri)
    print(markdown_table(figures))


if __name__ == "__main__":
    main()
