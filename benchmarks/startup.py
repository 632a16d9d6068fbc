"""Start-up: time from process start to the first painted frame of ``hpcshare --demo``'s first screen,
against a bare Textual app with the same widgets, measured in the same run.

    .venv/bin/python benchmarks/startup.py [--runs N] [--size COLSxROWS]

Method (see benchmarks/README.md): every sample is a fresh interpreter started on its own
pseudo-terminal (so Textual's real Linux driver draws, exactly as in a terminal), from this
repository's source tree (PYTHONPATH), with a fresh empty HPCSHARE_HOME. The clock starts just
before the parent spawns the child and stops when the child's first frame of the target screen
has been written to the terminal (``benchmarks/_first_screen.py`` hooks ``App._display``;
CLOCK_MONOTONIC is shared by all processes). One discarded warm-up sample per variant, then N
samples per variant, interleaved (ABAB, then BABA) so drifting machine load hits both alike;
figures are medians. Last line: one JSON object.
"""
from __future__ import annotations

import argparse
import fcntl
import json
import os
import pty
import select
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PROBE = Path(__file__).resolve().parent / "_first_screen.py"
VARIANTS = ("hpcshare", "bare")
TARGET_RATIO = 1.2
# The demo Session needs the stand-in's catalog (the demo subscription id), which loads these;
# anything else under wizard.standin (HTTP server, TLS, handlers, store) is its server side.
STANDIN_LIGHT = {"wizard.standin", "wizard.standin.catalog", "wizard.standin.credential",
                 "wizard.standin.faults", "wizard.standin.latency"}


# Byte-code for every child goes to one throw-away tree (the warm-up fills it): an installed
# hpcshare runs from compiled .pyc files, and this keeps the source tree untouched even when the
# caller's environment sets PYTHONDONTWRITEBYTECODE.
PYCACHE: Path | None = None


def child_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("HPCSHARE_", "TEXTUAL")) and k != "PYTHONDONTWRITEBYTECODE"}
    env.update({
        "PYTHONPYCACHEPREFIX": str(PYCACHE or Path(tempfile.gettempdir()) / "hpcshare-bench-pycache"),
        "HPCSHARE_HOME": str(home),
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH", "")])),
        "TERM": "xterm-256color",
        "COLORTERM": "truecolor",
    })
    return env


def sample(variant: str, size: tuple[int, int], timeout: float = 60.0) -> dict:
    """One fresh process on its own pty; seconds from spawn to the first painted frame."""
    work = Path(tempfile.mkdtemp(prefix=f"hpcshare-startup-{variant}-"))
    result = work / "result.json"
    master, slave = pty.openpty()
    cols, rows = size
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    try:
        t0 = time.monotonic()
        proc = subprocess.Popen([sys.executable, str(PROBE), variant, str(result)],
                                stdin=slave, stdout=slave, stderr=slave, cwd=work,
                                env=child_env(work / "home"), start_new_session=True)
        os.close(slave)
        slave = -1
        output = bytearray()
        deadline = t0 + timeout
        while True:                      # drain the terminal so the child never blocks on a full pty
            if time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError(f"{variant}: no exit within {timeout:.0f}s")
            ready, _, _ = select.select([master], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(master, 65536)
                except OSError:          # EIO: every slave fd is closed (the child exited)
                    break
                if not chunk:
                    break
                output += chunk
            elif proc.poll() is not None:
                break
        code = proc.wait(timeout=10)
        if not result.exists():
            tail = output[-2000:].decode("utf-8", "replace")
            raise RuntimeError(f"{variant}: exited {code} without painting its first screen:\n{tail}")
        data = json.loads(result.read_text())
        data["first_paint_s"] = data["first_paint"] - t0
        data["mount_s"] = data["mount"] - t0
        data["exit_code"] = code
        return data
    finally:
        if slave >= 0:
            os.close(slave)
        os.close(master)
        shutil.rmtree(work, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=15, help="samples per variant (default 15)")
    ap.add_argument("--size", default="120x36", help="terminal size COLSxROWS (default 120x36)")
    args = ap.parse_args(argv)
    size = tuple(int(x) for x in args.size.lower().split("x"))
    if len(size) != 2 or args.runs < 2:
        ap.error("--size is COLSxROWS and --runs at least 2")

    global PYCACHE
    PYCACHE = Path(tempfile.mkdtemp(prefix="hpcshare-bench-pycache-"))
    started = time.monotonic()
    try:
        for v in VARIANTS:               # warm-up: byte-code caches and the page cache, discarded
            sample(v, size)
        return report(args, size, started)
    finally:
        shutil.rmtree(PYCACHE, ignore_errors=True)


def report(args: argparse.Namespace, size: tuple[int, ...], started: float) -> int:
    samples: dict[str, list[dict]] = {v: [] for v in VARIANTS}
    for i in range(args.runs):
        order = VARIANTS if i % 2 == 0 else VARIANTS[::-1]
        for v in order:
            s = sample(v, size)
            samples[v].append(s)
            print(f"run {i + 1:>2} {v:<8} first paint {s['first_paint_s']:.3f}s  (mount {s['mount_s']:.3f}s, "
                  f"{s['widgets']} widgets, {len(s['azure_modules'])} azure modules)", flush=True)

    def med(v: str, key: str) -> float:
        return statistics.median(s[key] for s in samples[v])

    hp, bare = med("hpcshare", "first_paint_s"), med("bare", "first_paint_s")
    ratio = hp / bare
    last = samples["hpcshare"][-1]
    azure = sorted({m for s in samples["hpcshare"] for m in s["azure_modules"]})
    server = sorted({m for s in samples["hpcshare"] for m in s["standin_modules"]} - STANDIN_LIGHT)
    q = lambda v: statistics.quantiles([s["first_paint_s"] for s in samples[v]], n=4)  # noqa: E731
    print()
    print(f"hpcshare --demo first screen: median {hp:.3f}s (quartiles {q('hpcshare')[0]:.3f}-{q('hpcshare')[2]:.3f}s)")
    print(f"bare Textual app:             median {bare:.3f}s (quartiles {q('bare')[0]:.3f}-{q('bare')[2]:.3f}s)")
    print(f"ratio {ratio:.3f} (target <= {TARGET_RATIO}): {'OK' if ratio <= TARGET_RATIO else 'OVER TARGET'}")
    print(f"azure modules loaded at the first screen: {len(azure)}; "
          f"stand-in server modules: {len(server)}{' (' + ', '.join(server[:4]) + ', ...)' if server else ''}")
    print(f"{args.runs} samples per variant, {args.size} terminal, {time.monotonic() - started:.0f}s in all")
    print(json.dumps({
        "startup_ratio": round(ratio, 3),
        "first_screen_s": round(hp, 3),
        "bare_textual_s": round(bare, 3),
        "first_screen_mount_s": round(med("hpcshare", "mount_s"), 3),
        "bare_textual_mount_s": round(med("bare", "mount_s"), 3),
        "widgets_first_screen": last["widgets"],
        "widgets_bare": samples["bare"][-1]["widgets"],
        "azure_modules_at_first_screen": len(azure),
        "standin_server_modules_at_first_screen": len(server),
        "runs": args.runs,
        "target_ratio": TARGET_RATIO,
        "meets_target": ratio <= TARGET_RATIO,
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
