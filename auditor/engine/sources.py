"""The public sources the rules cite: Learn article sections and reference-implementation files.

A rule's `references` name the English heading of the article section it rests on and, for a
concrete setting, the reference implementation's file at the commit the baselines follow, with
its lines, so a user who has never seen the team's notes can follow every citation.
"""

from __future__ import annotations

from auditor.model import Reference

ARTICLE_TITLE = "Baseline OpenAI end-to-end chat reference architecture"
ARTICLE_URL = "https://learn.microsoft.com/azure/architecture/ai-ml/architecture/baseline-openai-e2e-chat"
FOUNDRY_ARTICLE_TITLE = "Baseline Microsoft Foundry chat reference architecture"
FOUNDRY_ARTICLE_URL = (
    "https://learn.microsoft.com/azure/architecture/ai-ml/architecture/baseline-microsoft-foundry-chat"
)
APP_SERVICE_BASELINE_TITLE = "Baseline highly available zone-redundant web application"
APP_SERVICE_BASELINE_URL = "https://learn.microsoft.com/azure/architecture/web-apps/app-service/architectures/baseline-zone-redundant"

# The reference implementations at the commits the baselines follow: the Azure Machine Learning
# workspace edition, the AI Studio hub edition, and the current Foundry Agent Service design.
_REPOS = {
    "aml": (
        "Azure-Samples/openai-end-to-end-baseline",
        "a2dbce5b7c92780389df5d92b80aaf5ab1ea7a50",
        "Reference implementation, Azure Machine Learning workspace edition",
    ),
    "hub": (
        "Azure-Samples/openai-end-to-end-baseline",
        "7f6ef9546b3e7b7ec3da9410fa5e8615a7b57df2",
        "Reference implementation, AI Studio hub edition",
    ),
    "foundry": (
        "Azure-Samples/microsoft-foundry-baseline",
        "1d6dd6815011d88ebfbe2acec65fb2ba3455c804",
        "Reference implementation, Microsoft Foundry edition",
    ),
}


def learn_anchor(heading: str) -> str:
    """The anchor Learn gives a heading: lower case, punctuation dropped, spaces as hyphens."""
    kept = "".join(c for c in heading.lower() if c.isalnum() or c in " -")
    return kept.replace(" ", "-")


def article(section: str) -> Reference:
    """A section of the baseline chat architecture article, by its English heading."""
    return Reference(f"{ARTICLE_TITLE}: {section}", f"{ARTICLE_URL}#{learn_anchor(section)}")


def foundry_article(section: str) -> Reference:
    """A section of the Foundry Agent Service chat architecture article, by its English heading."""
    return Reference(f"{FOUNDRY_ARTICLE_TITLE}: {section}", f"{FOUNDRY_ARTICLE_URL}#{learn_anchor(section)}")


def app_service_baseline(section: str) -> Reference:
    """A section of the App Service baseline article that the chat UI tier follows."""
    return Reference(
        f"{APP_SERVICE_BASELINE_TITLE}: {section}", f"{APP_SERVICE_BASELINE_URL}#{learn_anchor(section)}"
    )


def implementation(edition: str, file: str = "", first: int = 0, last: int = 0) -> Reference:
    """A file of a reference implementation (its path in the repository) at its commit, with its
    lines; without a file, the whole tree at that commit."""
    repo, commit, label = _REPOS[edition]
    if not file:
        return Reference(label, f"https://github.com/{repo}/tree/{commit}")
    url = f"https://github.com/{repo}/blob/{commit}/{file}"
    lines = ""
    if first:
        url += f"#L{first}" + (f"-L{last}" if last and last != first else "")
        lines = f", line {first}" if not last or last == first else f", lines {first}-{last}"
    return Reference(f"{label}: {file}{lines}", url)


def supported_logs(resource_type: str) -> Reference:
    """Azure Monitor's list of the resource log categories a resource type emits."""
    slug = resource_type.lower().replace(".", "-").replace("/", "-")
    return Reference(
        f"Supported logs for {resource_type}",
        f"https://learn.microsoft.com/azure/azure-monitor/reference/supported-logs/{slug}-logs",
    )
