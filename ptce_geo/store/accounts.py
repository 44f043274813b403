"""Accounts and roles: who may write, checked by the core for every write.

Roles: ``lecteur`` (anyone, signed in or not), ``editeur`` (edits poles and
supports, undoes changes), ``administrateur`` (also manages accounts).
Local passwords are hashed with Argon2id (argon2-cffi); an account is locked
for a while after repeated failures. Accounts signed in through OpenID Connect
have no password: their role is looked up by e-mail.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import pandas as pd
import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from .engine import writer
from .schema import utilisateurs

ROLES = {"lecteur": "lecteur", "editeur": "éditeur", "administrateur": "administrateur"}
_RANK = {role: rank for rank, role in enumerate(ROLES)}
#: Failed sign-ins allowed before an account is locked, and for how long.
MAX_FAILURES = 5
LOCK_MINUTES = 15
MIN_PASSWORD = 12
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_HASHER = PasswordHasher()
#: Verified against when the account does not exist, so that timing tells nothing.
_DUMMY_HASH = _HASHER.hash("compte inexistant")


class AccessDenied(PermissionError):
    """A write or an account action without the role it needs; message in French."""


class AccountError(ValueError):
    """A bad e-mail, role or password; message in French."""


@dataclass(frozen=True)
class User:
    """Who acts. ``User.anonymous()`` is a visitor: a reader."""

    email: str
    role: str = "lecteur"

    @classmethod
    def anonymous(cls) -> "User":
        return cls("", "lecteur")

    def can(self, role: str) -> bool:
        return bool(self.email) and _RANK.get(self.role, -1) >= _RANK[role]


def require(user: User | None, role: str, action: str) -> User:
    """``user`` if it holds ``role``; :class:`AccessDenied` otherwise."""
    if user is None or not isinstance(user, User) or not user.can(role):
        who = "un visiteur non connecté" if user is None or not getattr(user, "email", "") else \
            f"{user.email} (rôle {ROLES.get(user.role, user.role)})"
        raise AccessDenied(f"{action} est réservé au rôle {ROLES[role]} ou plus ; {who} ne peut pas le faire. "
                           "Connectez-vous avec un compte autorisé ou demandez ce rôle à un administrateur.")
    return user


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _aware(value: datetime | None) -> datetime | None:
    # SQLite gives back naive datetimes: they were written in UTC
    return value.replace(tzinfo=timezone.utc) if value is not None and value.tzinfo is None else value


def normalise_email(email: str) -> str:
    email = (email or "").strip().lower()
    if not _EMAIL.match(email):
        raise AccountError(f"adresse électronique invalide : « {email} » (exemple : prenom.nom@cress-exemple.fr)")
    return email


def _check_role(role: str) -> str:
    if role not in ROLES:
        raise AccountError(f"rôle inconnu : « {role} » (attendu : {', '.join(ROLES)})")
    return role


def add_user(engine: sa.Engine, actor: User | None, email: str, role: str, password: str | None = None,
             *, bootstrap: bool = False) -> User:
    """Create or update an account. Needs an administrator, except ``bootstrap``
    (the command line on the server, when no administrator exists yet)."""
    email, role = normalise_email(email), _check_role(role)
    if password is not None and len(password) < MIN_PASSWORD:
        raise AccountError(f"mot de passe trop court : {MIN_PASSWORD} caractères au moins")
    with writer(engine).begin() as db:
        if not (bootstrap and not _has_admin(db)):
            require(actor, "administrateur", "Gérer les comptes")
        values = {"role": role, "echecs": 0, "bloque_jusqu": None, "supprime": False}
        if password is not None:
            values["mot_de_passe"] = _HASHER.hash(password)
        if db.execute(sa.select(utilisateurs.c.email).where(utilisateurs.c.email == email)).first():
            db.execute(utilisateurs.update().where(utilisateurs.c.email == email).values(**values))
        else:
            db.execute(utilisateurs.insert().values(email=email, cree_le=_now(),
                                                    mot_de_passe=values.pop("mot_de_passe", None), **values))
    return User(email, role)


def _has_admin(db) -> bool:
    return db.execute(sa.select(utilisateurs.c.email).where(
        utilisateurs.c.role == "administrateur", utilisateurs.c.supprime.is_(False))).first() is not None


def remove_user(engine: sa.Engine, actor: User, email: str) -> None:
    email = normalise_email(email)
    with writer(engine).begin() as db:
        require(actor, "administrateur", "Gérer les comptes")
        if email == actor.email:
            raise AccountError("un administrateur ne peut pas supprimer son propre compte")
        done = db.execute(utilisateurs.update().where(utilisateurs.c.email == email, utilisateurs.c.supprime.is_(False))
                          .values(supprime=True, mot_de_passe=None)).rowcount
        if not done:
            raise AccountError(f"aucun compte « {email} »")


def list_users(engine: sa.Engine) -> pd.DataFrame:
    with engine.connect() as db:
        rows = db.execute(sa.select(utilisateurs.c.email, utilisateurs.c.role, utilisateurs.c.cree_le,
                                    (utilisateurs.c.mot_de_passe.is_not(None)).label("mot_de_passe_local"))
                          .where(utilisateurs.c.supprime.is_(False)).order_by(utilisateurs.c.email)).all()
    return pd.DataFrame(rows, columns=["email", "role", "cree_le", "mot_de_passe_local"])


def role_of(engine: sa.Engine, email: str | None) -> User:
    """The account of an e-mail signed in elsewhere (OpenID Connect): a reader if unknown."""
    if not email:
        return User.anonymous()
    email = email.strip().lower()
    with engine.connect() as db:
        row = db.execute(sa.select(utilisateurs.c.role).where(
            utilisateurs.c.email == email, utilisateurs.c.supprime.is_(False))).first()
    return User(email, row.role if row else "lecteur")


def authenticate(engine: sa.Engine, email: str, password: str) -> User:
    """The account for a local sign-in; :class:`AccountError` with a French reason otherwise.

    The same message for an unknown e-mail and a wrong password; after
    :data:`MAX_FAILURES` failures the account is locked for :data:`LOCK_MINUTES`.
    """
    refused = AccountError("adresse ou mot de passe incorrect")
    try:
        email = normalise_email(email)
    except AccountError:
        raise refused from None
    with writer(engine).begin() as db:  # the failure count is committed before the refusal is raised
        row = db.execute(sa.select(utilisateurs).where(utilisateurs.c.email == email,
                                                        utilisateurs.c.supprime.is_(False))).first()
        if row is None or not row.mot_de_passe:
            _verify(_DUMMY_HASH, password)
            failure = refused
        elif (locked := _aware(row.bloque_jusqu)) and locked > _now():
            failure = AccountError(f"compte bloqué après {MAX_FAILURES} essais manqués : réessayez après "
                                   f"{locked.astimezone():%H:%M} ou demandez à un administrateur de le débloquer")
        elif not _verify(row.mot_de_passe, password):
            failures = row.echecs + 1
            until = _now() + timedelta(minutes=LOCK_MINUTES) if failures >= MAX_FAILURES else None
            db.execute(utilisateurs.update().where(utilisateurs.c.email == email)
                       .values(echecs=0 if until else failures, bloque_jusqu=until))
            failure = refused
        else:
            failure = None
            values = {"echecs": 0, "bloque_jusqu": None}
            if _HASHER.check_needs_rehash(row.mot_de_passe):
                values["mot_de_passe"] = _HASHER.hash(password)
            db.execute(utilisateurs.update().where(utilisateurs.c.email == email).values(**values))
    if failure is not None:
        raise failure
    return User(email, row.role)


def _verify(hashed: str, password: str) -> bool:
    try:
        return _HASHER.verify(hashed, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
