"""All the figures of docs/reliability.md in one run: faults, secrets and read-only, hostile input.

Run: python benchmarks/reliability.py [--only faults|secrets|input ...]
Each section has its own script, which rewrites only its own part of the page between its markers;
this runs them one after the other (about 20 minutes on 2 cores) and stops at the first that fails.
"""

from __future__ import annotations

import argparse
import subprocess  # nosec B404 - runs the project's own benchmark scripts
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "reliability.md"
HERE = Path(__file__).resolve().parent

# section -> the script that writes it and its arguments
SECTIONS: dict[str, list[str]] = {
    "faults": [str(HERE / "fault_matrix.py"), "--write", str(PAGE)],
    "secrets": [str(HERE / "secrets_bench.py"), "--write", str(PAGE)],
    "input": [str(HERE / "hostile_input.py"), "--write"],
}


def main() -> int:
    """Run the chosen sections' scripts (all by default); the exit code of the first that fails."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", action="append", choices=sorted(SECTIONS), help="a section (repeatable)")
    args = parser.parse_args()
    for name in args.only or list(SECTIONS):
        print(f"== {name}: {' '.join(Path(a).name if a.endswith('.py') else a for a in SECTIONS[name])}")
        done = subprocess.run([sys.executable, *SECTIONS[name]], cwd=ROOT, check=False)  # nosec B603
        if done.returncode != 0:
            print(f"{name}: exit {done.returncode}", file=sys.stderr)
            return done.returncode
    return 0


if __name__ == "__main__":
    sys.exit(main())
