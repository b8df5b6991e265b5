"""Print the figures of a walk written by `make screenshots` (figures-*.json): pages, axe findings, problems."""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path


def main(folder: Path) -> int:
    files = sorted(folder.glob("figures-*.json"))
    if not files:
        print(f"no figures in {folder}")
        return 1
    visits = opened = 0
    impacts: Counter[str] = Counter()
    rules: Counter[str] = Counter()
    lines: list[str] = []
    for path in files:
        figures = json.loads(path.read_text(encoding="utf-8"))
        visits += figures["visits"]
        opened += figures["opened"]
        impacts.update(figures["axe_by_impact"])
        rules.update(figures["axe_rules"])
        lines += figures["problem_lines"] + figures["axe_serious_lines"]
    pictures = len(list(folder.glob("*.png")))
    print(f"{len(files)} walks, {visits} visits, {opened} pages opened, {pictures} screenshots in {folder}")
    print("axe findings by impact: " + (", ".join(f"{k} {v}" for k, v in impacts.most_common()) or "none"))
    print("axe rules: " + (", ".join(f"{k} {v}" for k, v in rules.most_common()) or "none"))
    print(f"problems: {len(lines)}")
    for line in lines:
        print("  " + line)
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else "screenshots")))
