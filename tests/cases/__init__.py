"""Per-family case tables: named mutations of the sample estates and the statuses they must give."""
