"""Escaping for the HPC Pack files: the share password in a task command line, findstr regexes,
PowerShell literals, CRLF text.

The one function that matters is ``escape_netuse_password``. A NodePrep command line such as

    cmd /c net use \\\\SRV\\SHARE /delete /y >nul 2>&1 & net use \\\\SRV\\SHARE /user:SRV\\user PASSWORD /persistent:no

goes through three interpreters on its way to ``net.exe``, outermost first:

1. the HPC job scheduler, which turns ``*`` into the sub-task id in NodePrep and NodeRelease
   command lines unless it is written ``^*`` [doc Add-HpcTask / Set-HpcTask];
2. ``cmd.exe``, once, in command-line mode (not a batch file) with delayed expansion off
   (the Windows default);
3. ``net.exe``'s own argument parsing (the Microsoft C runtime rules).

So the password is encoded for those layers in reverse order:

* C runtime: a ``"`` becomes ``\\"``, the backslashes just before a ``"`` are doubled; a password
  with a space is wrapped in quotes (and its trailing backslashes doubled).
* cmd.exe: every quote is written ``^"``, so cmd never enters a quoted section and keeps
  processing carets; ``^ & | < > ( )`` get a caret. ``%`` cannot be escaped with a caret on a
  command line, because ``%name%`` expansion (phase 1) runs before carets are removed (phase 2),
  and ``%%`` is only collapsed inside batch files: on a command line it would reach net.exe
  as ``%%``. What works is to break the variable name: every ``%`` is followed by a caret
  (``%^x``), so any ``%...%`` pair names a variable that starts with ``^``, which is never
  defined, and the expansion leaves the text alone; phase 2 then drops the caret. A character
  that already gets a caret (``^"``, ``^&`` ...) needs no second one. A trailing ``%`` gets its
  caret too (``100%^``): the password appears several times in one NodePrep line (cmdkey and
  three net use attempts), and without it a trailing ``%`` would pair with a ``%`` of the next
  copy. The caret then escapes the character after the password, which is always a space
  (an escaped space is still a space to cmd.exe and to net.exe's argument splitting).
* HPC: ``*`` becomes ``^*``. That form is right whichever way the scheduler treats the caret:
  if it strips it, cmd sees a plain ``*`` (nothing special to cmd); if it leaves it, cmd reads
  ``^*`` as an escaped ``*``. Either way net.exe gets ``*``.

Not handled, by design: ``!`` is literal only while delayed expansion is off (cmd's default;
a node whose registry turns it on would need ``^^!``); characters outside printable ASCII and
control characters (tabs, newlines) are refused. Generated passwords (wizard.answers) avoid every
special character, so all of this only matters for a typed password that is embedded on request.
"""
from __future__ import annotations

import re

#: What the job XML holds instead of the password unless embedding is requested. Letters and
#: underscores only: it passes every layer above unchanged.
PASSWORD_PLACEHOLDER = "__HPCSHARE_SHARE_PASSWORD__"

_CMD_SPECIAL = frozenset('^&|<>()"*')
PASSWORD_FIELD = "share password (embed_password)"


def check_password(password: object) -> str:
    """The password if it can be embedded, else ValueError naming the field."""
    if not isinstance(password, str) or not 1 <= len(password) <= 127:
        raise ValueError(f"{PASSWORD_FIELD}: 1-127 characters")
    if any(not 32 <= ord(c) <= 126 for c in password):
        raise ValueError(f"{PASSWORD_FIELD}: printable ASCII characters only "
                         "(no tabs, newlines or non-ASCII characters)")
    return password


def crt_quote(arg: str) -> str:
    """One argument as the Microsoft C runtime (and so net.exe) splits a command line."""
    quote = " " in arg or "\t" in arg
    out: list[str] = []
    backslashes = 0
    for ch in arg:
        if ch == "\\":
            backslashes += 1
            continue
        if ch == '"':
            out.append("\\" * (2 * backslashes + 1) + '"')
        else:
            out.append("\\" * backslashes + ch)
        backslashes = 0
    if quote:
        return '"' + "".join(out) + "\\" * (2 * backslashes) + '"'
    return "".join(out) + "\\" * backslashes


def cmd_hpc_escape(text: str) -> str:
    """Text for an unquoted place in a cmd.exe command line that the HPC scheduler passes on.

    See the module docstring: carets for cmd's special characters and quotes, ``^*`` for the
    HPC ``*`` rule, and a caret after every ``%`` so no ``%name%`` can expand.
    """
    out: list[str] = []
    caret_next = False
    for ch in text:
        if ch in _CMD_SPECIAL or caret_next:
            out.append("^" + ch)
        else:
            out.append(ch)
        caret_next = ch == "%"
    if caret_next:
        out.append("^")  # escapes the space that always follows; see the module docstring
    return "".join(out)


def escape_netuse_password(password: str) -> str:
    """The password as it must appear in a NodePrep command line, in place of the placeholder,
    where a space always follows it.

    The XML layer is not handled here: ElementTree escapes the attribute when it writes it.
    """
    return cmd_hpc_escape(crt_quote(check_password(password)))


def findstr_literal(text: str) -> str:
    """A findstr /R pattern matching ``text`` literally (only '.' needs it in our values)."""
    if not re.fullmatch(r"[A-Za-z0-9.-]+", text, flags=re.ASCII):
        raise ValueError(f"not a findstr-safe value: {text!r}")
    return text.replace(".", "\\.")


def ps_single_quoted(text: str) -> str:
    """A PowerShell single-quoted literal. Values placed with it are validated allow-list values;
    doubling ' is kept anyway, and the typographic quotes PowerShell also treats as quotes are refused."""
    if any(c in text for c in "\u2018\u2019\u201a\u201b") or any(not 32 <= ord(c) <= 126 for c in text):
        raise ValueError(f"not a safe PowerShell literal: {text!r}")
    return "'" + text.replace("'", "''") + "'"


def crlf(text: str) -> str:
    """LF text -> CRLF text (Windows files: cmd.exe needs CRLF, old Notepad shows LF as one line)."""
    if "\r" in text:
        raise ValueError("text already holds a carriage return")
    return text.replace("\n", "\r\n")
