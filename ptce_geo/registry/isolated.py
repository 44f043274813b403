"""Reading a registry in a child process, under a time and a memory budget.

A web server is one process whose threads share one interpreter lock: while a
session's thread reads a large or hostile file, every other session waits. So
the dashboard reads uploads through :class:`ReadJob`: a ``python -m
ptce_geo.registry.isolated`` of its own, with an address-space limit and a CPU
limit, which its caller polls and can cancel (a session that ends). Input and
output go through a private temporary folder (pickles written by this module
only). When the budget is exceeded, the answer is a French
:class:`RegistryError` like any other refusal.

Starting Python and importing pandas takes about a second, so one child is
always kept waiting, imports done, for the next job (it exits with its parent:
its standard input closes). The job's ``PTCE_*`` settings are sent with it.

Usage::

    job = ReadJob(data, "poles.csv")
    while (raw := job.result(wait=0.2)) is None:
        ...                      # keep the page alive; job.cancel() to give up
    registry = raw.validate(renames)
"""

from __future__ import annotations

import atexit
import json
import os
import pickle
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from .. import paths
from .model import Issue, RegistryError

#: Wall-clock and CPU budget of one reading, in seconds.
READ_TIMEOUT_S = 60
#: Memory a reading may add to the child's own (interpreter, pandas), in MB.
READ_MEMORY_MB = 1024


def _issue(name: str, message: str, fix: str) -> Issue:
    return Issue.file(name, message, fix)


_spare: subprocess.Popen | None = None
_spare_lock = threading.Lock()


