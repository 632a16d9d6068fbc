"""wizard.verify against a real smbd on loopback (see tests/samba_server.py), plus error-mapping unit tests."""

from __future__ import annotations

import dataclasses
import errno
import io
import socket
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from rich.console import Console

from tests.samba_server import closed_port
from wizard.verify import (
    FAILURE_KINDS,
    ProbeFailure,
    ProbeReport,
    ProbeStep,
    classify_exception,
    probe_share,
)
from wizard.plain.verify_report import verify_main

STEPS = ["connect", "write", "read", "delete"]


def _probe_files(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.startswith(".hpcshare-probe-"))


def _console() -> Console:
    return Console(file=io.StringIO(), width=100, color_system=None)


def _assert_no_secret(report: ProbeReport, *secrets: str) -> None:
    texts = [s.message for s in report.steps]
    if report.failure:
        texts += [report.failure.message, report.failure.hint]
    for text in texts:
        for secret in secrets:
            assert secret not in text


# ---- against the real smbd -----------------------------------------------------------------------
@pytest.mark.samba
def test_probe_succeeds_and_leaves_nothing_behind(samba_server):
    s = samba_server
    report = probe_share(s.host, s.share_rw, s.rw_user, s.rw_password, port=s.port, timeout=5)
    assert report.ok, report.failure
    assert report.failure is None
    assert [st.name for st in report.steps] == STEPS
    assert all(st.ok for st in report.steps)
    assert all(0 <= st.elapsed_s < 5 for st in report.steps)
    assert "SMB 3.1.1" in report.steps[0].message
    assert _probe_files(s.share_dir(s.share_rw)) == []  # the probe file was removed on disk
    _assert_no_secret(report, s.rw_password)


@pytest.mark.samba
def test_wrong_password_is_logon_failure_even_after_a_good_login(samba_server):
    s = samba_server
    # a good login first: with a shared connection pool the bad one below would re-use its session
    assert probe_share(s.host, s.share_rw, s.rw_user, s.rw_password, port=s.port).ok
    bad = s.rw_password + "x"
    report = probe_share(s.host, s.share_rw, s.rw_user, bad, port=s.port)
    assert not report.ok
    assert report.failure.kind == "logon-failure"
    assert [(st.name, st.ok) for st in report.steps] == [("connect", False)]
    assert s.rw_user in report.failure.message and s.host in report.failure.message
    _assert_no_secret(report, bad, s.rw_password)


@pytest.mark.samba
def test_unknown_user_is_logon_failure(samba_server):
    s = samba_server
    report = probe_share(s.host, s.share_rw, "hpcsmb-nobody", s.rw_password, port=s.port)
    assert report.failure.kind == "logon-failure"
    assert "hpcsmb-nobody" in report.failure.message


@pytest.mark.samba
def test_unknown_share_is_share_not_found(samba_server):
    s = samba_server
    report = probe_share(s.host, "no-such-share", s.rw_user, s.rw_password, port=s.port)
    assert not report.ok
    assert report.failure.kind == "share-not-found"
    assert "no-such-share" in report.failure.message
    assert "BAD_NETWORK_NAME" in report.failure.message


@pytest.mark.samba
def test_read_only_user_gets_access_denied_on_write(samba_server):
    s = samba_server
    report = probe_share(s.host, s.share_rw, s.ro_user, s.ro_password, port=s.port)
    assert not report.ok
    assert report.failure.kind == "access-denied"
    assert [(st.name, st.ok) for st in report.steps] == [("connect", True), ("write", False)]
    assert s.ro_user in report.failure.message and s.share_rw in report.failure.message
    assert "ACCESS_DENIED" in report.failure.message
    assert _probe_files(s.share_dir(s.share_rw)) == []


def test_closed_port_is_unreachable():
    port = closed_port()
    t0 = time.monotonic()
    report = probe_share("127.0.0.1", "hpcshare", "someone", "pw-not-used", port=port, timeout=3)
    assert time.monotonic() - t0 < 3
    assert not report.ok
    assert report.failure.kind == "unreachable"
    assert [(st.name, st.ok) for st in report.steps] == [("connect", False)]
    assert f"127.0.0.1:{port}" in report.failure.message
    assert "ISP" in report.failure.hint and "NSG" in report.failure.hint


@pytest.mark.samba
@pytest.mark.parametrize("encrypt", [True, None])
def test_encryption_required_share(samba_server, encrypt):
    s = samba_server
    report = probe_share(s.host, s.share_enc, s.rw_user, s.rw_password, port=s.port, encrypt=encrypt)
    assert report.ok, report.failure
    assert "(encrypted)" in report.steps[0].message  # used because the share requires it, or asked for
    assert _probe_files(s.share_dir(s.share_enc)) == []


