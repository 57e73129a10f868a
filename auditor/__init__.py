"""Audit Azure estates against the baseline OpenAI end-to-end chat reference architecture."""

__all__ = ["TOOL_NAME", "__version__"]

__version__ = "0.1.0"
TOOL_NAME = "auditor"
