"""The rule catalogue: one module per control family. Importing this registers every rule."""

from . import (
    content_filter,
    content_safety,
    diagnostics,
    identity,
    nsg,
    private_endpoints,
    public_access,
    public_access_house,
    public_access_web,
    reliability,
    reliability_models,
)

__all__ = [
    "content_filter",
    "content_safety",
    "diagnostics",
    "identity",
    "nsg",
    "private_endpoints",
    "public_access",
    "public_access_house",
    "public_access_web",
    "reliability",
    "reliability_models",
]
