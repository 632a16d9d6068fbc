"""A throwaway, loopback-only Samba server for tests (real ``smbd``, no mocks).

Usage::

    from tests.samba_server import SambaServer, ensure_samba_installed

    ensure_samba_installed()            # apt-get install samba if smbd is missing (needs root)
    with SambaServer() as srv:          # smbd on 127.0.0.1:<free high port>
        srv.host, srv.port              # "127.0.0.1", 4xxxx
        srv.rw_user, srv.rw_password    # may read and write every share
        srv.ro_user, srv.ro_password    # may log on and read, never write
        srv.share_rw                    # "hpcshare": read-write for rw_user, read-only for ro_user
        srv.share_enc                   # "hpcshare-enc": SMB encryption required
        srv.share_dir(srv.share_rw)     # the folder behind a share, to look at from the test

How it stays out of the way (after ``reference/notes/samba-loopback-recipe.sh``):

* Its own ``smb.conf`` in a temporary folder, started with ``smbd -s CONF``; every state path (private,
  lock, state, cache, pid, ncalrpc, passdb, logs) lives under that folder, so ``/etc/samba``,
  ``/var/lib/samba`` and ``/run/samba`` are never touched and a system smbd on 445 (running or not)
  does not matter. It listens only on 127.0.0.1, one TCP port, no NetBIOS.
* ``smbd --foreground`` WITHOUT ``--no-process-group``: on SIGTERM smbd signals its whole process
  group, so it must lead its own group or it kills the test runner. Without the flag smbd calls
  ``setsid()`` itself (pgid = sid = its pid). Do NOT start it with ``start_new_session=True`` or
  ``process_group=0``: then its own ``setsid()`` fails with EPERM and smbd 4.17 exits at once
  ("daemon failed to start: Failed to create session, error code 1").
* The SMB users need Unix accounts behind them (smbd switches to them); they are created once as
  ``--system`` users with no shell and no home (``hpcsmb-rw``, ``hpcsmb-ro``). Their SMB passwords
  are random per server and live only in this server's private passdb; they go to ``smbpasswd`` on
  stdin, never on a command line.
* Every parent folder of the shares must be traversable by those users (``chmod 0711`` on the base).
* ``stop()`` signals only the pid it started, then waits for (and so reaps) it, and removes the temp
  folder (set ``HPCSHARE_KEEP_SAMBA_DIR=1`` to keep it, with smb.conf and the logs, for debugging).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

__all__ = ["SambaError", "SambaServer", "ensure_samba_installed", "free_port", "closed_port"]

RW_USER = "hpcsmb-rw"
RO_USER = "hpcsmb-ro"

_SBIN_DIRS = ("/usr/sbin", "/sbin", "/usr/bin", "/bin", "/usr/local/sbin")
_INSTALL_LOCK = Path(tempfile.gettempdir()) / "hpcshare-samba-install.lock"
_apt_updated = False


class SambaError(RuntimeError):
    """Samba could not be installed or started; the message says why and what to do."""


def _which(name: str) -> str | None:
    """shutil.which, also looking in the sbin folders a non-login PATH may miss."""
    found = shutil.which(name)
    if found:
        return found
    for d in _SBIN_DIRS:
        cand = os.path.join(d, name)
        if os.access(cand, os.X_OK):
            return cand
    return None


def _samba_tools() -> dict[str, str] | None:
    tools = {name: _which(name) for name in ("smbd", "smbpasswd")}
    if all(tools.values()):
        return tools  # type: ignore[return-value]
    return None


def ensure_samba_installed() -> dict[str, str]:
    """Make sure ``smbd`` and ``smbpasswd`` exist; install the Debian package ``samba`` if not.

    Returns the paths of the tools. Runs ``apt-get update`` (once per process) and
    ``apt-get install -y --no-install-recommends samba`` when needed; a file lock keeps parallel
    test workers from racing apt. Raises :class:`SambaError` when it cannot install.
    """
    global _apt_updated
    tools = _samba_tools()
    if tools:
        return tools
    if os.geteuid() != 0:
        raise SambaError(
            "smbd is not installed and this process is not root, so it cannot install it. "
            "Run: sudo apt-get install -y samba  (or run the SMB tests as root)"
        )
    apt = _which("apt-get")
    if not apt:
        raise SambaError("smbd is not installed and apt-get is not available; install Samba by hand")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    # keep a fresh CI machine's unattended-upgrades from failing us: wait for the dpkg lock
    lock_opt = ["-o", "DPkg::Lock::Timeout=300"]
    with open(_INSTALL_LOCK, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another worker may be installing right now
        tools = _samba_tools()
        if tools:
            return tools
        steps = []
        if not _apt_updated:
            steps.append([apt, *lock_opt, "update"])
        steps.append([apt, *lock_opt, "install", "-y", "--no-install-recommends", "samba"])
        for cmd in steps:
            try:
                res = subprocess.run(cmd, env=env, stdin=subprocess.DEVNULL, capture_output=True,
                                     text=True, timeout=900)
            except subprocess.TimeoutExpired as exc:
                raise SambaError(f"{' '.join(cmd)} did not finish in {exc.timeout:.0f}s") from None
            if res.returncode != 0:
                tail = "\n".join((res.stdout + res.stderr).strip().splitlines()[-20:])
                raise SambaError(f"{' '.join(cmd)} failed with exit code {res.returncode}:\n{tail}")
            if cmd[-1] == "update":
                _apt_updated = True
    tools = _samba_tools()
    if not tools:
        raise SambaError("apt-get installed samba but smbd/smbpasswd are still not on PATH")
    return tools


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that nothing listens on right now (the kernel's pick)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def closed_port(host: str = "127.0.0.1") -> int:
    """A port where a TCP connect is refused (nothing listens): for 'unreachable' tests."""
    for _ in range(20):
        port = free_port(host)
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.settimeout(1.0)
            if s.connect_ex((host, port)) != 0:
                return port
    raise SambaError("could not find a closed port on loopback")


def _ensure_unix_user(name: str) -> None:
    try:
        pwd.getpwnam(name)
        return
    except KeyError:
        pass
    useradd = _which("useradd")
    if not useradd:
        raise SambaError(f"Unix user {name!r} is missing and useradd is not available")
    res = subprocess.run(
        [useradd, "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name],
        capture_output=True, text=True,
    )
    try:
        pwd.getpwnam(name)  # a parallel worker may have created it first: that is fine too
    except KeyError:
        raise SambaError(f"useradd {name} failed ({res.returncode}): {res.stderr.strip()}") from None


def _traversable_base_root() -> Path:
    """A temp root whose every ancestor others may traverse (smbd works as the share users)."""
    for root in (Path(tempfile.gettempdir()), Path("/tmp"), Path("/var/tmp")):
        try:
            root = root.resolve()
            if all(p.stat().st_mode & 0o001 for p in (root, *root.parents)):
                return root
        except OSError:
            continue
    raise SambaError("no temporary folder that the share users can traverse (need o+x on every parent)")


def _random_password() -> str:
    # mixed classes, like a Windows-complexity password; '!' also proves the probe copes with symbols
    return "Tt1!" + secrets.token_urlsafe(18)


class SambaServer:
    """A real smbd on 127.0.0.1 with two users and two shares; a context manager.

    Shares:
      * ``share_rw`` (``hpcshare``): ``rw_user`` may write; ``ro_user`` may log on and read, but
        every write, create or delete is refused with STATUS_ACCESS_DENIED (``read list``).
      * ``share_enc`` (``hpcshare-enc``): like ``share_rw`` but ``server smb encrypt = required``;
        the rest of the server only offers encryption (``if_required``).
    Server: SMB3 minimum, mandatory signing, NTLMv2 only, no guest mapping.
    """

    host = "127.0.0.1"
    share_rw = "hpcshare"
    share_enc = "hpcshare-enc"
    rw_user = RW_USER
    ro_user = RO_USER

    def __init__(self, *, port: int | None = None, start_timeout: float = 15.0,
                 account: tuple[str, str, str] | None = None) -> None:
        """``account``: (name, key, share) of an Azure Files stand-in: a user ``name`` whose
        password is ``key``, and a share that only it may write (what a storage account offers)."""
        self.account = account
        self._requested_port = port
        self.port: int = port or 0
        self.start_timeout = start_timeout
        self.rw_password = _random_password()
        self.ro_password = _random_password()
        self.base: Path | None = None
        self.conf: Path | None = None
        self.pid: int | None = None
        self._proc: subprocess.Popen | None = None
        self._log = None
        self._tools: dict[str, str] = {}

    # ---- life cycle -----------------------------------------------------------------------
    def __enter__(self) -> "SambaServer":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self) -> "SambaServer":
        if self._proc is not None:
            return self
        if os.geteuid() != 0:
            raise SambaError("smbd must run as root (it switches to the share users); run the SMB tests as root")
        self._tools = ensure_samba_installed()
        self.base = Path(tempfile.mkdtemp(prefix="hpcshare-smb-", dir=_traversable_base_root()))
        try:
            self.base.chmod(0o711)
            self._prepare_dirs_and_users()
            last_error = ""
            for _attempt in range(3):  # a just-picked free port can be taken before smbd binds it
                self.port = self._requested_port or free_port(self.host)
                self._write_conf()
                self._set_passwords()
                try:
                    self._spawn_and_wait()
                    return self
                except SambaError as exc:
                    last_error = str(exc)
                    if self._requested_port:
                        break
            raise SambaError(last_error)
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """SIGTERM to the smbd we started (only that pid), SIGKILL after 10 s; then remove the temp dir."""
        proc, self._proc = self._proc, None
        if proc is not None:
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(timeout=10)
        if self._log is not None:
            self._log.close()
            self._log = None
        if self.base is not None and os.environ.get("HPCSHARE_KEEP_SAMBA_DIR") != "1":
            shutil.rmtree(self.base, ignore_errors=True)

    # ---- helpers for tests ----------------------------------------------------------------
    def share_dir(self, share: str) -> Path:
        assert self.base is not None, "server not started"
        return self.base / "shares" / share

    def log_text(self) -> str:
        if self.base is None:
            return ""
        parts = []
        for f in sorted((self.base / "log").glob("*")):
            with contextlib.suppress(OSError):
                parts.append(f"--- {f.name}\n{f.read_text(errors='replace')}")
        return "\n".join(parts)

    def is_running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    # ---- internals ------------------------------------------------------------------------
    def _prepare_dirs_and_users(self) -> None:
        assert self.base is not None
        for d in ("private", "lock", "state", "cache", "run/ncalrpc", "log", "shares"):
            (self.base / d).mkdir(parents=True, exist_ok=True)
        (self.base / "private").chmod(0o700)
        (self.base / "shares").chmod(0o755)
        for user in (RW_USER, RO_USER):
            _ensure_unix_user(user)
        for share in (self.share_rw, self.share_enc):
            d = self.share_dir(share)
            d.mkdir()
            shutil.chown(d, user=RW_USER)
            d.chmod(0o755)  # rw user writes; ro user may list and read (the share refuses its writes)
        if self.account is not None:
            name, _key, share = self.account
            _ensure_unix_user(name)
            d = self.share_dir(share)
            d.mkdir()
            shutil.chown(d, user=name)
            d.chmod(0o755)

    def _write_conf(self) -> None:
        assert self.base is not None
        b = self.base
        users = f"{RW_USER} {RO_USER}"
        share_common = f"""    read only = no
    browseable = yes
    valid users = {users}
    read list = {RO_USER}
    write list = {RW_USER}
    create mask = 0644
    directory mask = 0755
