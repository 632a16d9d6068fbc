"""Prove an SMB share works from this machine: connect, write, read back, delete (smbprotocol).

Engine layer: no UI imports (the terminal report of ``hpcshare verify`` is ``wizard.plain.verify_report``).
``smbprotocol``/``smbclient`` are imported lazily inside the functions that need them, so
``import wizard.verify`` stays cheap.

Flow of :func:`probe_share` (see ``reference/notes/windows-server-powershell.md`` §1.3 and §7):

1. ``connect``: a plain TCP connect to ``host:port`` (refused / timed out -> ``unreachable``), then an
   SMB session (NTLM) on a FRESH connection cache (smbclient's pool re-uses a session by user name
   alone, so a wrong password tried after a good login would wrongly succeed), then a tree connect to
   the share, done by hand so a missing share is reported as STATUS_BAD_NETWORK_NAME instead of the
   STATUS_NOT_FOUND that smbclient's DFS fallback turns it into.
2. ``write``: ``.hpcshare-probe-<uuid>.txt`` in the share root, random content.
3. ``read``: read it back and compare.
4. ``delete``: remove it; done in ``finally`` whenever the file may exist, also after a failure.
   The session is always logged off and the socket closed.

Time limits: the TCP preflight and each step get ``timeout`` seconds. smbprotocol has no time limit
on most requests after the negotiate, so a watchdog closes the socket when a step overruns; the
step then fails with kind ``timeout``.

The password is only handed to smbprotocol. It is never logged or printed, and every message this
module produces is scrubbed of it.
"""

from __future__ import annotations

import secrets
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Literal

from wizard.sanitize import printable

__all__ = [
    "FailureKind",
    "ProbeFailure",
    "ProbeReport",
    "ProbeStep",
    "StepName",
    "classify_exception",
    "probe_share",
]

StepName = Literal["connect", "write", "read", "delete"]
FailureKind = Literal["unreachable", "logon-failure", "access-denied", "share-not-found", "timeout", "protocol"]
FAILURE_KINDS: tuple[str, ...] = (
    "unreachable", "logon-failure", "access-denied", "share-not-found", "timeout", "protocol",
)


@dataclass(frozen=True)
class ProbeStep:
    name: StepName
    ok: bool
    elapsed_s: float
    message: str


@dataclass(frozen=True)
class ProbeFailure:
    kind: FailureKind
    message: str
    hint: str


@dataclass(frozen=True)
class ProbeReport:
    ok: bool
    steps: list[ProbeStep] = field(default_factory=list)
    failure: ProbeFailure | None = None


# ---- NTSTATUS values we map (MS-ERREF 2.3.1); smbprotocol's NtStatus lacks several of them ----
STATUS_ACCESS_DENIED = 0xC0000022
STATUS_NETWORK_ACCESS_DENIED = 0xC00000CA
STATUS_MEDIA_WRITE_PROTECTED = 0xC00000A2
STATUS_PRIVILEGE_NOT_HELD = 0xC0000061
STATUS_CANNOT_DELETE = 0xC0000121
STATUS_BAD_NETWORK_NAME = 0xC00000CC
STATUS_IO_TIMEOUT = 0xC00000B5

_LOGON_STATUSES: dict[int, str] = {
    0xC000006D: "STATUS_LOGON_FAILURE",
    0xC000006A: "STATUS_WRONG_PASSWORD",
    0xC0000064: "STATUS_NO_SUCH_USER",
    0xC0000072: "STATUS_ACCOUNT_DISABLED",
    0xC0000234: "STATUS_ACCOUNT_LOCKED_OUT",
    0xC0000193: "STATUS_ACCOUNT_EXPIRED",
    0xC0000071: "STATUS_PASSWORD_EXPIRED",
    0xC0000224: "STATUS_PASSWORD_MUST_CHANGE",
    0xC000006E: "STATUS_ACCOUNT_RESTRICTION",
    0xC000006F: "STATUS_INVALID_LOGON_HOURS",
    0xC0000070: "STATUS_INVALID_WORKSTATION",
    0xC000015B: "STATUS_LOGON_TYPE_NOT_GRANTED",
}
_ACCESS_STATUSES: dict[int, str] = {
    STATUS_ACCESS_DENIED: "STATUS_ACCESS_DENIED",
    STATUS_NETWORK_ACCESS_DENIED: "STATUS_NETWORK_ACCESS_DENIED",
    STATUS_MEDIA_WRITE_PROTECTED: "STATUS_MEDIA_WRITE_PROTECTED",
    STATUS_PRIVILEGE_NOT_HELD: "STATUS_PRIVILEGE_NOT_HELD",
    STATUS_CANNOT_DELETE: "STATUS_CANNOT_DELETE",
}

