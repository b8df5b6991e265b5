"""Keep the English catalog in step with the Chinese source strings.

``python scripts/i18n.py update`` extracts the strings, merges them into translations/en, and fills in English
from translations/en.tsv (source<TAB>English) so translators edit one plain file. ``compile`` builds the .mo files.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "translations" / "en" / "LC_MESSAGES" / "messages.po"
TSV = ROOT / "translations" / "en.tsv"


def load_tsv() -> dict[str, str]:
    pairs: dict[str, str] = {}
    for line in TSV.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#") and "\t" in line:
            source, english = line.split("\t", 1)
            pairs[source] = english
    return pairs


def update() -> None:
    pot = ROOT / "translations" / "messages.pot"
    subprocess.run(  # noqa: S603 - fixed arguments, our own paths
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", str(ROOT / "babel.cfg"),
                    "-k", "_l", "-k", "N_", "-o", str(pot), "."], check=True, capture_output=True, cwd=ROOT)
    with pot.open("rb") as handle:
        template = read_po(handle)
    pairs = load_tsv()
    for message in template:
        if message.id and isinstance(message.id, str):
            message.string = pairs.get(message.id, "")
    PO.parent.mkdir(parents=True, exist_ok=True)
    with PO.open("wb") as handle:
        write_po(handle, template, width=0, omit_header=False)
    pot.unlink()
    missing = [m.id for m in template if m.id and not m.string]
    print(f"{len(template) - 1} strings, {len(missing)} without English")


def compile_catalogs() -> None:
    for po in (ROOT / "translations").glob("*/LC_MESSAGES/messages.po"):
        with po.open("rb") as handle:
            catalog = read_po(handle)
        with po.with_suffix(".mo").open("wb") as handle:
            write_mo(handle, catalog)


if __name__ == "__main__":
    {"update": update, "compile": compile_catalogs}[sys.argv[1]]()
