"""A small MODEL of what happens to a NodePrep command line on a Windows node, for tests only.

It is not cmd.exe: it encodes the documented/observed rules the escaping relies on, so a test can
check that escape_netuse_password is consistent with them for many passwords. Where the real
behaviour is unknown, the model takes each plausible variant as a parameter and the tests
require the round trip to hold under all of them:

* HPC scheduler ``*`` rule (NodePrep/NodeRelease): a bare ``*`` becomes the sub-task id; ``^*``
  is an escaped asterisk. ``star="strip"``: the scheduler removes that caret; ``star="keep"``: it
  leaves ``^*`` for cmd.exe.
* cmd.exe phase 1, command-line mode: ``%name%`` (also ``%name:...%``) expands when ``name`` is
  defined, else the text stays. After an undefined pair, scanning resumes either after the
  closing ``%`` (``resume="after"``) or at it (``resume="at"``).
* cmd.exe phase 2: outside quotes ``^`` escapes the next character, ``"`` toggles quoting,
  unescaped ``& && || |`` separate commands, ``<``/``>`` redirect; delayed expansion is off.
  An unescaped ``(`` where a command starts opens a block, and an unescaped ``)`` closes the
  innermost open one; elsewhere they are ordinary characters (as in ``if exist X\\ (exit 0)``,
  which this model leaves inside the ``if`` command's text).
* Running the commands (``evaluate``): ``&`` binds loosest; ``||`` runs its right side only when
  the left failed, ``&&`` only when it succeeded; a block's result is its last command's; ``exit N``
  ends the line with N.
* net.exe argv: the Microsoft C runtime rules (backslashes before a quote, quotes, spaces).
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass


class Expanded(Exception):
    """A %variable% was expanded: the escaping failed to protect the text."""


def hpc_star(line: str, star: str, subtask: str = "7") -> str:
    out: list[str] = []
    i = 0
    while i < len(line):
        if line[i] == "^" and i + 1 < len(line) and line[i + 1] == "*":
            out.append("*" if star == "strip" else "^*")
            i += 2
        elif line[i] == "*":
            out.append(subtask)
            while i < len(line) and line[i] == "*":
                i += 1
        else:
            out.append(line[i])
            i += 1
    return "".join(out)


def percent_phase(line: str, env: Mapping[str, str], resume: str) -> str:
    names = {k.upper() for k in env}
    out: list[str] = []
    i = 0
    while i < len(line):
        if line[i] != "%":
            out.append(line[i])
            i += 1
            continue
        j = line.find("%", i + 1)
        if j == -1:
            out.append(line[i:])
            break
        name = line[i + 1:j]
        base = name.split(":", 1)[0]
        if base and base.upper() in names:
            raise Expanded(f"%{name}% would expand")
        if resume == "after":
            out.append(line[i:j + 1])
            i = j + 1
        else:
            out.append(line[i:j])
            i = j
    return "".join(out)


@dataclass
class Command:
    chars: list[tuple[str, bool]]          # (character, came from a caret escape)
    separator: str = ""
    opens: int = 0                         # blocks "(" opened just before this command
    closes: int = 0                        # blocks ")" closed just after it

    @property
    def text(self) -> str:
        return "".join(c for c, _ in self.chars)

    def unescaped(self, specials: str) -> set[str]:
        return {c for c, esc in self.chars if c in specials and not esc}


def caret_phase(line: str) -> list[Command]:
    cmds: list[Command] = []
    cur = Command([])
    quoted = False
    depth = 0
    i, n = 0, len(line)
    while i < n:
        c = line[i]
        if not quoted and c == "(" and not "".join(ch for ch, _ in cur.chars).strip():
            cur.opens += 1
            depth += 1
            i += 1
            continue
        if not quoted and c == ")" and depth > 0:
            cur.closes += 1
            depth -= 1
            i += 1
            continue
        if quoted:
            cur.chars.append((c, False))
            quoted = c != '"'
            i += 1
            continue
        if c == "^":
            if i + 1 < n:
                cur.chars.append((line[i + 1], True))
            i += 2
            continue
        if c == '"':
            quoted = True
            cur.chars.append((c, False))
            i += 1
            continue
        if c in "&|":
            sep = c
            if i + 1 < n and line[i + 1] == c:
                sep, i = c * 2, i + 1
            cur.separator = sep
            cmds.append(cur)
            cur = Command([])
            i += 1
            continue
        if c in "<>":
            # Drop a handle digit just before, the operator, and its target.
            if cur.chars and cur.chars[-1][0].isdigit() and (len(cur.chars) < 2 or cur.chars[-2][0] == " "):
                cur.chars.pop()
            i += 1
            if i < n and line[i] == ">":
                i += 1
            if i < n and line[i] == "&":
                i += 2
                continue
            while i < n and line[i] == " ":
                i += 1
            while i < n and line[i] not in " &|<>":
                i += 1
            continue
        cur.chars.append((c, False))
        i += 1
    cmds.append(cur)
    return cmds


def crt_argv(s: str) -> list[str]:
    args: list[str] = []
    i, n = 0, len(s)
    while True:
        while i < n and s[i] in " \t":
            i += 1
        if i >= n:
            return args
        cur: list[str] = []
        quoted = False
        while i < n:
            c = s[i]
            if c == "\\":
                j = i
                while j < n and s[j] == "\\":
                    j += 1
                count = j - i
                if j < n and s[j] == '"':
                    cur.append("\\" * (count // 2))
                    if count % 2:
                        cur.append('"')
                        i = j + 1
                    else:
                        i = j
                else:
                    cur.append("\\" * count)
                    i = j
                continue
            if c == '"':
                if quoted and i + 1 < n and s[i + 1] == '"':
                    cur.append('"')
                    i += 2
                    continue
                quoted = not quoted
                i += 1
                continue
            if c in " \t" and not quoted:
                break
            cur.append(c)
            i += 1
        args.append("".join(cur))


def run_on_node(command_line: str, env: Mapping[str, str], *, star: str, resume: str) -> list[Command]:
    """The commands cmd.exe would run for ``command_line`` (NodePrep), under one variant."""
    return caret_phase(percent_phase(hpc_star(command_line, star), env, resume))


class Exit(Exception):
    def __init__(self, code: int):
        super().__init__(code)
        self.code = code


def evaluate(cmds: list[Command], run) -> int:
    """Run parsed commands with cmd.exe's operators and blocks; ``run(command)`` gives each
    command's exit code. Returns the line's exit code (``exit N`` ends it at once)."""
    tokens: list[object] = []
    for c in cmds:
        tokens += ["("] * c.opens + [c] + [")"] * c.closes
        if c.separator:
            tokens.append(c.separator)
    pos = 0

    def peek() -> object:
        return tokens[pos] if pos < len(tokens) else None

    def take() -> object:
        nonlocal pos
        pos += 1
        return tokens[pos - 1]

    def seq(execute: bool) -> int:
        code = chain(execute)
        while peek() == "&":
            take()
            code = chain(execute)
        return code

    def chain(execute: bool) -> int:
        code = primary(execute)
        while peek() in ("||", "&&"):
            op = take()
            wanted = code != 0 if op == "||" else code == 0
            result = primary(execute and wanted)
            if execute and wanted:
                code = result
        return code

    def primary(execute: bool) -> int:
        tok = take()
        if tok == "(":
            code = seq(execute)
            assert take() == ")", "unbalanced block"
            return code
        assert isinstance(tok, Command), tok
        if not execute:
            return 0
        words = tok.text.split()
        if words and words[0].lower() == "exit":
            raise Exit(int(words[1]) if len(words) > 1 else 0)
        return run(tok)

    try:
        code = seq(True)
    except Exit as done:
        return done.code
    assert pos == len(tokens), tokens[pos:]
    return code

# ---- batch-file mode with delayed expansion (check-share.cmd) ------------------------------
#
# check-share.cmd never lets cmd.exe parse the password: it reads it with delayed expansion
# (!VAR!, !VAR:~i,1!), which runs in phase 5, after phase 2 has split commands and handled
# redirections, and whose result is not scanned again. The model below runs the few statements
# the password path uses, line by line, through: phase 1 in batch mode (%% -> %, %VAR% -> its
# value or nothing), phase 2 (caret_phase above; our lines hold no carets), phase 5 (!VAR!
# expansion, single pass). An IF compares its two quoted operands, split in phase 2 before they
# are expanded, as cmd.exe does. Anything else raises, so the model cannot pass over a statement
# it does not understand.


class Unsupported(Exception):
    """A statement the batch model does not know."""


def percent_batch(line: str, env: Mapping[str, str]) -> str:
    """Phase 1 in a batch file: %% is a percent sign, %NAME% its value (empty when undefined)."""
    low = {k.upper(): v for k, v in env.items()}
    out: list[str] = []
    i = 0
    while i < len(line):
        if line[i] != "%":
            out.append(line[i])
            i += 1
            continue
        if line.startswith("%%", i):
            out.append("%")
            i += 2
            continue
        j = line.find("%", i + 1)
        if j == -1:
            i += 1          # a lone % is dropped in a batch file
            continue
        out.append(low.get(line[i + 1:j].upper(), ""))
        i = j + 1
    return "".join(out)


def delayed_phase(text: str, env: Mapping[str, str]) -> str:
    """Phase 5: !NAME!, !NAME:~start,len! and !NAME:old=new! (one pass, result not rescanned)."""
    if "!" not in text:
        return text
    if "^" in text:
        raise Unsupported(f"carets in a delayed-expansion token: {text!r}")
    low = {k.upper(): v for k, v in env.items()}
    out: list[str] = []
    i = 0
    while i < len(text):
        if text[i] != "!":
            out.append(text[i])
            i += 1
            continue
        j = text.find("!", i + 1)
        if j == -1:
            i += 1          # a lone ! is dropped
            continue
        spec = text[i + 1:j]
        name, _, mod = spec.partition(":")
        value = low.get(name.upper())
        if value is None:
            pass            # undefined: expands to nothing
        elif not mod:
            out.append(value)
        elif mod.startswith("~"):
            start, _, length = mod[1:].partition(",")
            s = int(start)
            out.append(value[s:s + int(length)] if length else value[s:])
        else:
            old, _, new = mod.partition("=")
            out.append(value.replace(old, new))
        i = j + 1
    return "".join(out)


_IF_EQ = r'if "(?P<a>[^"]*)"=="(?P<b>[^"]*)" goto (?P<label>:?\w+)'


@dataclass
class BatchResult:
    commands: list[str]     # every external command run (after all phases), in order
    env: dict[str, str]


def run_batch(lines: list[str], env: Mapping[str, str], *, start: str,
              stop: Callable[[str], bool], max_steps: int = 100_000) -> BatchResult:
    """Run ``lines`` (a batch file, no @echo etc.) from label ``start`` until a command for which
    ``stop`` is true has been recorded. Supports: rem, labels, goto, goto :eof, call :label,
    set "X=...", set /a X=N, set /a X+=N, if "A"=="B" goto L, if [not] defined X goto L, and
    plain commands such as net or echo (recorded, not run)."""
    import re

    env = dict(env)
    labels = {ln.strip()[1:].lower(): n for n, ln in enumerate(lines) if ln.strip().startswith(":")}
    pc = labels[start.lower()]
    stack: list[int] = []
    commands: list[str] = []
    for _ in range(max_steps):
        if pc >= len(lines):
            raise Unsupported("ran off the end of the file")
        raw = lines[pc].strip()
        pc += 1
        if not raw or raw.lower().startswith("rem ") or raw.startswith(":"):
            continue
        line = percent_batch(raw, env)
        low = line.lower()
        m = re.fullmatch(r"goto :eof", low)
        if m:
            if not stack:
                raise Unsupported("goto :eof outside a call")
            pc = stack.pop()
            continue
        if low.startswith("goto "):
            pc = labels[line[5:].strip().lower()]
            continue
        if low.startswith("call :"):
            stack.append(pc)
            pc = labels[line[6:].strip().lower()]
            continue
        m = re.fullmatch(r"if (not )?defined (\w+) goto (\w+)", line, flags=re.I)
        if m:
            if (m.group(2).upper() in {k.upper() for k in env}) != bool(m.group(1)):
                pc = labels[m.group(3).lower()]
            continue
        m = re.fullmatch(_IF_EQ, line, flags=re.I)
        if m:
            if '"' + delayed_phase(m.group("a"), env) + '"' == '"' + delayed_phase(m.group("b"), env) + '"':
                pc = labels[m.group("label").lower()]
            continue
        m = re.fullmatch(r"set /a (\w+)(\+?)=(\d+)", line, flags=re.I)
        if m:
            base = int(env.get(m.group(1), "0")) if m.group(2) else 0
            env[m.group(1)] = str(base + int(m.group(3)))
            continue
        cmds = caret_phase(line)
        if len(cmds) != 1 or any(esc for _, esc in cmds[0].chars):
            raise Unsupported(f"one plain command per line expected: {raw!r}")
        text = delayed_phase(cmds[0].text, env)
        if text.lower().startswith('set "'):
            body = text[5:]
            end = body.rfind('"')
            name, eq, value = body[:end].partition("=")
            if not eq:
                raise Unsupported(raw)
            if value:
                env[name] = value
            else:
                env.pop(name, None)
            continue
        if text.split(" ", 1)[0].lower() in {"set", "if", "for", "call", "goto"}:
            raise Unsupported(f"statement not modelled: {raw!r}")
        commands.append(text)
        if stop(text):
            return BatchResult(commands, env)
    raise Unsupported("no stop within max_steps")