_DIALECTS = {0x0202: "2.0.2", 0x0210: "2.1", 0x0300: "3.0", 0x0302: "3.0.2", 0x0311: "3.1.1"}

_OP_WORDS = {
    "write": "to create and write a file",
    "read": "to read a file",
    "delete": "to delete a file",
}


# ---- helpers ---------------------------------------------------------------------------------
def _scrub(text: str, password: str) -> str:
    """Remove every occurrence of the password from text we do not control (exception messages)."""
    if password:
        text = text.replace(password, "***")
    return text


# Our own sentences contain only fixed prose, host, share and user; exception text is always scrubbed
# with _scrub. A second pass over whole lines catches a password typed into the user/host/share field;
# it skips very short passwords, which would only match by coincidence and garble the prose.
_MIN_REDACT = 6


def redact(text: str, password: str) -> str:
    """Every message of the probe passes here: the password out, and no control characters from
    the SMB server's or smbprotocol's text (see wizard.sanitize)."""
    return printable(_scrub(text, password) if len(password) >= _MIN_REDACT else text, multiline=True)


def _ntstatus_of(exc: BaseException) -> int | None:
    """The NTSTATUS carried by an smbprotocol exception (SMBOSError.ntstatus or SMBResponseException.status)."""
    status = getattr(exc, "ntstatus", None)
    if isinstance(status, int):
        return status
    try:
        status = getattr(exc, "status", None)  # SMBResponseException: a property reading the header
    except Exception:
        return None
    return status if isinstance(status, int) else None


def unc_path(host: str, share: str, name: str = "") -> str:
    return rf"\\{host}\{share}" + (rf"\{name}" if name else "")


def _exc_text(exc: BaseException, password: str) -> str:
    try:
        text = str(exc)
    except Exception:  # some smbprotocol exceptions build their message lazily from the header
        text = ""
    text = _scrub(text, password)  # before anything else touches it (whitespace folding, cutting)
    text = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    text = " ".join(text.split())
    if len(text) > 500:
        text = text[:497] + "..."
    return text


def _hint_unreachable(port: int) -> str:
    return (
        f"Open TCP {port} on the path from this machine to the server: the Azure NSG rule for {port} must "
        f"allow this machine's public IP (or run the probe from inside the VNet), the Windows Firewall "
        f"rule 'File and Printer Sharing (SMB-In)' must be enabled, and the VM must be running. "
        f"Most home ISPs block outbound TCP 445: try from a cluster node, over a VPN, or from a VM in "
        f"the same VNet."
    )


def _unreachable(host: str, port: int, err: BaseException, timeout: float) -> ProbeFailure:
    if isinstance(err, socket.gaierror):
        return ProbeFailure(
            "unreachable",
            f"Cannot resolve host name '{host}': {err.strerror or err}.",
            "Check the server name: use the VM's public IP, its DNS label FQDN "
            "(<label>.<region>.cloudapp.azure.com) or, inside the VNet, its private IP.",
        )
    if isinstance(err, ConnectionRefusedError):
        why = "the connection was refused (nothing listens there, or a firewall rejects it)"
    elif isinstance(err, (TimeoutError, socket.timeout)):
        why = f"no answer within {timeout:g}s (a firewall or ISP is silently dropping the traffic)"
    else:
        why = f"{getattr(err, 'strerror', None) or err}"
    return ProbeFailure(
        "unreachable",
        f"Cannot open TCP {host}:{port}: {why}. The port is blocked by an NSG, the Windows Firewall, "
        f"or an ISP, or the server is not running.",
        _hint_unreachable(port),
    )


