"""Read back what check-share.cmd printed on the nodes: which nodes can use the share, and for
each one that cannot, the first failing check, its Windows error code and the fix in one line.

Input: clusrun's saved output (``check-share.cmd /clusrun GROUP`` writes check-share-output.txt),
or the concatenated output of a one-task-per-node job. clusrun prints a header line before each
node's output and a summary at the end, in this shape (default /sorted output; as shown on the
"clusrun" page of the HPC Pack command reference, learn.microsoft.com/powershell/high-performance-
computing/clusrun. [unverified here: that page is not in the reference material of this project,
so the shape is written from memory; the parser relies on the check lines, not on it]):

    -------------------------- NODE01 returns 0 --------------------------
    hpcshare-check NODE01 resolve ok 0 myfileserver is 10.0.0.4
    ...
    hpcshare-check NODE01 done ok 0 every check passed
    -------------------------- NODE02 returns 1326 --------------------------
    hpcshare-check NODE02 resolve ok 0 myfileserver is 10.0.0.4
    hpcshare-check NODE02 port445 ok 0 TCP 445 on 10.0.0.4 answers
    hpcshare-check NODE02 connect fail 1326 net use \\\\myfileserver\\MyShare as myfileserver\\u failed
    ...
    -------------------------- Summary --------------------------
    1 Nodes succeeded
    1 Nodes failed

A check line belongs to the node of the clusrun header above it, or of its ``NODE: `` prefix
(``/interleaved`` output); the node name the line carries itself (``hpcshare-check NODE CHECK
ok|fail CODE detail``, see wizard.artifacts.checkshare; the node's %COMPUTERNAME%) is used only
when there is neither, as in a job's collected output. Headers also add the nodes that printed no
check line (they did not answer) and clusrun's exit code.
A node whose output has no final ``done`` line was cut off (a truncated file, a node that stopped).

UI-free: plain data, a text table and a JSON-ready dict; the ``nodes-report`` command prints them.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

from wizard.artifacts.checkshare import CHECK_NAMES, DONE, LINE_PREFIX

_HEADER = re.compile(r"^\s*-{3,}\s*(?P<node>[^\s-]\S*)\s+returns\s+(?P<code>-?\d+)\s*-{3,}\s*$", re.I)
_SUMMARY = re.compile(r"^\s*-{3,}\s*summary\s*-{3,}\s*$", re.I)
_PREFIX = r"^(?:(?P<prefix>[^\s:]+):\s*)?"
_CHECK = re.compile(_PREFIX + rf"{LINE_PREFIX}\s+(?P<node>\S+)\s+(?P<check>[a-z0-9]+)\s+(?P<status>ok|fail)\s+"
                    r"(?P<code>-?\d+)(?:\s+(?P<detail>.*?))?\s*$")
_ANY_CHECK = re.compile(_PREFIX + rf"{LINE_PREFIX}(?:\s+(?P<node>\S+))?")

#: The fix, in one line, for the checks whose failure says what is wrong whatever the code.
FIX_BY_CHECK = {
    "resolve": "name: the node does not resolve the server to its private IP; run clusrun-hosts.cmd "
               "(or nodeprep.cmd) on it, or fix the DNS record",
    "port445": "route or firewall scope: TCP 445 does not answer; check the route to the server (VNet "
               "peering, VPN), the NSG rule and the server's Windows Firewall scope for this node's address",
    "disconnect": "the connection could not be removed; run net use SHARE /delete /y on the node",
}
#: The fix by Windows error code, for connect and the file checks.
FIX_BY_CODE = {
    53: "name, route or firewall scope: the node must resolve the server and reach TCP 445 (hosts "
        "entry or DNS, NSG rule, Windows Firewall scope on the server)",
    67: "name: the share name is wrong, or the server's name resolves to another machine",
    1326: "credential: wrong password or user name (the user is SERVER\\USER, a local account of the server)",
    86: "credential: wrong or missing password (the user is SERVER\\USER, a local account of the server)",
    5: "NTFS or share permission: grant the share user change access on the share and on the folder",
    1219: "a connection under another user: remove the node's other connections to the server "
          "(net use \\\\SERVER\\IPC$ /delete) or use the same user everywhere",
    64: "network or timeout: the connection dropped; check the server is up and nothing between "
        "resets idle TCP connections, then run the check again",
    121: "network or timeout: the server did not answer in time; check the route, the NSG and the "
         "server's load, then run the check again",
    13: "the file read back differs from what was written: check for antivirus or a filter on the share",
}
FIX_NO_ANSWER = ("the node ran no check: is it online and reachable from the head node, with Windows "
                 "PowerShell? Run the check on it again")
FIX_NO_ENV = ("clusrun did not pass the password and the checks to the node (/env:); run check-share.cmd "
              "as a job task instead (see its comments)")
FIX_CUT_OFF = "the output ends before the checks finished (a cut-off file, or the node stopped): run it again"
FIX_OTHER = "see the detail; the code is a Windows system error code (net helpmsg CODE explains it)"


class ReportError(Exception):
    """The file cannot be read: printed as is."""


@dataclass(frozen=True)
class CheckLine:
    node: str
    check: str
    ok: bool
    code: int
    detail: str


@dataclass(frozen=True)
class NodeResult:
    node: str
    status: str                 # "passed", "failed", "no answer", "cut off"
    check: str = ""             # the first failing check, if any
    code: int | None = None     # its Windows error code (or clusrun's exit code)
    detail: str = ""
    fix: str = ""

    @property
    def passed(self) -> bool:
        return self.status == "passed"


@dataclass(frozen=True)
class Report:
    nodes: tuple[NodeResult, ...]
    clusrun_summary: dict[str, int] = field(default_factory=dict)

    @property
    def passed(self) -> int:
        return sum(n.passed for n in self.nodes)

    @property
    def failed(self) -> int:
        return len(self.nodes) - self.passed

    @property
    def all_passed(self) -> bool:
        return bool(self.nodes) and self.failed == 0


def fix_for(check: str, code: int) -> str:
    if check == "resolve" and code == 53:
        return "stale name: the node resolves the server to another address; run clusrun-hosts.cmd again"
    if check in FIX_BY_CHECK:
        return FIX_BY_CHECK[check]
    return FIX_BY_CODE.get(code, FIX_OTHER)


@dataclass
class _Node:
    name: str
    clusrun_code: int | None = None
    lines: list[CheckLine] = field(default_factory=list)
    broken: bool = False        # a check line that does not parse (cut off mid-line)
    note: str = ""              # the first other line under its clusrun header (clusrun's own error)


def parse(text: str) -> Report:
    """The per-node results in the order the nodes first appear."""
    nodes: dict[str, _Node] = {}
    summary: dict[str, int] = {}
    in_summary = False
    current: _Node | None = None

    def node(name: str) -> _Node:
        return nodes.setdefault(name.upper(), _Node(name))

    def owner(m: re.Match[str], block: _Node | None) -> _Node:
        # The name HPC Pack uses wins: interleaved output's "NODE:" prefix, else the clusrun header
        # above the line; the script's own %COMPUTERNAME% only without either (job output). They
        # differ on Azure nodes, where HPC names (AzureCN-0001) are not the computer names.
        if m.group("prefix"):
            return node(m.group("prefix"))
        if block is not None:
            return block
        return node(m.group("node"))

    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        m = _HEADER.match(line)
        if m:
            in_summary = False
            current = node(m.group("node"))
            current.clusrun_code = int(m.group("code"))
            continue
        if _SUMMARY.match(line):
            in_summary, current = True, None
            continue
        if in_summary:
            s = re.match(r"^(\d+)\s+nodes?\s+(succeeded|failed)\b", line, re.I)
            if s:
                summary[s.group(2).lower()] = int(s.group(1))
            continue
        m = _CHECK.match(line)
        if m and (m.group("check") in CHECK_NAMES or m.group("check") == DONE):
            owner(m, current).lines.append(CheckLine(
                node=m.group("node"), check=m.group("check"), ok=m.group("status") == "ok",
                code=int(m.group("code")), detail=m.group("detail") or ""))
            continue
        m = _ANY_CHECK.match(line)
        if m and (m.group("node") or m.group("prefix") or current is not None):
            owner(m, current).broken = True
        elif current is not None and not current.note and not m:
            current.note = line[:200]
    return Report(tuple(_judge(n) for n in nodes.values()), summary)


def _judge(n: _Node) -> NodeResult:
    failed = [c for c in n.lines if not c.ok and c.check != DONE]
    if failed:
        first = failed[0]
        return NodeResult(n.name, "failed", first.check, first.code, first.detail, fix_for(first.check, first.code))
    done = [c for c in n.lines if c.check == DONE]
    if not n.lines and not n.broken:
        code = n.clusrun_code
        detail = "no hpcshare-check line" + (f"; clusrun: exit code {code}" if code is not None else "")
        if n.note:
            detail += f"; the node printed: {n.note}"
        # 87: the clusrun wrapper found no HPCSHARE_CHECK (wizard.artifacts.checkshare).
        return NodeResult(n.name, "no answer", "", code, detail, FIX_NO_ENV if code == 87 else FIX_NO_ANSWER)
    if not done:
        last = (f"last complete line: {n.lines[-1].check} {'ok' if n.lines[-1].ok else 'fail'}"
                if n.lines else "no complete line")
        return NodeResult(n.name, "cut off", "", n.clusrun_code, last, FIX_CUT_OFF)
    if not done[-1].ok or n.clusrun_code not in (None, 0):
        code = n.clusrun_code if n.clusrun_code not in (None, 0) else done[-1].code
        return NodeResult(n.name, "failed", DONE, code, "every check printed ok, but the node exited non-zero",
                          FIX_OTHER)
    return NodeResult(n.name, "passed")


def _decode(data: bytes) -> str:
    """clusrun output saved by cmd.exe (ANSI/OEM or UTF-8) or by PowerShell (UTF-16 with a BOM)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    return data.decode("utf-8", errors="replace")


