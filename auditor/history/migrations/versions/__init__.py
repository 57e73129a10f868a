"""One module per schema revision, oldest first."""

__all__: list[str] = []