"""
        text = f"""[global]
    server role = standalone server
    workgroup = WORKGROUP
    netbios name = HPCSMBTEST
    interfaces = 127.0.0.1
    bind interfaces only = yes
    smb ports = {self.port}
    disable netbios = yes
    server min protocol = SMB3_00
    server signing = mandatory
    server smb encrypt = if_required
    ntlm auth = ntlmv2-only
    map to guest = Never
    restrict anonymous = 2
    passdb backend = tdbsam:{b}/private/passdb.tdb
    private dir = {b}/private
    lock directory = {b}/lock
    state directory = {b}/state
    cache directory = {b}/cache
    pid directory = {b}/run
    ncalrpc dir = {b}/run/ncalrpc
    usershare path =
    log file = {b}/log/log.%m
    max log size = 1000
    log level = 1
    load printers = no
    printing = bsd
    printcap name = /dev/null
    disable spoolss = yes

[{self.share_rw}]
    path = {self.share_dir(self.share_rw)}
{share_common}
[{self.share_enc}]
    path = {self.share_dir(self.share_enc)}
    server smb encrypt = required
{share_common}"""
        if self.account is not None:
            name, _key, share = self.account
            text += f"""
[{share}]
    path = {self.share_dir(share)}
    read only = no
    valid users = {name}
    create mask = 0644
    directory mask = 0755