@pytest.mark.samba
def test_encrypt_true_on_a_share_that_does_not_require_it(samba_server):
    s = samba_server
    report = probe_share(s.host, s.share_rw, s.rw_user, s.rw_password, port=s.port, encrypt=True)
    assert report.ok, report.failure
    assert "(encrypted)" in report.steps[0].message


@pytest.mark.samba
def test_verify_main_success_report_and_exit_code(samba_server):
    s = samba_server
    con = _console()
    rc = verify_main(server=s.host, share=s.share_rw, user=s.rw_user, port=s.port,
                     password=s.rw_password, console=con)
    out = con.file.getvalue()
    assert rc == 0
    assert s.rw_password not in out
    for name in STEPS:
        assert f"✓ {name}" in out
    assert "✗" not in out
    assert "OK" in out


@pytest.mark.samba
def test_verify_main_failure_report_never_shows_password(samba_server):
    s = samba_server
    bad = s.rw_password + "x"
    con = _console()
    rc = verify_main(server=s.host, share=s.share_rw, user=s.rw_user, port=s.port, password=bad, console=con)
    out = con.file.getvalue()
    assert rc == 1
    assert bad not in out and s.rw_password not in out
    assert "✗ connect" in out
    assert "logon-failure" in out and s.rw_user in out
    assert "What to do" in out


@pytest.mark.samba
def test_verify_main_access_denied_exit_code(samba_server):
    s = samba_server
    con = _console()
    rc = verify_main(server=s.host, share=s.share_rw, user=s.ro_user, port=s.port,
                     password=s.ro_password, console=con)
    out = con.file.getvalue()
    assert rc == 1
    assert "✓ connect" in out and "✗ write" in out and "access-denied" in out
    assert s.ro_password not in out


