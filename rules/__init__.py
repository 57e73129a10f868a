"""The rule catalogue: one module per control family. Importing this registers every rule."""

from . import (
    content_filter,
    diagnostics,
    foundry_core,
    identity,
    nsg,
    nsg_foundry,
    private_endpoints,
    public_access,
    public_access_web,
    reliability,
)

__all__ = [
    "content_filter",
    "diagnostics",
    "foundry_core",
    "identity",
    "nsg",
    "nsg_foundry",
    "private_endpoints",
    "public_access",
    "public_access_web",
    "reliability",
]
