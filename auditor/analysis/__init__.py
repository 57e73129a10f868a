"""What the estate means, independent of any rule: the role of each resource in the reference,
NSG and RBAC evaluation, built-in role GUIDs, what could not be read, and the verdict helpers."""

__all__ = [
    "architecture",
    "builtin_roles",
    "coverage",
    "nsg",
    "public_ips",
    "rbac",
    "values",
    "verdicts",
]
