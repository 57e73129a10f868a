"""Strings from Azure made harmless to show: no control characters, no direction overrides.

Resource names, tags and messages come from whoever can write to the subscription. On a
terminal an escape sequence in a name could clear the screen, set the window title or plant
an OSC 8 link; Unicode direction overrides (the "Trojan Source" characters) make a name
read differently from what it is, in any viewer. Each renderer escapes its own syntax (HTML,
Markdown, CSV formulas, rich markup); this module removes what no format should pass on.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["REPLACEMENT", "printable", "terminal"]

REPLACEMENT = "\ufffd"
# C0 controls but tab and newline, DEL, the C1 controls (CSI, OSC and friends as single bytes), and
# lone surrogates (JSON can carry them as escapes; no UTF-8 file can hold them).
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
# Bidirectional embeddings, overrides, isolates and marks.
_BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def printable(text: Any) -> str:
    """The text with control characters (but tab and newline), lone surrogates and direction controls
    replaced by U+FFFD."""
    return _BIDI.sub(REPLACEMENT, _CONTROL.sub(REPLACEMENT, str(text)))


def terminal(text: Any) -> str:
    """`printable`, with tabs as spaces: what may reach a terminal."""
    return printable(text).replace("\t", " ")
