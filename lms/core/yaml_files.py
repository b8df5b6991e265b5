"""Reading YAML that people write (quiz files, lesson front matter): a SafeLoader with limits on aliases and nesting,
and the line of every mapping and key, so that every problem can name the file and the line. Pure: no Flask.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any, ClassVar

import yaml

LINE_KEY = "__line__"  # where GuardedLoader.mark_lines stores a mapping's 1-based line


class YamlLimitError(yaml.composer.ComposerError):
    """The document has more aliases, or deeper nesting, than the loader allows."""


class GuardedLoader(yaml.SafeLoader):
    """SafeLoader that checks its limits while composing, before any alias is expanded (no "billion laughs") and
    before deep nesting can exhaust the recursion of the constructor.

    Subclasses set the limits and the wording of the problems: ``max_aliases`` (None: no limit, 0: no aliases at
    all), ``max_depth`` (levels of nested mappings and lists), and ``mark_lines`` to record each mapping's line
    under LINE_KEY.
    """

    max_aliases: ClassVar[int | None] = None
    max_depth: ClassVar[int | None] = None
    alias_problem: ClassVar[str] = "too many YAML aliases (more than {limit})"
    depth_problem: ClassVar[str] = "YAML nested too deeply (more than {limit} levels)"
    mark_lines: ClassVar[bool] = False
    # A key written twice in one mapping: refused (the first would be silently lost) rather than the last one kept.
    refuse_repeated_keys: ClassVar[bool] = False

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._aliases = 0
        self._depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            self._aliases += 1
            if self.max_aliases is not None and self._aliases > self.max_aliases:
                raise YamlLimitError(None, None, self.alias_problem.format(limit=self.max_aliases),
                                     self.peek_event().start_mark)
            return super().compose_node(parent, index)
        if not self.check_event(yaml.MappingStartEvent, yaml.SequenceStartEvent):
            return super().compose_node(parent, index)
        self._depth += 1
        try:
            if self.max_depth is not None and self._depth > self.max_depth:
                raise YamlLimitError(None, None, self.depth_problem.format(limit=self.max_depth),
                                     self.peek_event().start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Hashable, Any]:
        if self.refuse_repeated_keys:
            _refuse_repeated_keys(node)
        mapping = super().construct_mapping(node, deep=deep)
        if self.mark_lines:
            mapping[LINE_KEY] = node.start_mark.line + 1
        return mapping


def _refuse_repeated_keys(node: yaml.MappingNode) -> None:
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            continue
        key = key_node.value
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"key {key!r} is written twice in one mapping (first on line {seen[key]})",
                key_node.start_mark)
        seen[key] = key_node.start_mark.line + 1


def load_marked(text: str, loader: type[GuardedLoader]) -> Any:
    """The one document in ``text``; raises yaml.YAMLError (YamlLimitError for a broken limit)."""
    return yaml.load(text, Loader=loader)  # noqa: S506 - every GuardedLoader is a SafeLoader


@dataclass
class KeyedMapping:
    """A top-level mapping read key by key: the values, each key's line, and the refused keys in file order."""

    values: dict[str, Any] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)
    # (line, key) of a key that repeats one above it (its first line is in ``lines``), or (line, None) for a key that
    # is not text
    refused: list[tuple[int, str | None]] = field(default_factory=list)


def read_keyed_mapping(loader: GuardedLoader, node: yaml.MappingNode, first_line: int = 1) -> KeyedMapping:
    """Each key of ``node`` with its line (``first_line``: the file's line of the document's first line); a repeated
    key is refused, not allowed to override the first."""
    read = KeyedMapping()
    for key_node, value_node in node.value:
        line = key_node.start_mark.line + first_line
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str):
            read.refused.append((line, None))
            continue
        if key in read.values:
            read.refused.append((line, key))
            continue
        read.values[key] = loader.construct_object(value_node, deep=True)
        read.lines[key] = line
    return read