"""
        self.conf = b / "smb.conf"
        self.conf.write_text(text)

    def _set_passwords(self) -> None:
        assert self.conf is not None
        users = [(RW_USER, self.rw_password), (RO_USER, self.ro_password)]
        if self.account is not None:
            users.append(self.account[:2])
        for user, password in users:
            # -s: the password comes twice on stdin, so it never shows in argv / ps
            res = subprocess.run(
                [self._tools["smbpasswd"], "-c", str(self.conf), "-s", "-a", user],
                input=f"{password}\n{password}\n", capture_output=True, text=True, timeout=60,
            )
            if res.returncode != 0:
                out = (res.stdout + res.stderr).replace(password, "***").strip()
                raise SambaError(f"smbpasswd -a {user} failed ({res.returncode}): {out}")

    def _spawn_and_wait(self) -> None:
        assert self.base is not None and self.conf is not None
        if self._log is not None:
            self._log.close()
        self._log = open(self.base / "log" / "smbd.stdout", "ab")
        cmd = [self._tools["smbd"], "--foreground", "--debug-stdout", "-s", str(self.conf)]
        # NO --no-process-group and NO start_new_session (see module docstring): smbd makes itself a
        # session + process-group leader, so its "signal my process group" on SIGTERM stays inside smbd.
        self._proc = subprocess.Popen(
            cmd, stdin=subprocess.DEVNULL, stdout=self._log, stderr=subprocess.STDOUT, close_fds=True,
        )
        self.pid = self._proc.pid
        deadline = time.monotonic() + self.start_timeout
        while True:
            if self._proc.poll() is not None:
                rc = self._proc.returncode
                self._proc = None
                raise SambaError(f"smbd exited with code {rc} before listening on "
                                 f"{self.host}:{self.port}; log:\n{self.log_text()[-4000:]}")
            try:
                socket.create_connection((self.host, self.port), timeout=0.5).close()
                if self._proc.poll() is None:
                    return
            except OSError:
                pass
            if time.monotonic() > deadline:
                self._proc.kill()
                self._proc.wait()
                self._proc = None
                raise SambaError(f"smbd did not listen on {self.host}:{self.port} within "
                                 f"{self.start_timeout:g}s; log:\n{self.log_text()[-4000:]}")
            time.sleep(0.05)

    def __repr__(self) -> str:
        state = "running" if self.is_running() else "stopped"
        return f"<SambaServer {self.host}:{self.port} pid={self.pid} {state} base={self.base}>"
