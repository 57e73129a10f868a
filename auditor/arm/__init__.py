"""ARM data: resource ids, one constant per resource type, the snapshot, the indexed estate,
the read log of a rule, and narrowing an estate to resource groups."""

__all__ = ["estate", "ids", "reads", "scope", "snapshot", "types"]
