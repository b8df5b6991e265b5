"""Question-bank exporters: a bank's questions written in a format another system (or this one) reads back.

Each format is one ``Exporter`` in ``EXPORTERS``; the bank page lists them in its 导出 menu and
``GET /quizzes/banks/<slug>/export.<key>`` serves them. An exporter is a pure function:

    export(specs, *, title, media) -> bytes

``media(url)`` gives (file name, bytes) for a question picture's address (``/quizzes/media/<name>``), or None;
a format that carries pictures (GIFT does not, Moodle XML does) embeds them, others keep the address.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from lms.core.i18n import N_
from lms.quizzes.exporters import spreadsheet
from lms.quizzes.exporters.gift import export_gift
from lms.quizzes.exporters.moodle_xml import export_moodle_xml
from lms.quizzes.specs import QuestionSpec

MediaLookup = Callable[[str], "tuple[str, bytes] | None"]


class ExportFunction(Protocol):
    def __call__(self, specs: list[QuestionSpec], *, title: str, media: MediaLookup) -> bytes: ...


@dataclass(frozen=True)
class Exporter:
    export: ExportFunction
    extension: str  # without the dot; the route is export.<key>, the download <bank>.<extension>
    mimetype: str
    label: str  # Chinese, shown with _() (its English is in translations/en.tsv)
    carries_media: bool = False  # pictures travel inside the file; else only their addresses on this site


def _moodle_xml(specs: list[QuestionSpec], *, title: str, media: MediaLookup) -> bytes:
    return export_moodle_xml(specs, category=title, media=media)  # the bank's title is Moodle's category


EXPORTERS: dict[str, Exporter] = {
    "xlsx": Exporter(spreadsheet.export, "xlsx", spreadsheet.MIMETYPE, N_("Excel 模板（.xlsx）")),
    "xml": Exporter(_moodle_xml, "xml", "application/xml", N_("Moodle XML（.xml）"), carries_media=True),
    "gift": Exporter(export_gift, "gift", "text/plain; charset=utf-8", N_("Moodle GIFT（.gift）")),
}