def classify_exception(
    exc: BaseException,
    *,
    step: StepName,
    host: str,
    share: str,
    user: str,
    port: int = 445,
    timeout: float = 10.0,
    password: str = "",
    timed_out: bool = False,
) -> ProbeFailure:
    """Map an exception raised during ``step`` to a :class:`ProbeFailure` (no I/O, no smbprotocol import).

    ``timed_out`` says the watchdog closed the connection because the step overran its time limit.
    Messages name host, share and user and never contain ``password``.
    """
    unc = unc_path(host, share)
    text = _exc_text(exc, password)
    name = type(exc).__name__
    status = _ntstatus_of(exc)

    def fail(kind: FailureKind, message: str, hint: str) -> ProbeFailure:
        return ProbeFailure(kind, redact(message, password), redact(hint, password))

    if timed_out or status == STATUS_IO_TIMEOUT or (
        name == "SMBException" and "timeout" in text.lower()  # negotiate: "Connection timeout of N seconds exceeded"
    ) or isinstance(exc, (TimeoutError, socket.timeout)):
        return fail(
            "timeout",
            f"{host}:{port} accepted the TCP connection but the SMB {step} step for user '{user}' on {unc} "
            f"got no answer within {timeout:g}s.",
            "The server or the network path is too slow or drops packets part-way (an overloaded or "
            "rebooting VM, a VPN or firewall that lets the connection open but filters the traffic). "
            "Try again; if it persists, check the VM's health in the Azure portal and test from a machine "
            "in the same VNet.",
        )

    if isinstance(exc, (ConnectionRefusedError, socket.gaierror)) or (
        isinstance(exc, ValueError) and text.startswith("ValueError: Failed to connect to")
    ):
        cause = exc.__cause__ if isinstance(exc, ValueError) and exc.__cause__ is not None else exc
        return _unreachable(host, port, cause, timeout)

    if status in _LOGON_STATUSES or name in ("LogonFailure", "WrongPassword", "PasswordExpired",
                                               "SMBAuthenticationError"):
        code = _LOGON_STATUSES.get(status or 0, name)
        if status not in _LOGON_STATUSES and name == "SMBAuthenticationError":
            code = text  # raised on this side (NTLM could not run): its text is the useful part
        return fail(
            "logon-failure",
            f"{host} refused the logon of user '{user}' ({code}): wrong user name or password, or the "
            f"account is disabled, locked out or expired.",
            "Check the user name (for a local account on the server also try 'SERVERNAME\\user') and the "
            "password (HPCSHARE_SHARE_PASSWORD or the prompt); on the server make sure the account is "
            "enabled and not locked out (Get-LocalUser). Re-running the configure-server step resets the "
            "share user's password to the one you give.",
        )

    if status == STATUS_BAD_NETWORK_NAME or name == "BadNetworkName":
        return fail(
            "share-not-found",
            f"{host} has no share named '{share}' (STATUS_BAD_NETWORK_NAME; user '{user}').",
            f"Check the share name (just the name, e.g. '{share.strip(chr(92)) or 'MyShare'}', no "
            "backslashes). On the server, Get-SmbShare lists the shares; re-run the configure-server step "
            "if it was never created.",
        )

    if status in _ACCESS_STATUSES or name == "AccessDenied" or isinstance(exc, PermissionError):
        code = _ACCESS_STATUSES.get(status or 0, name)
        if step == "connect":
            message = f"User '{user}' was denied access to {unc} at logon or share connect ({code})."
        else:
            message = f"User '{user}' logged on to {host} but is not allowed {_OP_WORDS[step]} on {unc} ({code})."
        return fail(
            "access-denied",
            message,
            f"Give '{user}' Change (or Full) access on the share and Modify rights on the folder's NTFS "
            "ACL (re-run the configure-server step, or check Get-SmbShareAccess and Get-Acl on the server), "
            "or use an account that has them.",
        )

    if name == "SMBConnectionClosed" or isinstance(exc, (ConnectionError, EOFError)):
        return fail(
            "protocol",
            f"The connection to {host}:{port} was closed during the {step} step on {unc} as '{user}': "
            f"{text}.",
            "The server dropped the connection. Check that SMB 2/3 is enabled on the server (SMB1 is not "
            "supported), that encryption and signing settings agree, and that nothing between you and the "
            "server resets connections; then try again.",
        )

    return fail(
        "protocol",
        f"Unexpected SMB error during the {step} step on {unc} as '{user}' (port {port}): {text}.",
        "Check the SMB server settings (SMB 2.0.2 or newer enabled, encryption/signing settings) and try "
        "again. If it persists, report this message.",
    )


