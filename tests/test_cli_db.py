"""The shared registry from the command line, and from several processes at once."""

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time

import pytest
import sqlalchemy as sa

from ptce_geo import paths
from ptce_geo.store import Store, User, accounts
from ptce_geo.store.schema import utilisateurs


def _run(args, url, stdin=None, timeout=300):
    env = {**os.environ, "PTCE_DATABASE_URL": url}
    done = subprocess.run([sys.executable, "-m", "ptce_geo", *map(str, args)], input=stdin, env=env, cwd=paths.ROOT,
                          capture_output=True, text=True, timeout=timeout)
    assert "Traceback" not in done.stderr, done.stderr
    return done


def _init(url):
    done = _run(["db", "init"], url)
    assert done.returncode == 0 and "150 pôles" in done.stdout
    return url


@pytest.fixture(scope="module")
def url(tmp_path_factory):
    """A registry initialised from the command line, with an editor account."""
    url = _init(f"sqlite:///{tmp_path_factory.mktemp('db') / 'registre.sqlite3'}")
    accounts.add_user(Store(url).engine, None, "ed@cress.test", "editeur", "mot-de-passe-editeur", bootstrap=True)
    return url


def test_accounts_from_the_command_line(tmp_path):
    url = _init(f"sqlite:///{tmp_path / 'comptes.sqlite3'}")
    done = _run(["utilisateur", "ajouter", "Admin@Cress.test", "--role", "administrateur"], url,
                stdin="un-mot-de-passe-solide\n")
    assert done.returncode == 0, done.stderr
    engine = sa.create_engine(url)
    with engine.connect() as db:
        stored = db.execute(sa.select(utilisateurs.c.mot_de_passe)).scalar()
    assert stored.startswith("$argon2id$") and "un-mot-de-passe-solide" not in stored
    # the first administrator exists: a second account needs one
    done = _run(["utilisateur", "ajouter", "ed@cress.test", "--role", "editeur"], url, stdin="autre-mot-de-passe\n")
    assert done.returncode == 1 and "réservé au rôle administrateur" in done.stderr
    done = _run(["utilisateur", "ajouter", "ed@cress.test", "--role", "editeur", "--par", "admin@cress.test"], url,
                stdin="autre-mot-de-passe\n")
    assert done.returncode == 0
    # a password is never an argument
    done = _run(["utilisateur", "ajouter", "x@cress.test", "--role", "editeur", "--par", "admin@cress.test",
                 "--mot-de-passe", "secret123456"], url)
    assert done.returncode == 2
    listing = _run(["utilisateur", "lister"], url).stdout
    assert "admin@cress.test — administrateur" in listing and "ed@cress.test — éditeur" in listing


def test_export_then_import_changes_nothing(url, tmp_path):
    store = Store(url)
    pole = store.pole("DEMO-010")
    store.save_pole(User("ed@cress.test", "editeur"), {**pole, "nom": "=HYPERLINK(\"http://x\";\"clic\")",
                                                        "porteur": "-2+3"}, pole["version"])
    version = store.version()
    assert _run(["db", "export", "-o", tmp_path], url).returncode == 0
    exported = (tmp_path / "poles.csv").read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK" in exported  # neutralised for Excel
    done = _run(["db", "import", tmp_path / "poles.csv", "--soutiens", tmp_path / "soutiens.csv",
                 "--par", "ed@cress.test", "--oui"], url)
    assert done.returncode == 0 and "Rien à importer" in done.stdout, done.stdout + done.stderr
    assert store.version() == version and store.pole("DEMO-010")["nom"] == "=HYPERLINK(\"http://x\";\"clic\")"


