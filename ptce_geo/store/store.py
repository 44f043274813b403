"""Reads, writes, history and undo of the shared registry.

Every write takes the acting :class:`~.accounts.User`, checks the role,
validates with the file reader's rules (French messages naming the column
and the fix), runs in one transaction, and records the row before and after
in ``changements``. A save names the version it started from: if someone
saved in between, it is refused (:class:`ConflictError`) and nothing is
overwritten. Deletion is soft; undo restores the row as it was.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timezone

import pandas as pd
import sqlalchemy as sa

from ..registry import Registry
from ..spatial import locate_registry
from . import accounts, engine as engine_mod, records
from .accounts import User, require
from .schema import POLE_NUMBERS, SOUTIEN_NUMBERS, changements, meta, poles, soutiens

SYSTEM = "système"
#: The registry's source as pages and extracts name it (a file's is its name).
SOURCE = "registre partagé"


class ConflictError(RuntimeError):
    """Someone else changed the row since it was read; message in French."""


@dataclass(frozen=True)
class Saved:
    """What a write did: the row's id, its new version, the history entry."""

    id: str
    version: int
    change: int | None  # None when nothing changed


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _when(value) -> str:
    value = accounts._aware(value)
    return f"{value.astimezone():%d/%m/%Y à %H:%M}" if value else "?"


def snapshot(row) -> dict:
    """A row as kept in the history (JSON: text, numbers, version, supprime)."""
    data = dict(row._mapping) if hasattr(row, "_mapping") else dict(row)
    data.pop("modifie_le", None)
    data.pop("modifie_par", None)
    data.pop("geom", None)
    return {k: v for k, v in data.items()}