def _start_child() -> subprocess.Popen:
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(paths.ROOT), os.environ.get("PYTHONPATH", "")]))}
    return subprocess.Popen([sys.executable, "-m", "ptce_geo.registry.isolated"], cwd=paths.ROOT, env=env,
                            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _take_child() -> subprocess.Popen:
    """The waiting child (or a new one), and a new one started to wait for the next job."""
    global _spare
    with _spare_lock:
        child = _spare if _spare is not None and _spare.poll() is None else _start_child()
        _spare = _start_child()
    return child


@atexit.register
def _stop_spare() -> None:
    if _spare is not None and _spare.poll() is None:
        _spare.kill()
        _spare.wait()


class ReadJob:
    """One file (or pair of files) being read in a child process."""

    def __init__(self, poles: bytes, poles_name: str = "", soutiens: bytes | None = None, soutiens_name: str = "",
                 timeout: float = READ_TIMEOUT_S, memory_mb: int = READ_MEMORY_MB):
        self.name = poles_name or "registre"
        self.timeout = timeout
        self.memory_mb = memory_mb
        self._value = None
        self._error: RegistryError | None = None
        self.folder = Path(tempfile.mkdtemp(prefix="ptce-lecture-"))
        (self.folder / "entree.pkl").write_bytes(pickle.dumps((poles, poles_name, soutiens, soutiens_name)))
        order = {"dossier": str(self.folder), "delai": timeout, "memoire_mo": memory_mb,
                 "env": {k: v for k, v in os.environ.items() if k.startswith("PTCE_")}}
        self.proc = _take_child()
        self.started = time.monotonic()
        try:
            self.proc.stdin.write(json.dumps(order).encode() + b"\n")
            self.proc.stdin.close()
        except OSError:  # the child died while waiting: it is reported by result()
            pass

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def result(self, wait: float = 0.0):
        """The :class:`~ptce_geo.registry.RawRegistry` once read, None while reading.

        Raises :class:`RegistryError` for a refused file, or when the time or
        memory budget is exceeded (the child is then stopped)."""
        if self._error is not None:
            raise self._error
        if self._value is not None:
            return self._value
        try:
            self.proc.wait(timeout=max(wait, 0.0))
        except subprocess.TimeoutExpired:
            if self.elapsed <= self.timeout:
                return None
            self.cancel()
            self._error = RegistryError([_issue(
                self.name, f"la lecture du fichier a dépassé {self.timeout:g} s : elle est arrêtée",
                "découpez le registre, ou enregistrez-le en CSV UTF-8 depuis le tableur")])
            raise self._error
        try:
            kind, payload = pickle.loads((self.folder / "sortie.pkl").read_bytes())
        except (OSError, EOFError, pickle.UnpicklingError):
            kind, payload = "stopped", self.proc.returncode
        finally:
            self._cleanup()
        if kind == "ok":
            self._value = payload
            return payload
        if kind == "refused":
            self._error = RegistryError(payload)
        elif kind == "stopped" and payload in (-signal.SIGXCPU, -signal.SIGKILL, -signal.SIGALRM):
            self._error = RegistryError([_issue(
                self.name, f"la lecture du fichier a dépassé {self.timeout:g} s : elle est arrêtée",
                "découpez le registre, ou enregistrez-le en CSV UTF-8 depuis le tableur")])
        else:
            detail = payload if kind == "error" else f"code {payload}"
            self._error = RegistryError([_issue(
                self.name, f"erreur interne pendant la lecture du fichier ({detail})",
                "signalez-la avec le fichier en cause ; en attendant, essayez de l'enregistrer en CSV UTF-8")])
        raise self._error

    def cancel(self) -> None:
        """Stop the child (if still running) and remove its folder."""
        if self.proc.poll() is None:
            self.proc.kill()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
        self._cleanup()

    def _cleanup(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)

    def __del__(self):  # a job dropped with its session: stop it
        try:
            self.cancel()
        except Exception:  # noqa: BLE001 - interpreter shutting down
            pass


def read_isolated(poles: bytes, poles_name: str = "", soutiens: bytes | None = None, soutiens_name: str = "",
                  timeout: float = READ_TIMEOUT_S, memory_mb: int = READ_MEMORY_MB, poll=None):
    """Read in a child process and wait; ``poll(seconds)`` is called between checks
    (and may raise to give up, which stops the child)."""
    job = ReadJob(poles, poles_name, soutiens, soutiens_name, timeout, memory_mb)
    try:
        while True:
            raw = job.result(wait=0.2)
            if raw is not None:
                return raw
            if poll is not None:
                poll(job.elapsed)
    finally:
        job.cancel()


def _virtual_memory() -> int:
    """This process's address-space size in bytes (0 if unknown)."""
    try:
        for line in open("/proc/self/status"):
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _child() -> int:
    """Wait for one job on standard input (imports done), run it under its limits, write its answer."""
    from . import read_registry  # imported before the memory limit: the limit counts the file only
    line = sys.stdin.buffer.readline()
    if not line:
        return 0  # the parent is gone
    order = json.loads(line)
    folder, timeout, memory_mb = Path(order["dossier"]), float(order["delai"]), int(order["memoire_mo"])
    for key in [k for k in os.environ if k.startswith("PTCE_")]:
        del os.environ[key]
    os.environ.update(order["env"])
    used = resource.getrusage(resource.RUSAGE_SELF)
    cpu = int(used.ru_utime + used.ru_stime + timeout) + 1
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 2))
    signal.alarm(int(timeout) + 5)  # wall clock, should the parent be gone
    limit = _virtual_memory() + memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    poles, poles_name, soutiens, soutiens_name = pickle.loads((folder / "entree.pkl").read_bytes())
    try:
        result = ("ok", read_registry(poles, soutiens, poles_name, soutiens_name))
    except RegistryError as exc:
        result = ("refused", exc.issues)
    except MemoryError:
        result = ("refused", [_issue(poles_name, f"la lecture du fichier demande plus de {memory_mb} Mo de mémoire : "
                                                 "elle est arrêtée",
                                     "découpez le registre, supprimez les colonnes et feuilles inutiles, ou "
                                     "enregistrez-le en CSV UTF-8")])
    except RecursionError:
        result = ("refused", [_issue(poles_name, "le fichier est imbriqué trop profondément pour être lu",
                                     "enregistrez-le à nouveau depuis le tableur, en CSV UTF-8 ou XLSX")])
    except Exception as exc:  # noqa: BLE001 - reported to the parent, never a traceback on the page
        result = ("error", f"{type(exc).__name__} : {str(exc)[:200]}")
    del poles, soutiens
    (folder / "sortie.tmp").write_bytes(pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))
    (folder / "sortie.tmp").rename(folder / "sortie.pkl")
    return 0


if __name__ == "__main__":
    sys.exit(_child())
