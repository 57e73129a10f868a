"""YAML read strictly, for baselines and waiver files: one document, no duplicate keys, bounded size.

PyYAML's safe loader accepts a key given twice (the last one silently wins) and expands
aliases without limit: a few hundred bytes of nested aliases stand for billions of nodes,
which anything walking the data (the parameter checks, a report) would try to visit. Here
the composed node graph is checked first, counting every node as often as aliases repeat
it, and a document over the bounds is an input error naming the file and the line.
"""

from __future__ import annotations

from typing import Any

import yaml

from auditor.errors import InputError

__all__ = ["MAX_DEPTH", "MAX_NODES", "compose", "construct", "load"]

# A shipped baseline has about 300 nodes; a waiver file of a thousand entries about 12,000.
MAX_NODES = 200_000
MAX_DEPTH = 64
# libyaml's composer where PyYAML was built with it (several times faster), else the pure-Python one.
_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_MERGE = "tag:yaml.org,2002:merge"


def compose(text: str, source: str, duplicates: bool = True) -> yaml.Node | None:
    """The single document's node graph (None for an empty file), checked; errors name `source` and the line.

    `duplicates=False` leaves duplicate keys to the caller, which can say more about where they are.
    """
    loader = _LOADER(text)
    try:
        node = loader.get_single_node()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        said = [getattr(exc, "context", None), getattr(exc, "problem", None)]
        problem = " ".join(str(part) for part in said if part) or "a syntax error"
        if mark is None:
            raise InputError(f"{source}: not valid YAML: {problem}") from None
        line, column = mark.line + 1, mark.column + 1
        raise InputError(
            f"{source}:{line}: not valid YAML (line {line}, column {column}): {problem}"
        ) from None
    except RecursionError:
        raise InputError(f"{source}: not accepted: YAML nested deeper than the parser can follow") from None
    finally:
        loader.dispose()
    if node is not None:
        _check(node, source, duplicates)
    return node


def construct(node: yaml.Node | None, source: str) -> Any:
    """The Python data of a checked node graph (mappings, lists, scalars)."""
    if node is None:
        return None
    loader = yaml.SafeLoader("")
    try:
        return loader.construct_document(node)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "a value YAML cannot construct"
        raise InputError(f"{source}{where}: {problem}") from None
    except (ValueError, OverflowError) as exc:  # a date like 2030-02-30, an integer over 4,300 digits
        raise InputError(f"{source}: a value cannot be read: {' '.join(str(exc).split())[:120]}") from None


def load(text: str, source: str) -> Any:
    """Compose, check and construct one YAML document."""
    return construct(compose(text, source), source)


def _check(root: yaml.Node, source: str, duplicates: bool) -> None:
    """Duplicate keys, depth, and the size the document would have with every alias expanded."""
    sizes: dict[int, int] = {}
    # Iterative post-order walk; a node reached again through an alias is counted from `sizes`.
    stack: list[tuple[yaml.Node, int, bool]] = [(root, 0, False)]
    active: set[int] = set()
    while stack:
        node, depth, done = stack.pop()
        key = id(node)
        if done:
            active.discard(key)
            sizes[key] = 1 + sum(sizes[id(child)] for child in _children(node))
            if sizes[key] > MAX_NODES:
                raise InputError(
                    f"{source}:{_line(node)}: not accepted: the document expands to more than {MAX_NODES:,}"
                    " values (aliases repeat anchored data; write the values out or use fewer aliases)"
                )
            continue
        if key in sizes:
            continue
        if key in active:
            raise InputError(f"{source}:{_line(node)}: not accepted: an alias refers to its own anchor")
        if depth > MAX_DEPTH:
            raise InputError(f"{source}:{_line(node)}: not accepted: nested deeper than {MAX_DEPTH} levels")
        if duplicates and isinstance(node, yaml.MappingNode):
            _no_duplicates(node, source)
        active.add(key)
        stack.append((node, depth, True))
        for child in _children(node):
            if id(child) not in sizes:
                stack.append((child, depth + 1, False))


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _no_duplicates(node: yaml.MappingNode, source: str) -> None:
    seen: dict[tuple[str, str], int] = {}
    for key_node, _ in node.value:
        if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == _MERGE:
            continue
        ident = (key_node.tag, key_node.value)
        if ident in seen:
            raise InputError(
                f"{source}:{_line(key_node)}: duplicate key {key_node.value!r:.80}"
                f" (first given on line {seen[ident]})"
            )
        seen[ident] = _line(key_node)


def _line(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1
