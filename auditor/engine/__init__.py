"""The rule framework and its policy: the registry, typed parameters, baselines, the run (with
its `settle` step), scoring, waivers, the gate and the rule catalogue."""

__all__ = [
    "baseline",
    "catalogue",
    "describe",
    "gate",
    "params",
    "registry",
    "run",
    "scoring",
    "waivers",
]
