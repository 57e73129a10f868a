"""Helpers the live tests share: environment for the real clients, CLI runs, sample paths."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from auditor.arm.snapshot import Snapshot
from auditor.collect import Cloud, collect_snapshot
from auditor.collect.context import Settings
from tests.fakearm.server import FakeArm

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
SAMPLE_NAMES = (
    "openai-e2e-chat-aistudio-compliant",
    "openai-e2e-chat-aistudio-drifted",
    "openai-e2e-chat-aml-compliant",
    "openai-e2e-chat-aml-drifted",
    "microsoft-foundry-chat-compliant",
    "microsoft-foundry-chat-drifted",
)
# Variables through which a real login could leak into a test run.
FOREIGN_ENV = re.compile(r"^(AZURE_|AUDITOR_|MSI_|IDENTITY_|IMDS_|REQUESTS_CA_BUNDLE$|CURL_CA_BUNDLE$)")


def sample_path(name: str) -> Path:
    return EXAMPLES / f"{name}.json"


def baseline_of(name: str) -> str:
    if name.startswith("microsoft-foundry-chat"):
        return "microsoft-foundry-chat"
    return "openai-e2e-chat-aistudio" if "aistudio" in name else "openai-e2e-chat-aml"


@contextmanager
def azure_env(fake: FakeArm, **overrides: str | None) -> Iterator[None]:
    """Point azure-identity and the SDKs of this process at the fake server (None unsets)."""
    saved = dict(os.environ)
    for key in [k for k in os.environ if FOREIGN_ENV.match(k)]:
        del os.environ[key]
    os.environ.update(fake.env())
    for key, value in overrides.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def collect(
    fake: FakeArm,
    subscriptions: list[str] | None,
    progress: Callable[[str], None] | None = None,
    resource_groups: Sequence[str] = (),
    management_group: str | None = None,
    shard: tuple[int, int] | None = None,
    **settings: Any,
) -> Snapshot:
    """An in-process collection with fast retries (tests inject 500s and 429s).

    Lists are read with ARM unless `resource_graph=True`: the tests inject their faults on ARM
    paths; tests/collect/test_graph.py proves that both ways give the same snapshot.
    """
    options: dict[str, Any] = {
        "workers": 4,
        "retry_backoff_factor": 0.01,
        "resource_graph": False,
        **settings,
    }
    with azure_env(fake), client_clock(fake):
        cloud = Cloud.from_options(fake.url, fake.url)
        return collect_snapshot(
            cloud,
            subscriptions,
            progress,
            settings=Settings(**options),
            resource_groups=resource_groups,
            management_group=management_group,
            shard=shard,
        )


@contextmanager
def client_clock(fake: FakeArm) -> Iterator[None]:
    """Time every request where this process sends it and its answer where it arrives, for the
    fake's limits to judge `Retry-After` by (see tests/fakearm/limits.py).

    Observes requests' transport adapter (below azure-core's whole pipeline); changes nothing.
    """
    limits = fake.limits
    if limits is None:
        yield
        return
    import requests.adapters

    original = requests.adapters.HTTPAdapter.send

    def send(self: Any, request: Any, *args: Any, **kwargs: Any) -> Any:
        path = urlsplit(request.url).path
        limits.sent(unquote(path), time.monotonic())
        response = original(self, request, *args, **kwargs)
        limits.received(
            unquote(path), time.monotonic(), response.status_code, response.headers.get("Retry-After")
        )
        return response

    requests.adapters.HTTPAdapter.send = send  # type: ignore[method-assign]
    limits.client_timed = True
    try:
        yield
    finally:
        requests.adapters.HTTPAdapter.send = original  # type: ignore[method-assign]
        limits.client_timed = False


def auditor_command() -> list[str]:
    script = Path(sys.executable).with_name("auditor")
    if script.exists():
        return [str(script)]
    found = shutil.which("auditor")
    return [found] if found else [sys.executable, "-m", "auditor"]


def run_cli(
    fake: FakeArm, args: list[str], home: Path, overrides: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the real console script against the fake server, with no other login in reach."""
    env = {k: v for k, v in os.environ.items() if not FOREIGN_ENV.match(k)}
    env.update(fake.env())
    config = home / "azure-config"
    config.mkdir(exist_ok=True)
    env.update({"AZURE_CONFIG_DIR": str(config), "HOME": str(home), "COLUMNS": "200"})
    env.update(overrides or {})
    return subprocess.run(
        [*auditor_command(), *args],
        env=env,
        cwd=home,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def reproduce_errors(fake: FakeArm, errors: list[dict[str, Any]]) -> None:
    """Make the server fail the reads a saved snapshot recorded as failed."""
    for error in errors:
        fake.add_fault(
            f"^{re.escape(error['scope'])}$", int(error.get("status") or 500), code=error.get("code")
        )


def start_cli(
    fake: FakeArm | None, args: list[str], home: Path, overrides: Mapping[str, str] | None = None
) -> subprocess.Popen[str]:
    """Start the real console script (against the fake server, if given) without waiting for it."""
    env = {k: v for k, v in os.environ.items() if not FOREIGN_ENV.match(k)}
    if fake is not None:
        env.update(fake.env())
    config = home / "azure-config"
    config.mkdir(exist_ok=True)
    env.update({"AZURE_CONFIG_DIR": str(config), "HOME": str(home), "COLUMNS": "200"})
    env.update(overrides or {})
    return subprocess.Popen(
        [*auditor_command(), *args],
        env=env,
        cwd=home,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
