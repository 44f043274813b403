"""Time and peak memory to refuse each class of hostile file (``tests/data/hostile.py``).

Each file goes through ``python -m ptce_geo validate`` in a child process of
its own, under an address-space limit and a timeout. The peak resident memory
is the child's ``VmHWM`` (reported by the child as it exits, and polled while it
runs: ``ru_maxrss`` would include the parent's memory at fork time); the CPU
time is the child's (``os.wait4``). Also runnable alone, for example against
another checkout of the project::

    python -m benchmarks.hostile [--src DIR] [--limit-mb 3000] [--timeout 120] [NAME…]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.data import hostile  # noqa: E402

_CHILD = """
import atexit, resource, sys

def peak():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            sys.stdout.write("@@VmHWM " + line.split()[1] + "\\n")
            sys.stdout.flush()
atexit.register(peak)
limit = int(sys.argv[1]) * 1024 * 1024
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
sys.path.insert(0, sys.argv[2])
from ptce_geo.__main__ import main
sys.exit(main(["validate", sys.argv[3]]))
"""


def _hwm_kb(pid: int) -> int:
    try:
        for line in open(f"/proc/{pid}/status"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def measure(path: Path, src: Path = ROOT, limit_mb: int = 3000, timeout: float = 120,
            env: dict | None = None) -> dict:
    """Run ``validate`` on ``path`` in a child: wall and CPU time, peak RSS, exit code, message."""
    with tempfile.TemporaryFile() as out:
        t0 = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-c", _CHILD, str(limit_mb), str(src), str(path)],
                                cwd=src, stdout=out, stderr=subprocess.STDOUT,
                                env={**os.environ, **(env or {})})
        status, usage, timed_out, peak_kb = None, None, False, 0
        while status is None:
            peak_kb = max(peak_kb, _hwm_kb(proc.pid))
            pid, status_, usage_ = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                status, usage = status_, usage_
                break
            if time.perf_counter() - t0 > timeout:
                os.kill(proc.pid, signal.SIGKILL)
                _, status, usage = os.wait4(proc.pid, 0)
                timed_out = True
                break
            time.sleep(0.02)
        elapsed = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read().decode("utf-8", errors="replace")
    for line in text.splitlines():
        if line.startswith("@@VmHWM "):
            peak_kb = max(peak_kb, int(line.split()[1]))
    lines = [line for line in text.splitlines()
             if line.strip() and "contours" not in line and not line.startswith("@@")]
    return {"s": round(elapsed, 2), "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
            "peak_mb": round(peak_kb / 1024), "code": proc.returncode,
            "timeout": timed_out, "memory_error": "MemoryError" in text,
            "traceback": "Traceback" in text or "Erreur interne" in text,
            "message": (lines[1] if len(lines) > 1 and lines[0].startswith("Le fichier") else
                        (lines[-1] if lines else ""))[:160]}


def run(names: list[str] | None = None, src: Path = ROOT, limit_mb: int = 3000, timeout: float = 120,
        progress=lambda m: None) -> dict:
    """``{name: measure(...)}`` for every full-size hostile file (or those named)."""
    results = {}
    with tempfile.TemporaryDirectory(prefix="ptce-hostile-") as tmp:
        for name, (file_name, make) in hostile.FULL_SIZE.items():
            if names and name not in names:
                continue
            path = Path(tmp) / file_name
            path.write_bytes(make())
            progress(f"  {name} ({path.stat().st_size / 1e6:.2f} Mo)…")
            results[name] = {"bytes": path.stat().st_size, **measure(path, src, limit_mb, timeout)}
            path.unlink()
    return results


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.hostile")
    parser.add_argument("names", nargs="*", help=", ".join(hostile.FULL_SIZE))
    parser.add_argument("--src", default=str(ROOT), help="dossier du projet à mesurer (défaut : celui-ci)")
    parser.add_argument("--limit-mb", type=int, default=3000, help="limite d'espace d'adressage du processus")
    parser.add_argument("--timeout", type=float, default=120)
    args = parser.parse_args(argv)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    results = run(args.names, Path(args.src), args.limit_mb, args.timeout,
                  lambda m: print(m, file=sys.stderr, flush=True))
    print(json.dumps(results, indent=1, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