def test_an_import_by_a_reader_or_with_errors_writes_nothing(url, tmp_path):
    path = tmp_path / "nouveaux.csv"
    path.write_text("id;nom;commune_insee\nC1;Pôle un;01001\nC2;Pôle deux;99999\n", encoding="utf-8")
    version = Store(url).version()
    done = _run(["db", "import", path, "--par", "inconnu@cress.test", "--oui", "--valides-seulement"], url)
    assert done.returncode == 1 and "réservé au rôle éditeur" in done.stderr
    done = _run(["db", "import", path, "--par", "ed@cress.test", "--oui"], url)
    assert done.returncode == 1 and "rien n'est importé" in done.stderr and "ligne 3 (C2)" in done.stdout
    assert Store(url).version() == version
    done = _run(["db", "import", path, "--par", "ed@cress.test", "--oui", "--valides-seulement"], url)
    assert done.returncode == 0 and Store(url).pole("C1") and Store(url).pole("C2") is None
    history = _run(["db", "historique", "--pole", "C1"], url).stdout
    assert "ed@cress.test — creation poles C1" in history


def test_a_backup_is_a_working_copy(url, tmp_path):
    target = tmp_path / "sauvegarde.sqlite3"
    assert _run(["db", "sauvegarde", "-o", target], url).returncode == 0
    with sqlite3.connect(target) as copy:
        assert copy.execute("SELECT count(*) FROM poles WHERE supprime = 0").fetchone()[0] >= 150
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


KILLED_IMPORT = textwrap.dedent("""
    import sys, time, pathlib
    from ptce_geo.registry import load_registry
    from ptce_geo.spatial import locate_registry
    from ptce_geo.store import Store, User, importing
    store = Store(sys.argv[1])
    registry = locate_registry(load_registry(sys.argv[2]), store._territories(), store.gazetteer)
    plan = importing.plan_import(store, registry)
    def progress(done, total):
        if done >= total // 2:  # rows written, transaction not committed
            pathlib.Path(sys.argv[3]).write_text("milieu")
            time.sleep(120)
    importing.apply_import(store, User("ed@cress.test", "editeur"), plan, progress=progress)
""")


def _many(path, prefix, n):
    path.write_text("id;nom;commune_insee\n" + "".join(f"{prefix}{i};Pôle {prefix}{i};01001\n" for i in range(n)),
                    encoding="utf-8")
    return path


def test_a_process_killed_mid_import_leaves_the_registry_as_before(url, tmp_path):
    store = Store(url)
    before = (store.version(), len(store.registry(locate=False).poles))
    flag = tmp_path / "milieu"
    proc = subprocess.Popen([sys.executable, "-c", KILLED_IMPORT, url, _many(tmp_path / "k.csv", "K", 200), flag],
                            cwd=paths.ROOT)
    deadline = time.time() + 120
    while not flag.exists() and time.time() < deadline and proc.poll() is None:
        time.sleep(0.2)
    assert flag.exists(), "l'import n'a pas atteint son milieu"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert (store.version(), len(store.registry(locate=False).poles)) == before
    assert store.pole("K0") is None
    # and the registry still takes writes
    assert _run(["db", "import", _many(tmp_path / "k2.csv", "L", 3), "--par", "ed@cress.test", "--oui"],
                url).returncode == 0


def test_two_imports_at_once_finish_or_are_refused_and_leave_a_consistent_registry(url, tmp_path):
    store = Store(url)
    start = len(store.registry(locate=False).poles)
    files = [_many(tmp_path / "a.csv", "A", 150), _many(tmp_path / "b.csv", "B", 150),
             _many(tmp_path / "a2.csv", "A", 150)]  # the same poles as the first
    env = {**os.environ, "PTCE_DATABASE_URL": url}
    procs = [subprocess.Popen([sys.executable, "-m", "ptce_geo", "db", "import", str(f), "--par", "ed@cress.test",
                               "--oui"], env=env, cwd=paths.ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for f in files]
    results = [(p.wait(timeout=300), p.stdout.read(), p.stderr.read()) for p in procs]
    for code, out, err in results:
        assert "Traceback" not in err
        assert code == 0 or (code == 1 and "rien n'a été importé" in err), (code, out, err)
    reg = store.registry(locate=False)
    ids = set(reg.poles["id"])
    added = {p for p in ids if p[0] in "AB" and p[1:].isdigit()}
    assert len(reg.poles) == start + len(added) and len(ids) == len(reg.poles)
    assert {f"B{i}" for i in range(150)} <= added or results[1][0] == 1
    assert {f"A{i}" for i in range(150)} <= added  # one of the two imports of A went through