class Store:
    """The registry database, with the boundaries to locate what is written."""

    def __init__(self, url: str | None = None, territories=None, gazetteer=None):
        self.engine = engine_mod.create(url)
        self.territories = territories
        self.gazetteer = gazetteer

    # ------------------------------------------------------------------ reads

    def version(self) -> int:
        """A number that grows with every change: caches follow it, in every process."""
        with self.engine.connect() as db:
            return int(db.execute(sa.select(sa.func.coalesce(sa.func.max(changements.c.id), 0))).scalar())

    def is_demo(self) -> bool:
        with self.engine.connect() as db:
            return db.execute(sa.select(meta.c.valeur).where(meta.c.cle == "demo")).scalar() == "1"

    def rows(self, include_deleted: bool = False) -> tuple[list[dict], list[dict]]:
        with self.engine.connect() as db:
            p = sa.select(poles).order_by(poles.c.id)
            s = sa.select(soutiens).order_by(soutiens.c.id)
            if not include_deleted:
                p, s = p.where(poles.c.supprime.is_(False)), s.where(soutiens.c.supprime.is_(False))
            return [dict(r._mapping) for r in db.execute(p)], [dict(r._mapping) for r in db.execute(s)]

    def registry(self, locate: bool = True, trust: bool = True) -> Registry:
        """The registry as the dashboard shows it: the same tables as a valid file's, located.
        ``trust=False`` runs the file reader's validation again on every row."""
        if trust:
            with self.engine.connect() as db:
                pole_rows = pd.read_sql(sa.select(poles).where(poles.c.supprime.is_(False)).order_by(poles.c.id), db)
                support_rows = pd.read_sql(sa.select(soutiens).where(soutiens.c.supprime.is_(False))
                                           .order_by(soutiens.c.id), db)
            reg = records.trusted_registry(pole_rows, support_rows, SOURCE)
        else:
            reg = records.registry_from_rows(*self.rows(), SOURCE)
        if locate:
            reg = locate_registry(reg, self._territories(), self.gazetteer)
        return reg

    def pole(self, pole_id: str) -> dict | None:
        with self.engine.connect() as db:
            row = db.execute(sa.select(poles).where(poles.c.id == pole_id)).first()
        return dict(row._mapping) if row else None

    def history(self, pole_id: str | None = None, par: str | None = None, depuis: date | datetime | None = None,
                limit: int = 500) -> pd.DataFrame:
        """Changes, newest first, filtered by pole, user or date (a day counts from its start, UTC)."""
        if depuis is not None and not isinstance(depuis, datetime):
            depuis = datetime.combine(depuis, time.min, timezone.utc)
        query = sa.select(changements).order_by(changements.c.id.desc()).limit(limit)
        if pole_id:
            query = query.where(changements.c.pole_id == pole_id)
        if par:
            query = query.where(changements.c.par == par)
        if depuis is not None:
            query = query.where(changements.c.le >= depuis)
        with self.engine.connect() as db:
            rows = [dict(r._mapping) for r in db.execute(query)]
        columns = ["id", "le", "par", "action", "table_nom", "ligne_id", "pole_id", "avant", "apres", "lot"]
        return pd.DataFrame(rows, columns=columns)

    # ----------------------------------------------------------------- writes

    def save_pole(self, user: User, values: dict, version: int | None = None) -> Saved:
        """Create (``version`` None) or update a pole. ``values`` holds the registry's
        columns as typed; ``id`` is kept, or made from the name and commune."""
        require(user, "editeur", "Modifier le registre")
        pole_id = records.text(values.get("id")).strip()
        checked, issues = records.one_pole(values, pole_id or "nouveau")
        records.blocking(issues)
        located = locate_registry(Registry(checked, records.empty_soutiens(), []), self._territories(),
                                  self.gazetteer)
        records.blocking(located.issues)
        row = located.poles.iloc[0]
        new = {c: records.stored(c, row[c], POLE_NUMBERS) for c in records.POLE_FIELDS}
        new["point_lat"], new["point_lon"] = float(row["point_lat"]), float(row["point_lon"])
        pole_id = pole_id or records.stable_id(new["nom"], new["commune_insee"])
        with engine_mod.writer(self.engine).begin() as db:
            return self._write(db, poles, pole_id, new, version, user, pole_id)

    def delete_pole(self, user: User, pole_id: str, version: int) -> Saved:
        """Soft-delete a pole and its supports, in one change set (undone together)."""
        require(user, "editeur", "Modifier le registre")
        lot = uuid.uuid4().hex
        with engine_mod.writer(self.engine).begin() as db:
            saved = self._write(db, poles, pole_id, {"supprime": True}, version, user, pole_id, lot=lot)
            for support in db.execute(sa.select(soutiens).where(soutiens.c.pole_id == pole_id,
                                                                soutiens.c.supprime.is_(False))).all():
                self._write(db, soutiens, support.id, {"supprime": True}, support.version, user, pole_id, lot=lot)
        return saved

    def save_support(self, user: User, values: dict, support_id: int | None = None,
                     version: int | None = None) -> Saved:
        """Create (``support_id`` None) or update a support of an existing pole."""
        require(user, "editeur", "Modifier le registre")
        with self.engine.connect() as db:
            pole_ids = set(db.execute(sa.select(poles.c.id).where(poles.c.supprime.is_(False))).scalars())
        checked, issues = records.one_support(values, pole_ids)
        records.blocking(issues)
        row = checked.iloc[0]
        new = {c: records.stored(c, row[c], SOUTIEN_NUMBERS) for c in records.SOUTIEN_FIELDS}
        with engine_mod.writer(self.engine).begin() as db:
            if support_id is None:
                support_id = db.execute(soutiens.insert().values(
                    **new, version=1, supprime=False, modifie_le=_now(), modifie_par=user.email)).inserted_primary_key[0]
                change = self._log(db, user, "creation", soutiens, support_id, new["pole_id"], None,
                                   {**new, "id": support_id, "version": 1, "supprime": False})
                return Saved(str(support_id), 1, change)
            return self._write(db, soutiens, support_id, new, version, user, new["pole_id"])

    def delete_support(self, user: User, support_id: int, version: int) -> Saved:
        require(user, "editeur", "Modifier le registre")
        with engine_mod.writer(self.engine).begin() as db:
            current = db.execute(sa.select(soutiens.c.pole_id).where(soutiens.c.id == support_id)).first()
            if current is None:
                raise ConflictError(f"aucun soutien n° {support_id}")
            return self._write(db, soutiens, support_id, {"supprime": True}, version, user, current.pole_id)

    def undo(self, user: User, change_id: int) -> list[int]:
        """Undo a change (and the others of its set: an import, a deletion). Refused
        if a row has changed since; returns the new history entries."""
        require(user, "editeur", "Annuler une modification")
        with engine_mod.writer(self.engine).begin() as db:
            change = db.execute(sa.select(changements).where(changements.c.id == change_id)).first()
            if change is None:
                raise ConflictError(f"aucune modification n° {change_id} dans l'historique")
            group = [change] if not change.lot else db.execute(
                sa.select(changements).where(changements.c.lot == change.lot).order_by(changements.c.id.desc())).all()
            lot = uuid.uuid4().hex
            done = []
            for item in group:
                table = poles if item.table_nom == "poles" else soutiens
                key = item.ligne_id if table is poles else int(item.ligne_id)
                current = db.execute(sa.select(table).where(table.c.id == key)).first()
                if current is None or current.version != (item.apres or {}).get("version"):
                    who = f"{current.modifie_par}, le {_when(current.modifie_le)}" if current else "?"
                    raise ConflictError(f"impossible d'annuler la modification n° {item.id} : la ligne « {key} » a "
                                        f"été modifiée depuis ({who}). Annulez d'abord les modifications plus "
                                        "récentes, ou corrigez la ligne directement.")
                before = item.avant
                target = {"supprime": True} if before is None else {
                    k: v for k, v in before.items() if k not in ("id", "version")}
                saved = self._write(db, table, key, target, current.version, user, item.pole_id, lot=lot,
                                    action="annulation")
                done.append(saved.change)
            return done

    # -------------------------------------------------------------- internals

    def _territories(self):
        if self.territories is None:
            from ..territories import get_territories
            self.territories = get_territories()
        if self.gazetteer is None:
            from ..geocode import Gazetteer
            self.gazetteer = Gazetteer(self.territories)
        return self.territories

    def _write(self, db, table, key, new: dict, version: int | None, user: User, pole_id: str,
               lot: str | None = None, action: str | None = None) -> Saved:
        """Insert or update one row under the version check, and log it."""
        current = db.execute(sa.select(table).where(table.c.id == key)).first()
        if current is None:
            if version is not None:
                raise ConflictError(f"« {key} » n'existe plus : rechargez la page")
            values = {**{"supprime": False}, **new}
            db.execute(table.insert().values(id=key, **values, version=1, modifie_le=_now(),
                                             modifie_par=user.email))
            after = {**values, "id": key, "version": 1}
            return Saved(str(key), 1, self._log(db, user, action or "creation", table, key, pole_id, None, after, lot))
        if version is None:
            raise ConflictError(f"l'identifiant « {key} » est déjà utilisé"
                                + (" par un pôle supprimé (voir l'historique pour le restaurer)"
                                   if current.supprime else "") + " : choisissez-en un autre")
        if current.version != version:
            raise ConflictError(f"« {key} » a été modifié par {current.modifie_par} le {_when(current.modifie_le)}, "
                                "après que vous l'avez ouvert : votre modification n'est pas enregistrée. "
                                "Rechargez pour voir la nouvelle version, puis refaites votre modification.")
        before = snapshot(current)
        after = {**before, **new}
        if after == before:
            return Saved(str(key), current.version, None)
        after["version"] = current.version + 1
        updated = db.execute(table.update().where(table.c.id == key, table.c.version == version).values(
            **new, version=after["version"], modifie_le=_now(), modifie_par=user.email)).rowcount
        if updated != 1:  # a concurrent writer got there first (PostgreSQL read committed)
            raise ConflictError(f"« {key} » vient d'être modifié par quelqu'un d'autre : rechargez la page")
        kind = action or ("suppression" if new.get("supprime") and not before["supprime"] else "modification")
        return Saved(str(key), after["version"], self._log(db, user, kind, table, key, pole_id, before, after, lot))

    def _log(self, db, user: User, action: str, table, key, pole_id: str, before, after, lot=None) -> int:
        db.execute(meta.delete().where(meta.c.cle == "demo"))  # any change makes it the users' registry
        return db.execute(changements.insert().values(
            le=_now(), par=user.email, action=action, table_nom=table.name, ligne_id=str(key), pole_id=pole_id,
            avant=before, apres=after, lot=lot)).inserted_primary_key[0]
