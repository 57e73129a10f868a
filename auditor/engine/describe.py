"""What a report says about the tool, the baseline and its rules: plain values, fixed when the audit runs.

The renderers are pure functions of the report, so everything they used to look up
(the installed distribution's URLs, the baseline file's location relative to the
working directory, the line of each rule in it) is looked up here, once.
"""

from __future__ import annotations

import os
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from auditor import TOOL_NAME, __version__
from auditor.analysis.architecture import Roles
from auditor.engine.baseline import Baseline, shipped_baselines
from auditor.engine.registry import all_rules
from auditor.model import BaselineInfo, BaselineRule, RoleExplanation, RuleInfo, ToolInfo

DIST_NAME = "azure-chat-auditor"


@lru_cache(maxsize=1)
def tool_info() -> ToolInfo:
    """This tool, with the https Project-URLs of the installed distribution (none when not installed)."""
    try:
        entries = metadata.metadata(DIST_NAME).get_all("Project-URL") or []
    except metadata.PackageNotFoundError:
        entries = []
    urls: dict[str, str] = {}
    for entry in entries:
        label, _, url = entry.partition(",")
        if url.strip().startswith("https://"):
            # The first entry of a label wins, as a reader of the metadata would see it.
            urls.setdefault(label.strip().lower(), url.strip())
    return ToolInfo(name=TOOL_NAME, version=__version__, urls=urls)


def baseline_info(baseline: Baseline, cwd: Path | None = None) -> BaselineInfo:
    """The baseline as the reports show it; its file URI is relative to `cwd` (default: the current one)."""
    lines = baseline.rule_lines
    return BaselineInfo(
        name=baseline.name,
        version=baseline.version,
        title=baseline.title,
        variant=baseline.variant,
        source=baseline.source,
        artifact=baseline_artifact(baseline.source, baseline.name, cwd),
        shipped=is_shipped(baseline.source, baseline.name),
        rules={
            rid: BaselineRule(level=s.level, weight=s.weight, line=lines.get(rid, 1))
            for rid, s in baseline.rules.items()
        },
    )


def rule_infos(baseline: Baseline) -> tuple[RuleInfo, ...]:
    """The descriptors of the baseline's rules, in the baseline's order."""
    catalogue = all_rules()
    return tuple(catalogue[rid].info for rid in baseline.rules if rid in catalogue)


def role_explanations(roles: Roles) -> tuple[RoleExplanation, ...]:
    """Why each resource plays its architecture role, as plain values."""
    return tuple(roles.explanations)


def baseline_artifact(source: str, name: str, cwd: Path | None = None) -> str:
    """A relative URI for the baseline: the team's own file as they named it, or the shipped one."""
    if is_shipped(source, name):
        return f"auditor/baselines/{shipped_baselines()[name].name}"
    return repository_uri(source, cwd) or Path(source).as_posix().lstrip("/")


def is_shipped(source: str, name: str) -> bool:
    """Whether the baseline file is the one installed with the tool (not a file of the user's)."""
    shipped = shipped_baselines().get(name)
    return shipped is not None and _same_file(Path(source), shipped)


def repository_uri(source: str, cwd: Path | None = None) -> str | None:
    """A file's path relative to `cwd` (default: the current folder) as a URI; None when outside it."""
    path = Path(source)
    try:
        relative = os.path.relpath(path.resolve(), (cwd or Path.cwd()).resolve())
    except ValueError:  # another drive on Windows
        return None
    if relative.startswith(".."):
        return None
    return Path(relative).as_posix()


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False