class _Watchdog:
    """Closes every socket in a connection cache if a step runs past ``seconds``.

    smbprotocol waits without a limit for most replies; closing the transport wakes the waiting call,
    which then raises SMBConnectionClosed. ``fired`` tells the caller that this was a time-out.
    """

    def __init__(self, cache: dict[str, Any], seconds: float) -> None:
        self._cache = cache
        self._seconds = seconds
        self._timer: threading.Timer | None = None
        self.fired = False

    def _fire(self) -> None:
        self.fired = True
        for conn in list(self._cache.values()):
            transport = getattr(conn, "transport", None)
            if transport is not None:
                try:
                    transport.close()
                except Exception:
                    pass

    def __enter__(self) -> "_Watchdog":
        self._timer = threading.Timer(self._seconds, self._fire)
        self._timer.daemon = True
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._timer is not None:
            self._timer.cancel()


def _tcp_preflight(host: str, port: int, timeout: float) -> None:
    with socket.create_connection((host, port), timeout=timeout):
        pass


# ---- a name found at an address the DNS here does not give -------------------------------------
_ADDRESSES: dict[str, str] = {}          # lower-case host name -> address smbprotocol connects to
_ADDRESSES_LOCK = threading.Lock()


class _Resolving:
    """Stands in for the ``socket`` module inside ``smbprotocol.transport``: connects a name in
    ``_ADDRESSES`` to its address, everything else as ``socket`` does. The name stays in every SMB
    path (Azure Files routes a tree connect by \\<account>.file.core.windows.net)."""

    def __getattr__(self, name: str) -> Any:
        return getattr(socket, name)

    @staticmethod
    def create_connection(address: tuple[str, int], *args: Any, **kwargs: Any) -> socket.socket:
        host, port = address
        with _ADDRESSES_LOCK:
            target = _ADDRESSES.get(str(host).lower(), host)
        return socket.create_connection((target, port), *args, **kwargs)


@contextmanager
def _connect_at(host: str, address: str | None) -> Iterator[None]:
    """While inside: smbprotocol reaches ``host`` at ``address`` (like a hosts-file entry, for this
    process's SMB connections only)."""
    if not address or address == host:
        yield
        return
    import smbprotocol.transport as transport

    with _ADDRESSES_LOCK:
        if not isinstance(transport.socket, _Resolving):
            setattr(transport, "socket", _Resolving())     # its module global: smbprotocol has no resolver hook
        _ADDRESSES[host.lower()] = address
    try:
        yield
    finally:
        with _ADDRESSES_LOCK:
            _ADDRESSES.pop(host.lower(), None)


