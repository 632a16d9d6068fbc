"""Text we do not control (Run Command output from the server, Azure error messages, SMB errors)
made safe to show on a terminal and to write to the run log.

A terminal obeys control characters: ESC starts sequences that move the cursor, clear the screen
or (OSC 52) write the operator's clipboard, and the C1 range has 8-bit forms of the same (CSI is
U+009B). Rich drops BEL but passes ESC through. So every C0 and C1 control character and DEL is
removed, except the line breaks and tabs the caller wants kept. This is the one sanitizer: call it
where such text enters hpcshare (wizard.remote.protocol, wizard.azure.errors, wizard.verify) and
where it leaves (wizard.runlog).
"""
from __future__ import annotations

# C0 (U+0000-U+001F), DEL (U+007F), C1 (U+0080-U+009F).
_CONTROLS = {c for c in range(0x20)} | {0x7F} | set(range(0x80, 0xA0))


# One line: a tab or line break becomes a space (words stay apart); several lines keep \n and \t.
_ONE_LINE: dict[int, str | None] = {c: (" " if chr(c) in "\t\n\r" else None) for c in _CONTROLS}
_MULTI_LINE: dict[int, str | None] = {c: None for c in _CONTROLS if chr(c) not in "\n\t"}


def printable(text: str, *, multiline: bool = False) -> str:
    """``text`` without control characters. One line: tabs and line breaks become spaces;
    ``multiline`` keeps \\n and \\t (a CR is dropped)."""
    return str(text).translate(_MULTI_LINE if multiline else _ONE_LINE)