def read_report(path: Path) -> Report:
    """Parse a saved file; ReportError (with the path and the reason) when it cannot be read."""
    try:
        data = Path(path).read_bytes()
    except IsADirectoryError:
        raise ReportError(f"{path}: is a folder, not clusrun's saved output") from None
    except FileNotFoundError:
        raise ReportError(f"{path}: no such file") from None
    except OSError as exc:
        raise ReportError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    return parse(_decode(data))


def format_table(report: Report) -> str:
    """A plain-text table, one row per node (failures first), then the summary count."""
    if not report.nodes:
        return summary_line(report) + "\n"
    rows = [("NODE", "RESULT", "FIRST FAILING CHECK", "CODE", "FIX")]
    ordered = sorted(report.nodes, key=lambda n: (n.passed, n.node.upper()))
    for n in ordered:
        rows.append((n.node, n.status, n.check or "-", "" if n.code is None else str(n.code), n.fix or "-"))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    out = ["  ".join(r[i].ljust(widths[i]) for i in range(4)) + "  " + r[4] for r in rows]
    out.append("")
    out.append(summary_line(report))
    return "\n".join(out) + "\n"


def summary_line(report: Report) -> str:
    if not report.nodes:
        return "No node output found: no hpcshare-check line and no clusrun node header in the file."
    kinds: dict[str, int] = {}
    for n in report.nodes:
        if not n.passed:
            kinds[n.status] = kinds.get(n.status, 0) + 1
    words = {"failed": "with a failing check", "no answer": "did not answer", "cut off": "cut off"}
    extra = ", ".join(f"{kinds[k]} {words[k]}" for k in words if k in kinds)
    return (f"{len(report.nodes)} nodes: {report.passed} passed, {report.failed} failed"
            + (f" ({extra})" if extra else "") + ".")


def to_json(report: Report) -> dict[str, object]:
    return {
        "nodes": [{**asdict(n), "passed": n.passed} for n in report.nodes],
        "summary": {"nodes": len(report.nodes), "passed": report.passed, "failed": report.failed,
                    "all_passed": report.all_passed},
        "clusrun_summary": dict(report.clusrun_summary),
    }
