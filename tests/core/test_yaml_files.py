"""The guarded YAML loader shared by the quiz files and the lesson front matter."""

from __future__ import annotations

import pytest
import yaml

from lms.core.yaml_files import LINE_KEY, GuardedLoader, YamlLimitError, load_marked, read_keyed_mapping


class Marked(GuardedLoader):
    max_aliases = 2
    max_depth = 3
    mark_lines = True


class NoAliases(GuardedLoader):
    max_aliases = 0
    alias_problem = "no aliases"


def test_every_mapping_knows_its_line():
    data = load_marked("title: x\nitems:\n  - a: 1\n  - b: 2\n", Marked)
    assert data[LINE_KEY] == 1
    assert [item[LINE_KEY] for item in data["items"]] == [3, 4]


def test_lines_are_recorded_only_when_asked():
    assert load_marked("a: 1\n", GuardedLoader) == {"a": 1}


def test_aliases_beyond_the_limit_are_refused_before_expansion_and_name_the_line():
    text = "a: &x [1]\nb: *x\nc: *x\nd: *x\n"
    with pytest.raises(YamlLimitError) as refused:
        load_marked(text, Marked)
    assert refused.value.problem == "too many YAML aliases (more than 2)"
    assert refused.value.problem_mark.line + 1 == 4
    with pytest.raises(YamlLimitError, match="no aliases"):
        load_marked("a: &x 1\nb: *x\n", NoAliases)


@pytest.mark.parametrize(("text", "refused"), [
    ("a: [[1]]\n", False),  # three levels: the mapping and two lists
    ("a: [[[1]]]\n", True),
    ("a: [[[]]]\n", True),
])
def test_nesting_counts_mappings_and_lists(text, refused):
    if refused:
        with pytest.raises(YamlLimitError, match="nested too deeply"):
            load_marked(text, Marked)
    else:
        assert load_marked(text, Marked)["a"] == [[1]]


def test_python_tags_stay_refused():
    with pytest.raises(yaml.YAMLError):
        load_marked("a: !!python/object/apply:os.system ['true']\n", Marked)


def test_keys_are_read_with_their_lines_and_a_repeated_key_does_not_override_the_first():
    loader = GuardedLoader("title: one\n1: x\ntitle: two\ntags: [a]\n")
    try:
        read = read_keyed_mapping(loader, loader.get_single_node(), first_line=2)
    finally:
        loader.dispose()
    assert read.values == {"title": "one", "tags": ["a"]}
    assert read.lines == {"title": 2, "tags": 5}
    assert read.refused == [(3, None), (4, "title")]
