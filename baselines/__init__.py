"""The shipped baselines, as YAML files beside this module (read with importlib.resources).

The package holds data only: no Python names.
"""

__all__: list[str] = []
