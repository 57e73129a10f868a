"""A throwaway PostgreSQL cluster from the installed server binaries, for the history tests.

initdb into a temporary folder, then pg_ctl start on 127.0.0.1 at a free port (trust
authentication, nothing else listening); stopped and removed afterwards. PostgreSQL
refuses to run as root, so as root the server runs as the `postgres` account (Debian's
package creates it) or `nobody`.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

USER = "auditor"


def find_bindir() -> Path | None:
    """The newest installed PostgreSQL server's bin folder (Debian: /usr/lib/postgresql/N/bin)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _runner() -> list[str]:
    if os.geteuid() != 0:
        return []
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        return (
            ["runuser", "-u", name, "--"] if shutil.which("runuser") else ["su", name, "-s", "/bin/sh", "-c"]
        )
    raise RuntimeError("running as root and no postgres or nobody account to run the server as")


@dataclass
class Cluster:
    """A running cluster: its folder, port and the URL the tests use."""

    bindir: Path
    folder: Path
    port: int

    @property
    def url(self) -> str:
        """The SQLAlchemy URL of the cluster's default database."""
        return f"postgresql+psycopg://{USER}@127.0.0.1:{self.port}/postgres"

    def stop(self) -> None:
        """Stop the server (fast shutdown) and delete its folder."""
        subprocess.run(
            [
                *_runner(),
                str(self.bindir / "pg_ctl"),
                "-D",
                str(self.folder / "data"),
                "-m",
                "fast",
                "-w",
                "stop",
            ],
            capture_output=True,
            check=False,
            timeout=60,
        )
        shutil.rmtree(self.folder, ignore_errors=True)


def start(bindir: Path | None = None) -> Cluster:
    """initdb and start a cluster; RuntimeError with the server's words if it cannot."""
    bindir = bindir or find_bindir()
    if bindir is None:
        raise RuntimeError("no PostgreSQL server binaries (Debian package 'postgresql')")
    folder = Path(tempfile.mkdtemp(prefix="auditor-pg-"))
    runner = _runner()
    if runner:
        shutil.chown(folder, user=runner[2] if runner[0] == "runuser" else runner[1])
    port = _free_port()
    data = folder / "data"
    steps = [
        [str(bindir / "initdb"), "-D", str(data), "-U", USER, "--auth=trust", "-E", "UTF8", "--no-sync"],
        [
            str(bindir / "pg_ctl"),
            "-D",
            str(data),
            "-l",
            str(folder / "server.log"),
            "-o",
            f"-h 127.0.0.1 -p {port} -k {folder} -c max_connections=60 -c fsync=off",
            "-w",
            "-t",
            "60",
            "start",
        ],
    ]
    for step in steps:
        command = [*runner, *step] if runner[:1] == ["runuser"] or not runner else [*runner, " ".join(step)]
        done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=120)
        if done.returncode != 0:
            log = (folder / "server.log").read_text() if (folder / "server.log").exists() else ""
            shutil.rmtree(folder, ignore_errors=True)
            raise RuntimeError(
                f"{Path(step[0]).name} failed: {done.stderr.strip() or done.stdout.strip()} {log}"
            )
    return Cluster(bindir, folder, port)


if __name__ == "__main__":  # pragma: no cover
    cluster = start()
    print(cluster.url)
    cluster.stop()
