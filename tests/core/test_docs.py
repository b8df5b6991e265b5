"""The documents point at code that exists: every ``lms/…`` module a document names is there, and a name cited
with it (``lms/x/rules.py: is_passing``) is defined in that module. A file that moves takes its citations along."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = sorted([ROOT / "README.md", *(ROOT / "docs").glob("*.md")])
CITATION = re.compile(r"(lms/[\w/]+(?:\.py|/))(?::\s*`?([A-Za-z_][\w.]*)`?)?")
DOTTED = re.compile(r"`(lms(?:\.\w+)+)")


def _citations() -> list[tuple[str, str, str | None]]:
    found = []
    for document in DOCUMENTS:
        for match in CITATION.finditer(document.read_text(encoding="utf-8")):
            found.append((document.name, match.group(1), match.group(2)))
        for match in DOTTED.finditer(document.read_text(encoding="utf-8")):
            found.append((document.name, *_as_path(match.group(1))))
    return found


def _as_path(dotted: str) -> tuple[str, str | None]:
    """``lms.home.panels.register`` → (``lms/home/panels.py``, ``register``): the longest prefix that is a module."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        base = "/".join(parts[:cut])
        rest = ".".join(parts[cut:]) or None
        if (ROOT / f"{base}.py").is_file():
            return f"{base}.py", rest
        if (ROOT / base).is_dir():
            return f"{base}/", rest
    return dotted.replace(".", "/") + ".py", None


def _defines(path: Path, name: str) -> bool:
    head = name.split(".", maxsplit=1)[0]
    pattern = re.compile(rf"^\s*(?:async\s+)?(?:def|class)\s+{re.escape(head)}\b|^{re.escape(head)}\b[^=\n]*=",
                         re.MULTILINE)
    return bool(pattern.search(path.read_text(encoding="utf-8")))


def test_documents_cite_modules() -> None:
    assert len(_citations()) > 20  # the documents do cite code; a broken pattern would find none


@pytest.mark.parametrize(("document", "module", "name"), _citations(),
                         ids=[f"{d}:{m}{':' + n if n else ''}" for d, m, n in _citations()])
def test_a_cited_module_exists_and_defines_the_cited_name(document: str, module: str, name: str | None) -> None:
    path = ROOT / module
    assert path.exists(), f"{document} cites {module}, which does not exist"
    if name:
        defining = path if path.is_file() else path / "__init__.py"
        assert _defines(defining, name), f"{document} cites {module}: {name}, which it does not define"
