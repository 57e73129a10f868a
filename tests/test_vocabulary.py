"""One meaning per word: "role" alone is an architecture role (what a resource is in the
reference: the gateway subnet, the online endpoint, the chat UI). An Azure RBAC role is a
`role_definition` (or `rbac_role`), and `role_assignment` is Azure's own name for granting one."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from tests import paths

# Words that make an identifier about Azure RBAC rather than about the architecture.
RBAC_WORDS = {
    "guid",
    "guids",
    "rbac",
    "builtin",
    "privileged",
    "grant",
    "grants",
    "permission",
    "permissions",
}
# The compounds RBAC code must use for its roles.
RBAC_COMPOUNDS = ("role_definition", "rbac_role", "role_assignment")
# Published names that cannot change without breaking users' baselines, each with its reason.
PUBLISHED = {
    "privileged_roles": "IAM002's baseline parameter (role definition GUIDs)",
    "data_plane_roles": "IAM003's baseline parameter (role definition GUIDs)",
}


def _tokens(name: str) -> list[str]:
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name.strip("_"))
    return [t.lower() for t in spaced.split("_") if t]


def misnamed(source: str) -> list[str]:
    """Identifiers that speak of roles and of RBAC without the RBAC compounds."""
    found = []
    for node in ast.walk(ast.parse(source)):
        names: list[str] = []
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.append(node.name)
        elif isinstance(node, ast.arg):
            names.append(node.arg)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.append(node.id)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
            names.append(node.attr)
        for name in names:
            tokens = _tokens(name)
            if not {"role", "roles"} & set(tokens) or name in PUBLISHED:
                continue
            joined = "_".join(tokens)
            if RBAC_WORDS & set(tokens) and not any(c in joined for c in RBAC_COMPOUNDS):
                found.append(name)
    return found


def _modules() -> list[Path]:
    return [
        p for folder in ("auditor", "rules", "reports") for p in sorted((paths.ROOT / folder).rglob("*.py"))
    ]


def test_rbac_roles_are_named_role_definition() -> None:
    problems = [
        f"{p.relative_to(paths.ROOT)}: {n}" for p in _modules() for n in misnamed(p.read_text("utf-8"))
    ]
    assert problems == [], "name RBAC roles role_definition or rbac_role:\n" + "\n".join(problems)


@pytest.mark.parametrize(
    ("source", "bad"),
    [
        ("def role_guid(ra): ...", ["role_guid"]),
        ("privileged_role = 1", ["privileged_role"]),
        ("def f(rbac_roles, role): ...", []),
        ("role_definition_guid = 1\nsubnet_roles = {}", []),
    ],
)
def test_the_check_tells_the_two_meanings_apart(source: str, bad: list[str]) -> None:
    assert misnamed(source) == bad