# ---- time limits: a silent listener, and a proxy that goes quiet after the SMB negotiate ------------
@pytest.fixture
def silent_listener():
    """Accepts TCP (the kernel does, via the backlog) but never says a word."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    yield sock.getsockname()[1]
    sock.close()


def test_silent_server_is_timeout(silent_listener):
    t0 = time.monotonic()
    report = probe_share("127.0.0.1", "hpcshare", "someone", "pw-not-used", port=silent_listener, timeout=1)
    assert time.monotonic() - t0 < 4
    assert report.failure.kind == "timeout"
    assert [(st.name, st.ok) for st in report.steps] == [("connect", False)]


class _StallAfterNegotiate:
    """TCP proxy to smbd that forwards the negotiate reply, then swallows every later reply.

    smbprotocol has no time limit on the session setup reply, so only the probe's watchdog ends this.
    """

    def __init__(self, upstream_port: int) -> None:
        self.upstream_port = upstream_port
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(4)
        self.port = self.listener.getsockname()[1]
        self._socks: list[socket.socket] = [self.listener]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(("127.0.0.1", self.upstream_port), timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            self._socks += [client, upstream]
            threading.Thread(target=self._pipe, args=(client, upstream), daemon=True).start()
            threading.Thread(target=self._replies, args=(upstream, client), daemon=True).start()

    @staticmethod
    def _read_exact(sock: socket.socket, n: int) -> bytes:
        buf = b""
        while len(buf) < n:
            chunk = sock.recv(n - len(buf))
            if not chunk:
                raise EOFError
            buf += chunk
        return buf

    def _pipe(self, src: socket.socket, dst: socket.socket) -> None:
        try:
            while chunk := src.recv(65536):
                dst.sendall(chunk)
        except OSError:
            pass

    def _replies(self, src: socket.socket, dst: socket.socket) -> None:
        forwarded = 0
        try:
            while True:
                head = self._read_exact(src, 4)  # direct-TCP framing: 0x00 + 24-bit length
                body = self._read_exact(src, struct.unpack(">I", head)[0] & 0xFFFFFF)
                if forwarded == 0:  # the negotiate response goes through; later replies vanish
                    dst.sendall(head + body)
                forwarded += 1
        except (OSError, EOFError):
            pass

    def close(self) -> None:
        for s in self._socks:
            try:
                s.shutdown(socket.SHUT_RDWR)  # wakes the threads blocked in recv()/accept()
            except OSError:
                pass
            s.close()


@pytest.mark.samba
def test_server_going_quiet_after_negotiate_is_timeout(samba_server):
    s = samba_server
    proxy = _StallAfterNegotiate(s.port)
    try:
        t0 = time.monotonic()
        report = probe_share(s.host, s.share_rw, s.rw_user, s.rw_password, port=proxy.port, timeout=1)
        elapsed = time.monotonic() - t0
    finally:
        proxy.close()
    assert elapsed < 5, elapsed
    assert report.failure.kind == "timeout", report.failure
    assert [(st.name, st.ok) for st in report.steps] == [("connect", False)]
    assert "1s" in report.failure.message
    _assert_no_secret(report, s.rw_password)


# ---- unit tests: no smbd needed ---------------------------------------------------------------------
KW = dict(step="write", host="fs01.example.net", share="MyShare", user="MyUser", port=445, timeout=10.0)


def _smb_os_error(status: int):
    from smbprotocol.exceptions import SMBOSError

    return SMBOSError(status, r"\\fs01.example.net\MyShare\x.txt")


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (0xC0000022, "access-denied"),      # STATUS_ACCESS_DENIED
        (0xC00000CA, "access-denied"),      # STATUS_NETWORK_ACCESS_DENIED
        (0xC000006D, "logon-failure"),      # STATUS_LOGON_FAILURE
        (0xC0000072, "logon-failure"),      # STATUS_ACCOUNT_DISABLED
        (0xC0000234, "logon-failure"),      # STATUS_ACCOUNT_LOCKED_OUT
        (0xC00000CC, "share-not-found"),    # STATUS_BAD_NETWORK_NAME
        (0xC00000B5, "timeout"),            # STATUS_IO_TIMEOUT
        (0xC000007F, "protocol"),           # STATUS_DISK_FULL: anything else
    ],
)
def test_error_mapping_by_ntstatus(status, kind):
    failure = classify_exception(_smb_os_error(status), **KW)
    assert failure.kind == kind
    assert failure.kind in FAILURE_KINDS
    assert "fs01.example.net" in failure.message
    assert failure.hint


def test_error_mapping_of_smbprotocol_exception_types():
    from smbprotocol.exceptions import SMBConnectionClosed, SMBException

    refused = ValueError("Failed to connect to 'fs01.example.net:445': [Errno 111] Connection refused")
    refused.__cause__ = ConnectionRefusedError(errno.ECONNREFUSED, "Connection refused")
    assert classify_exception(refused, **KW).kind == "unreachable"

    slow = SMBException("Connection timeout of 10 seconds exceeded while waiting for a message id 0 response")
    assert classify_exception(slow, **KW).kind == "timeout"

    # the watchdog closed the socket: whatever smbprotocol raised then is a time-out
    closed = SMBConnectionClosed("SMB socket was closed, cannot send or receive any more data")
    assert classify_exception(closed, **KW, timed_out=True).kind == "timeout"
    assert classify_exception(closed, **KW).kind == "protocol"

    other = classify_exception(RuntimeError("boom"), **KW)
    assert other.kind == "protocol"
    assert "RuntimeError: boom" in other.message
    assert "MyUser" in other.message and "MyShare" in other.message

    dns = classify_exception(socket.gaierror(socket.EAI_NONAME, "Name or service not known"),
                             **{**KW, "step": "connect"})
    assert dns.kind == "unreachable" and "resolve" in dns.message


def test_error_messages_never_contain_the_password():
    secret = "S3cr3t!pw-That-Must-Not-Leak"
    exc = RuntimeError(f"server said: bad credentials {secret} for user")
    failure = classify_exception(exc, **KW, password=secret)
    assert secret not in failure.message and secret not in failure.hint
    assert "***" in failure.message
    # even a password typed into the user field is not echoed
    failure = classify_exception(_smb_os_error(0xC000006D), **{**KW, "user": secret}, password=secret)
    assert secret not in failure.message


def test_result_types_are_frozen():
    step = ProbeStep("connect", True, 0.1, "ok")
    report = ProbeReport(True, [step], None)
    with pytest.raises(dataclasses.FrozenInstanceError):
        report.ok = False  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        ProbeFailure("protocol", "m", "h").kind = "timeout"  # type: ignore[misc]


def test_unreachable_report_from_verify_main_without_smbd():
    port = closed_port()
    con = _console()
    rc = verify_main(server="127.0.0.1", share="MyShare", user="MyUser", port=port,
                     password="Pa55word-never-shown", console=con)
    out = con.file.getvalue()
    assert rc == 1
    assert "✗ connect" in out and "unreachable" in out
    assert "Pa55word-never-shown" not in out


def test_importing_verify_is_cheap():
    code = ("import sys, wizard.verify; "
            "bad = [m for m in ('smbclient', 'smbprotocol', 'spnego', 'rich', 'textual', 'questionary') "
            "if m in sys.modules]; print(bad)")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=Path(__file__).resolve().parents[2], check=True)
    assert res.stdout.strip() == "[]"
