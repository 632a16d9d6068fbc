"""``python -m wizard --plain --demo`` on a real pseudo-terminal (stdlib pty, no pexpect): the
terminal detection, questionary on a real tty, Ctrl+C as a key, and the live run view."""
from __future__ import annotations

import os
import re
import struct
import subprocess
import sys
import threading
import time
import tomllib
from pathlib import Path

import pytest

if sys.platform == "win32":
    pytest.skip("needs a POSIX pseudo-terminal", allow_module_level=True)

import fcntl  # noqa: E402
import pty  # noqa: E402
import termios  # noqa: E402

from tests.plain.conftest import PYTHON, subprocess_env
from wizard.artifacts import ARTIFACT_NAMES
from wizard.questions import SECTIONS

ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b[()][A-Z0-9]|\x1b[=>]|\x1b\][^\x07]*\x07")


class Terminal:
    """A child process on a pty, 100x40, with a tiny expect(): wait for a regex in the output
    (escape sequences removed) after the previous match."""

    def __init__(self, argv: list[str], *, cwd: Path, env: dict[str, str]) -> None:
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 100, 0, 0))
        self.proc = subprocess.Popen(argv, cwd=cwd, env=env, stdin=slave, stdout=slave, stderr=slave,
                                     start_new_session=True, close_fds=True)
        os.close(slave)
        self.master = master
        self.raw = b""
        self.pos = 0
        self._lock = threading.Lock()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        while True:
            try:
                chunk = os.read(self.master, 65536)
            except OSError:
                return
            if not chunk:
                return
            with self._lock:
                self.raw += chunk

    @property
    def text(self) -> str:
        with self._lock:
            raw = self.raw
        return ANSI.sub("", raw.decode("utf-8", "replace"))

    def expect(self, pattern: str, timeout: float = 60) -> str:
        rx = re.compile(pattern)
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            m = rx.search(self.text, self.pos)
            if m:
                self.pos = m.end()
                return m.group(0)
            if self.proc.poll() is not None and not self._reader.is_alive():
                break
            time.sleep(0.02)
        raise AssertionError(f"timed out waiting for {pattern!r}; output so far:\n{self.text[-3000:]}")

    def send(self, keys: str) -> None:
        time.sleep(0.05)            # let the prompt finish drawing and switch the tty to raw mode
        os.write(self.master, keys.encode())

    def wait(self, timeout: float = 120) -> int:
        try:
            return self.proc.wait(timeout)
        finally:
            self._reader.join(5)
            os.close(self.master)

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)


def plain(home: Path, profile: str) -> Terminal:
    env = subprocess_env(home, TERM="xterm-256color", PROMPT_TOOLKIT_NO_CPR="1")
    env.pop("COLUMNS", None)
    env.pop("LINES", None)
    return Terminal([PYTHON, "-m", "wizard", "--plain", "--demo", "--profile", profile], cwd=Path.cwd(), env=env)


def prompt(label: str) -> str:
    return r"\? " + re.escape(label)


@pytest.mark.slow
def test_plain_mode_on_a_pty_runs_the_demo(home: Path) -> None:
    term = plain(home, "ptyprof")
    try:
        term.expect(r"plain mode: profile ptyprof")
        for sec in SECTIONS:
            if sec.key == "files":
                continue                            # nothing to ask for the VM backend: not shown
            term.expect(re.escape(sec.title))
            for q in sec.questions:
                if q.when is not None:
                    continue                        # conditional (DNS label, WinRM source, Premium SSD v2 figures): not asked
                term.expect(prompt(q.label))
                term.send("\x15fspty\r" if q.key == "vm.name" else "\r")
                if q.key == "endpoints.vnet":           # the demo's cluster VNet is listed: "A new
                    term.expect(prompt(q.label))        # virtual network" asks for its name next
                    term.send("\r")
        term.expect(r"Plan for profile 'ptyprof'")
        term.expect(prompt("Run this plan now"))
        term.send("\r")
        term.expect(r"HPC Pack files written to")
        rc = term.wait()
    finally:
        term.kill()
    assert rc == 0, term.text[-3000:]
    out = Path.cwd() / "hpcshare-out" / "ptyprof"
    assert sorted(p.name for p in out.iterdir()) == sorted(ARTIFACT_NAMES)
    assert b"fspty" in (out / "nodeprep.cmd").read_bytes()
    assert "Traceback" not in term.text


def test_ctrl_c_on_a_pty(home: Path) -> None:
    term = plain(home, "ptycc")
    try:
        for q in (*SECTIONS[0].questions, *SECTIONS[1].questions):   # Subscription, then the share's
            if q.when is None and q.only_for in (None, "vm"):
                term.expect(prompt(q.label))
                term.send("\r")
        term.expect(prompt("VM name"))
        term.send("\x15ccpty\r")
        term.expect(prompt("VM size"))
        term.send("\x03")
        term.expect(r"Cancelled: nothing was changed in Azure\.")
        rc = term.wait()
    finally:
        term.kill()
    assert rc == 130
    assert "(Subscription, SMB share) are saved in" in term.text
    saved = tomllib.loads((home / "profiles" / "ptycc.toml").read_text())
    assert saved["vm"]["name"] == "myfileserver"           # the VM section was not finished
    assert "Traceback" not in term.text
