"""The tables of the shared registry (SQLAlchemy Core), the same on SQLite and PostgreSQL.

Poles and supports keep the registry's columns (see :mod:`ptce_geo.registry`)
with their cleaned values, plus the located point, a version number and who
changed them last. Deletion is soft (``supprime``). ``changements`` is the
history: one row per change with the row's values before and after, as JSON.
On PostgreSQL with PostGIS the migration adds ``poles.geom``, a point computed
from the located coordinates, for QGIS.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

#: Registry columns stored as numbers; every other registry column is text.
POLE_NUMBERS = {"latitude": sa.Float, "longitude": sa.Float, "annee_creation": sa.Integer,
                "nb_membres": sa.Integer, "emplois": sa.Float}
SOUTIEN_NUMBERS = {"annee": sa.Integer, "montant_eur": sa.Float}
POLE_TEXT = ["nom", "commune_insee", "commune", "departement", "code_postal", "typologie", "secteurs", "stade",
             "perimetre", "porteur", "site_web", "date_maj", "source"]
SOUTIEN_TEXT = ["collectivite_niveau", "collectivite_code", "collectivite_nom", "forme", "leviers"]


def _tracking() -> list[sa.Column]:
    return [sa.Column("version", sa.Integer, nullable=False, default=1),
            sa.Column("supprime", sa.Boolean, nullable=False, default=False),
            sa.Column("modifie_le", sa.DateTime(timezone=True), nullable=False),
            sa.Column("modifie_par", sa.String(320), nullable=False)]


poles = sa.Table(
    "poles", metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    *[sa.Column(c, sa.Text, nullable=False, default="") for c in POLE_TEXT],
    *[sa.Column(c, t) for c, t in POLE_NUMBERS.items()],
    sa.Column("point_lat", sa.Float), sa.Column("point_lon", sa.Float),
    *_tracking(),
)

soutiens = sa.Table(
    "soutiens", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("pole_id", sa.String(64), sa.ForeignKey("poles.id"), nullable=False),
    *[sa.Column(c, sa.Text, nullable=False, default="") for c in SOUTIEN_TEXT],
    *[sa.Column(c, t) for c, t in SOUTIEN_NUMBERS.items()],
    *_tracking(),
)

changements = sa.Table(
    "changements", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("le", sa.DateTime(timezone=True), nullable=False),
    sa.Column("par", sa.String(320), nullable=False),
    sa.Column("action", sa.String(20), nullable=False),   # creation, modification, suppression, annulation
    sa.Column("table_nom", sa.String(20), nullable=False),
    sa.Column("ligne_id", sa.String(64), nullable=False),
    sa.Column("pole_id", sa.String(64), nullable=False),
    sa.Column("avant", sa.JSON),
    sa.Column("apres", sa.JSON),
    sa.Column("lot", sa.String(40)),                        # one import, one undo…
)

utilisateurs = sa.Table(
    "utilisateurs", metadata,
    sa.Column("email", sa.String(320), primary_key=True),
    sa.Column("role", sa.String(20), nullable=False),
    sa.Column("mot_de_passe", sa.Text),                     # argon2 hash; none for OpenID Connect only
    sa.Column("echecs", sa.Integer, nullable=False, default=0),
    sa.Column("bloque_jusqu", sa.DateTime(timezone=True)),
    sa.Column("cree_le", sa.DateTime(timezone=True), nullable=False),
    sa.Column("supprime", sa.Boolean, nullable=False, default=False),
)

meta = sa.Table(
    "meta", metadata,
    sa.Column("cle", sa.String(40), primary_key=True),
    sa.Column("valeur", sa.Text, nullable=False),
)
