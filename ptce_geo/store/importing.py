"""A registry file into the shared database: a preview first, then all or nothing.

The preview says, row by row, what the import would do: add, modify, leave
unchanged, or refuse (with the reader's French message). Poles of a file
without an ``id`` column are matched to the database by name and commune,
and new ones get a stable id (:func:`.records.stable_id`): importing the same
file twice adds nothing. Supports are added when the pole does not have an
identical one already; supports absent from the file are kept.
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable

import pandas as pd
import sqlalchemy as sa

from ..registry import ERREUR, Registry, RegistryError
from ..text import slug
from . import engine as engine_mod, records
from .accounts import User, require
from .schema import POLE_NUMBERS, SOUTIEN_NUMBERS, changements, meta, poles, soutiens
from .store import SYSTEM as SYSTEM_USER, ConflictError, Store, _now

STATUTS = {"ajout": "ajouté", "modification": "modifié", "inchange": "inchangé", "erreur": "refusé (erreur)"}


@dataclass
class ImportPlan:
    """What an import would write, computed against the database at one version."""

    lignes: pd.DataFrame                     # table, ligne, id, nom, statut, detail: one row per file row
    poles: list[tuple[str, dict, int | None]] = field(default_factory=list)  # (id, values, version or None)
    soutiens: list[dict] = field(default_factory=list)
    errors: list = field(default_factory=list)
    source: str = ""

    def counts(self) -> dict[str, int]:
        found = Counter(self.lignes["statut"])
        return {label: int(found.get(key, 0)) for key, label in STATUTS.items()}

    def table(self) -> pd.DataFrame:
        """The preview as shown: one row per file row, its outcome in French."""
        return self.lignes.assign(statut=self.lignes["statut"].map(STATUTS))

    def summary(self) -> str:
        c = self.counts()
        return (f"{self.source} : {c['ajouté']} ajout(s), {c['modifié']} modification(s), {c['inchangé']} ligne(s) "
                f"inchangée(s), {c['refusé (erreur)']} ligne(s) refusée(s)")


def _key(nom: str, commune: str) -> tuple[str, str]:
    return slug(nom), commune


def _support_key(values: dict) -> tuple:
    return tuple(records.text(values.get(c)) for c in records.SOUTIEN_FIELDS)


def plan_import(store: Store, registry: Registry) -> ImportPlan:
    """The preview of importing ``registry`` (validated and located)."""
    db_poles, db_supports = store.rows(include_deleted=False)
    by_id = {p["id"]: p for p in db_poles}
    by_name = {_key(p["nom"], p["commune_insee"]): p for p in db_poles}
    has_ids = "id" in registry.poles.attrs.get("entetes", {})
    messages: dict[tuple[str, int], list[str]] = {}
    for issue in registry.issues:
        if issue.niveau == ERREUR and issue.ligne is not None:
            messages.setdefault((issue.table, issue.ligne), []).append(issue.message)
    lines, plan_poles, ids = [], [], {}
    for row in registry.poles.to_dict("records"):
        line = int(row["_ligne"])
        ok = bool(row["_valide"]) and row["commune_insee"] != "" and not messages.get(("poles", line))
        if not ok:
            lines.append(("poles", line, row["id"], row["nom"], "erreur",
                          " ; ".join(messages.get(("poles", line), ["ligne invalide"]))))
            continue
        new = {c: records.stored(c, row[c], POLE_NUMBERS) for c in records.POLE_FIELDS}
        new["point_lat"], new["point_lon"] = float(row["point_lat"]), float(row["point_lon"])
        current = by_id.get(row["id"]) if has_ids else by_name.get(_key(new["nom"], new["commune_insee"]))
        final_id = row["id"] if has_ids else (current["id"] if current else records.stable_id(new["nom"],
                                                                                             new["commune_insee"]))
        ids[row["id"]] = final_id
        if current is None:
            status, detail = "ajout", ""
        else:
            changed = [c for c in new if records.text(current.get(c)) != records.text(new[c])]
            status, detail = ("modification", "colonnes : " + ", ".join(changed)) if changed else ("inchange", "")
        if status != "inchange":
            plan_poles.append((final_id, new, current["version"] if current else None))
        lines.append(("poles", line, final_id, new["nom"], status, detail))
    existing = Counter((s["pole_id"], *_support_key(s)[1:]) for s in db_supports)
    plan_supports = []
    for row in registry.soutiens.to_dict("records"):
        line = int(row["_ligne"])
        pole_id = ids.get(row["pole_id"])
        if not bool(row["_valide"]) or pole_id is None or messages.get(("soutiens", line)):
            reason = messages.get(("soutiens", line)) or ["pôle refusé ou inconnu"]
            lines.append(("soutiens", line, row["pole_id"], "", "erreur", " ; ".join(reason)))
            continue
        new = {c: records.stored(c, row[c], SOUTIEN_NUMBERS) for c in records.SOUTIEN_FIELDS}
        new["pole_id"] = pole_id
        key = (pole_id, *_support_key(new)[1:])
        if existing[key] > 0:
            existing[key] -= 1
            lines.append(("soutiens", line, pole_id, "", "inchange", ""))
        else:
            plan_supports.append(new)
            lines.append(("soutiens", line, pole_id, "", "ajout", ""))
    frame = pd.DataFrame(lines, columns=["table", "ligne", "id", "nom", "statut", "detail"])
    errors = [i for i in registry.issues if i.niveau == ERREUR]
    return ImportPlan(frame, plan_poles, plan_supports, errors, registry.source)


def preview_file(store: Store, data, name: str = "", soutiens=None, soutiens_name: str = "") -> ImportPlan:
    """Read, validate and locate a file (path or bytes), then plan its import."""
    from ..registry import load_registry
    from ..spatial import locate_registry
    registry = locate_registry(load_registry(data, soutiens, name, soutiens_name), store._territories(),
                               store.gazetteer)
    return plan_import(store, registry)


def apply_import(store: Store, user: User, plan: ImportPlan, only_valid: bool = False,
                 progress: Callable[[int, int], None] | None = None) -> str:
    """Write the plan in one transaction: everything or nothing. A plan with
    errors writes nothing unless ``only_valid``. Returns the history set (lot)."""
    require(user, "editeur", "Importer dans le registre")
    if plan.errors and not only_valid:
        raise RegistryError(plan.errors)
    lot, total = uuid.uuid4().hex, len(plan.poles) + len(plan.soutiens)
    new_poles = [(pole_id, values) for pole_id, values, version in plan.poles if version is None]
    changed = [(pole_id, values, version) for pole_id, values, version in plan.poles if version is not None]
    try:
        with engine_mod.writer(store.engine).begin() as db:
            now, done = _now(), 0
            # new rows in batches (one statement per batch), changed ones one by one under the version check
            for batch in _batches(new_poles):
                rows = [{"id": i, **v, "version": 1, "supprime": False, "modifie_le": now, "modifie_par": user.email}
                        for i, v in batch]
                db.execute(poles.insert(), rows)
                _log_created(db, user, poles, [(r["id"], r["id"], r) for r in rows], lot, now)
                done += len(batch)
                if progress:
                    progress(done, total)
            for pole_id, values, version in changed:
                store._write(db, poles, pole_id, values, version, user, pole_id, lot=lot)
                done += 1
                if progress:
                    progress(done, total)
            for batch in _batches(plan.soutiens):
                rows = [{**v, "version": 1, "supprime": False, "modifie_le": now, "modifie_par": user.email}
                        for v in batch]
                ids = db.execute(soutiens.insert().returning(soutiens.c.id, sort_by_parameter_order=True),
                                 rows).scalars().all()
                _log_created(db, user, soutiens, [(i, r["pole_id"], {**r, "id": i}) for i, r in zip(ids, rows)],
                             lot, now)
                done += len(batch)
                if progress:
                    progress(done, total)
    except ConflictError as exc:
        raise ConflictError(f"rien n'a été importé : {exc}. Le registre a changé depuis l'aperçu : "
                            "relancez l'aperçu puis l'import.") from None
    except sa.exc.IntegrityError:
        raise ConflictError("un autre import ou une autre modification a écrit les mêmes pôles pendant celui-ci : "
                            "rien n'a été importé. Relancez l'aperçu puis l'import.") from None
    except sa.exc.OperationalError as exc:
        if "locked" in str(exc).lower():
            raise ConflictError("le registre est occupé par un autre import : rien n'a été importé. "
                                "Réessayez dans un instant.") from None
        raise
    return lot


BATCH = 2000


def _batches(items: list) -> list[list]:
    return [items[i:i + BATCH] for i in range(0, len(items), BATCH)]


def _log_created(db, user: User, table, rows: list[tuple], lot: str, now) -> None:
    """History of created rows: (row id, pole id, values) each, in one statement."""
    db.execute(changements.insert(), [
        {"le": now, "par": user.email, "action": "creation", "table_nom": table.name, "ligne_id": str(key),
         "pole_id": pole_id, "avant": None, "lot": lot,
         "apres": {k: v for k, v in values.items() if k not in ("modifie_le", "modifie_par")}}
        for key, pole_id, values in rows])
    db.execute(meta.delete().where(meta.c.cle == "demo"))


def seed(store: Store, registry: Registry) -> bool:
    """Fill a new database with ``registry`` (the demo), once, even when several
    processes start together. Returns True if this call did it."""
    with engine_mod.exclusive(store.engine):
        with store.engine.connect() as db:
            if db.execute(sa.select(meta.c.valeur).where(meta.c.cle == "initialise")).first():
                return False
        apply_import(store, User(SYSTEM_USER, "administrateur"), plan_import(store, registry), only_valid=True)
        with engine_mod.writer(store.engine).begin() as db:
            db.execute(meta.insert().values(cle="initialise", valeur="1"))
            db.execute(meta.insert().values(cle="demo", valeur="1"))
    return True
