"""The boundary cache under corruption and concurrent builds (real builds: ~20 s)."""

import shutil
import subprocess
import sys

import pytest

from ptce_geo import paths
from ptce_geo import territories as terr

LOAD = ("from ptce_geo.territories import load_territories; import sys; "
        "t = load_territories(lambda m: print(m, flush=True)); "
        "print('OK', len(t.communes), len(t.epci), flush=True)")


def test_corrupt_cache_is_rebuilt_once_by_two_processes_at_once(tmp_path, territories):
    source = terr.cache_dir()
    target = terr.cache_dir(tmp_path)
    shutil.copytree(source, target)
    victim = target / "communes.parquet"
    data = bytearray(victim.read_bytes())
    data[len(data) // 2: len(data) // 2 + 4096] = b"\x00" * 4096  # same size, garbage inside
    victim.write_bytes(bytes(data))
    assert terr.cache_status(tmp_path) == (True, "")  # the size alone does not tell

    env = {"PTCE_CACHE_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    procs = [subprocess.Popen([sys.executable, "-c", LOAD], cwd=paths.ROOT, env=env, text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT) for _ in range(2)]
    outputs = [p.communicate(timeout=300)[0] for p in procs]
    for out, proc in zip(outputs, procs):
        assert proc.returncode == 0, out
        assert "Traceback" not in out
        assert "OK 34875 1253" in out
        assert "corrompu" in out  # the user is told
    built = sum("Cache écrit" in out for out in outputs)
    assert built == 1, outputs  # the second process used the first one's rebuild
    assert terr.cache_status(tmp_path) == (True, "")
    assert len(terr.load_territories(root=tmp_path).communes) == 34875
    # nothing half-written is left beside the cache
    assert not [p for p in tmp_path.iterdir() if p.name.startswith((".tmp-", ".old-"))]


def test_the_build_lock_never_follows_a_planted_symlink(tmp_path):
    from ptce_geo.territories import _build_lock
    victim = tmp_path / "victime.txt"
    victim.write_text("contenu à protéger")
    (tmp_path / ".build.lock").symlink_to(victim)
    with pytest.raises(OSError):
        with _build_lock(tmp_path):
            pass
    assert victim.read_text() == "contenu à protéger"
