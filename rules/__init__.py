"""The rule catalogue: one module per control family. Importing this registers every rule."""

from . import (  # noqa: F401
    content_filter,
    diagnostics,
    identity,
    nsg,
    private_endpoints,
    public_access,
    public_access_web,
    reliability,
)
