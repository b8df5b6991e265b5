"""QuestionSpecs → GIFT that Moodle imports (question/format/gift/format.php) and that parse_gift reads back the same.

Decisions:
- Texts are Markdown, so each question text starts with ``[markdown]``; answers, feedback and general feedback take
  the question text's format, as in Moodle, so they carry no marker of their own.
- GIFT's control characters ``~ = # { } :`` and the backslash are escaped; a line break is written ``\\n``, so every
  text stays on its line and a blank line inside a text cannot end the question.
- The key is written as Moodle's ``// [id:…]`` and every tag as ``// [tag:…]`` (Moodle 3.6 and later read both).
  No ``$CATEGORY`` is written: a question has several tags and no single category, and Moodle would make a category
  tree out of each one.
- ``extra["title"]`` is the question's ``::name::``; ``extra["other_feedback"]`` (numeric) is ``~#feedback``.
- A multiple-choice question is written with ``~%weight%`` only (a ``=`` would make Moodle read it as single choice).
  Without weights, each right option is worth 100 %/n and each wrong one −100 %/n: GIFT has no all-or-nothing, and
  these are the shares Moodle's own scoring needs so that ticking everything earns nothing. Re-imported, such a
  question carries these weights.
- GIFT carries no files: pictures stay as the links their Markdown holds (``media`` is accepted for the signature
  the exporters share with the Moodle XML one, and not read). A short answer containing ``->`` would read as
  matching in Moodle; such answers are rare and are written as they are.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from lms.quizzes.specs import QuestionSpec

_ESCAPES = str.maketrans({"\\": "\\\\", "~": "\\~", "=": "\\=", "#": "\\#", "{": "\\{", "}": "\\}", ":": "\\:",
                          "\n": "\\n", "\r": "", **{chr(code): None for code in range(0xFDD0, 0xFDF0)}})
# (U+FDD0..U+FDEF are dropped: they are no characters, and the GIFT importer refuses a file holding one.)


def export_gift(specs: Iterable[QuestionSpec], *, title: str = "",
                media: Callable[[str], tuple[str, bytes] | None] | None = None) -> bytes:
    """The questions as one UTF-8 GIFT file; ``title`` heads it as a comment."""
    del media  # see the module docstring: GIFT has no place for files
    blocks = [f"// {' '.join(title.split())}"] if title.strip() else []
    blocks.extend(_question(spec) for spec in specs)
    return ("\n\n".join(blocks) + "\n").encode("utf-8")


def escape(text: str) -> str:
    """A text as GIFT writes it; one that starts with "[" gets the ``[markdown]`` marker, so that a text such as
    "[html] tags" is not read as a format marker."""
    escaped = text.strip().translate(_ESCAPES)
    return f"[markdown]{escaped}" if escaped.startswith("[") else escaped


def _percent(weight: float) -> str:
    written = f"{weight * 100:.5f}".rstrip("0").rstrip(".")
    return "0" if written in ("", "-0") else written


def _comment_mark(kind: str, value: str) -> str:
    written = " ".join(value.split()).replace("]", "\\]")  # Moodle reads "\\]" in a mark as "]"
    return f"[{kind}:{written}]"


def _question(spec: QuestionSpec) -> str:
    marks = [_comment_mark("id", spec.key), *(_comment_mark("tag", tag) for tag in spec.tags)]
    name = spec.extra.get("title", "")
    head = f"::{' '.join(name.split()).translate(_ESCAPES)}::" if name.strip() else ""
    opening = "{#" if spec.type == "numeric" else "{"
    lines = [f"// {' '.join(marks)}", f"{head}[markdown]{spec.stem.strip().translate(_ESCAPES)}{opening}"]
    lines.extend(f"\t{answer}" for answer in _answers(spec))
    if spec.explanation.strip():
        lines.append(f"\t####{escape(spec.explanation.strip())}")
    lines.append("}")
    return "\n".join(lines)


def _with_feedback(answer: str, feedback: tuple[str, ...], index: int) -> str:
    text = feedback[index].strip() if index < len(feedback) else ""
    return f"{answer}#{escape(text)}" if text else answer


def _answers(spec: QuestionSpec) -> list[str]:
    if spec.type == "truefalse":
        right, wrong = (spec.feedback or ("", ""))[:: 1 if spec.truth else -1]
        answer = "TRUE" if spec.truth else "FALSE"
        if wrong.strip() or right.strip():
            answer += f"#{escape(wrong.strip())}"
        if right.strip():
            answer += f"#{escape(right.strip())}"
        return [answer]
    if spec.type == "single":
        return [_with_feedback(_single_marker(spec, index) + escape(option.strip()), spec.feedback, index)
                for index, option in enumerate(spec.options)]
    if spec.type == "multiple":
        weights = spec.weights or _shares(spec)
        return [_with_feedback(f"~%{_percent(weights[index])}%{escape(option.strip())}", spec.feedback, index)
                for index, option in enumerate(spec.options)]
    if spec.type == "fill":
        weights = spec.weights or (1.0,) * len(spec.accepted)
        return [_with_feedback(f"=%{_percent(weights[index])}%{escape(text)}", spec.feedback, index)
                for index, text in enumerate(spec.accepted)]
    if spec.type == "numeric":
        weights = spec.weights or (1.0,) * len(spec.numbers)
        answers = [
            _with_feedback(f"=%{_percent(weights[index])}%{value:.15g}:{tolerance:.15g}", spec.feedback, index)
            for index, (value, tolerance) in enumerate(spec.numbers)
        ]
        other = spec.extra.get("other_feedback", "").strip()
        return answers + ([f"~#{escape(other)}"] if other else [])
    raise ValueError(f"question {spec.key}: no GIFT form for type {spec.type!r}")


def _single_marker(spec: QuestionSpec, index: int) -> str:
    if index in spec.correct:
        return "="
    weight = spec.weights[index] if spec.weights else 0.0
    # An explicit 0% keeps an option such as "%50% off" from being read as a weight.
    return f"~%{_percent(weight)}%" if weight or spec.options[index].lstrip().startswith("%") else "~"


def _shares(spec: QuestionSpec) -> tuple[float, ...]:
    share = 1 / len(spec.correct)
    return tuple(share if index in spec.correct else -share for index in range(len(spec.options)))