# ---- the probe -------------------------------------------------------------------------------
def probe_share(
    host: str,
    share: str,
    user: str,
    password: str,
    *,
    port: int = 445,
    timeout: float = 10.0,
    encrypt: bool | None = None,
    address: str | None = None,
) -> ProbeReport:
    """Connect to ``\\\\host\\share`` as ``user``, write/read/delete a probe file, and report each step.

    ``address``: where ``host`` is reached when the DNS here does not know it (an Azure Files
    private endpoint's IP seen from outside its zone); the name stays in every SMB path.

    ``encrypt=True`` requires SMB3 encryption for the whole session; with ``None``/``False`` encryption
    is still used where the server or share requires it. Never raises for SMB or network errors: they
    come back as ``ProbeReport.failure``.
    """
    steps: list[ProbeStep] = []
    cache: dict[str, Any] = {}  # FRESH pool: never re-use a session from an earlier probe
    probe_name = f".hpcshare-probe-{uuid.uuid4().hex}.txt"
    probe_path = unc_path(host, share, probe_name)
    payload = f"hpcshare probe {uuid.uuid4().hex} {secrets.token_hex(16)}\r\n".encode("ascii")
    state = {"killed": False, "created": False}  # killed: a watchdog closed the connection (time-out)
    failure: ProbeFailure | None = None

    def record(name: StepName, ok: bool, t0: float, message: str) -> None:
        steps.append(ProbeStep(name, ok, round(time.perf_counter() - t0, 4), redact(message, password)))

    def run_step(name: StepName, t0: float, action) -> tuple[Any, ProbeFailure | None]:
        """Run ``action()`` under the step's time limit; map any exception to a ProbeFailure."""
        try:
            with _Watchdog(cache, timeout) as dog:
                try:
                    return action(), None
                finally:
                    state["killed"] = state["killed"] or dog.fired
        except Exception as exc:  # noqa: BLE001 - every failure becomes a report, never a traceback
            return None, classify_exception(
                exc, step=name, host=host, share=share, user=user, port=port, timeout=timeout,
                password=password, timed_out=state["killed"],
            )

    # connect, part 1: TCP preflight, a clear "blocked" answer before any SMB library is involved
    t0 = time.perf_counter()
    try:
        _tcp_preflight(address or host, port, timeout)
    except OSError as exc:
        failure = _unreachable(address or host, port, exc, timeout)
        failure = ProbeFailure(failure.kind, redact(failure.message, password), failure.hint)
        record("connect", False, t0, failure.message)
        return ProbeReport(False, steps, failure)

    import smbclient  # lazy: pulls in cryptography and spnego
    from smbprotocol.tree import TreeConnect

    kw = dict(username=user, password=password, port=port, connection_timeout=timeout,
              connection_cache=cache, auth_protocol="ntlm")  # port= and cache on EVERY call

    def do_connect():
        session = smbclient.register_session(host, encrypt=encrypt, **kw)
        tree = TreeConnect(session, unc_path(host, share))  # by hand: keeps STATUS_BAD_NETWORK_NAME visible
        tree.connect(require_secure_negotiate=smbclient.ClientConfig().require_secure_negotiate)
        return session, tree

    def do_write():
        with smbclient.open_file(probe_path, mode="wb", **kw) as fh:
            state["created"] = True  # the create went through: from here on the file may exist
            fh.write(payload)

    def do_read() -> bytes:
        with smbclient.open_file(probe_path, mode="rb", **kw) as fh:
            return fh.read()

    with _connect_at(host, address):
        try:
            # connect, part 2: negotiate + NTLM session + tree connect, all on the fresh cache
            result, failure = run_step("connect", t0, do_connect)
            if failure is not None:
                record("connect", False, t0, failure.message)
                return ProbeReport(False, steps, failure)
            session, tree = result
            raw_dialect = int(session.connection.dialect)
            dialect = _DIALECTS.get(raw_dialect, hex(raw_dialect))
            encrypted = bool(session.encrypt_data or tree.encrypt_data)
            record("connect", True, t0, f"SMB {dialect} session as '{user}' on {unc_path(host, share)} "
                                        f"({'encrypted' if encrypted else 'not encrypted'})")

            # write
            t0 = time.perf_counter()
            _, failure = run_step("write", t0, do_write)
            if failure is not None:
                record("write", False, t0, failure.message)
            else:
                record("write", True, t0, f"wrote {len(payload)} bytes to {probe_name}")

                # read back and compare
                t0 = time.perf_counter()
                back, failure = run_step("read", t0, do_read)
                if failure is None and back != payload:
                    failure = ProbeFailure(
                        "protocol",
                        f"Read back {len(back)} bytes from {probe_path} as '{user}' but wrote {len(payload)}: "
                        "the content differs.",
                        "Something between this machine and the disk changed the data (a filter driver, "
                        "antivirus, or another process writing the same file). Try again, then check the server.",
                    )
                if failure is not None:
                    record("read", False, t0, failure.message)
                else:
                    record("read", True, t0, f"read {len(back)} bytes back, content matches")

            # delete: also after a failed write/read, whenever the create went through
            if state["created"]:
                t0 = time.perf_counter()
                _, del_failure = run_step("delete", t0, lambda: smbclient.remove(probe_path, **kw))
                if del_failure is None:
                    record("delete", True, t0, f"deleted {probe_name}")
                else:
                    left = f" The probe file {probe_path} may be left behind; delete it by hand."
                    record("delete", False, t0, del_failure.message + left)
                    if failure is None:
                        failure = ProbeFailure(del_failure.kind, del_failure.message + left, del_failure.hint)
        finally:
            _close_all(cache, timeout)  # always log off and close the socket

        return ProbeReport(failure is None, steps, failure)


def _close_all(cache: dict[str, Any], timeout: float) -> None:
    """Log off and close every connection in the cache, bounded by ``timeout``, never raising."""
    # the connections stay in the cache until closed, so the watchdog can still reach their sockets
    with _Watchdog(cache, max(timeout, 1.0)):
        for conn in list(cache.values()):
            try:
                conn.disconnect(close=True, timeout=max(1, int(timeout)))
            except Exception:  # noqa: BLE001 - best effort: the socket is closed below anyway
                pass
            finally:
                try:
                    conn.transport.close()
                except Exception:  # noqa: BLE001
                    pass
    cache.clear()
