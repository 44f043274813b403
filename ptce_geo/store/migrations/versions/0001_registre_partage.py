"""The shared registry: poles, supports, history, accounts.

Revision ID: 0001
Revises:

Written out in full (not from ``schema.metadata``): a migration is frozen once
released, and later changes to the schema come as new revisions.
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

POLE_TEXT = ["nom", "commune_insee", "commune", "departement", "code_postal", "typologie", "secteurs", "stade",
             "perimetre", "porteur", "site_web", "date_maj", "source"]
SOUTIEN_TEXT = ["collectivite_niveau", "collectivite_code", "collectivite_nom", "forme", "leviers"]


def _tracking():
    return [sa.Column("version", sa.Integer, nullable=False),
            sa.Column("supprime", sa.Boolean, nullable=False),
            sa.Column("modifie_le", sa.DateTime(timezone=True), nullable=False),
            sa.Column("modifie_par", sa.String(320), nullable=False)]


def upgrade() -> None:
    op.create_table(
        "poles",
        sa.Column("id", sa.String(64), primary_key=True),
        *[sa.Column(c, sa.Text, nullable=False) for c in POLE_TEXT],
        sa.Column("latitude", sa.Float), sa.Column("longitude", sa.Float),
        sa.Column("annee_creation", sa.Integer), sa.Column("nb_membres", sa.Integer),
        sa.Column("emplois", sa.Float), sa.Column("point_lat", sa.Float), sa.Column("point_lon", sa.Float),
        *_tracking())
    op.create_table(
        "soutiens",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("pole_id", sa.String(64), sa.ForeignKey("poles.id"), nullable=False),
        *[sa.Column(c, sa.Text, nullable=False) for c in SOUTIEN_TEXT],
        sa.Column("annee", sa.Integer), sa.Column("montant_eur", sa.Float),
        *_tracking())
    op.create_index("ix_soutiens_pole_id", "soutiens", ["pole_id"])
    op.create_table(
        "changements",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("le", sa.DateTime(timezone=True), nullable=False),
        sa.Column("par", sa.String(320), nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("table_nom", sa.String(20), nullable=False),
        sa.Column("ligne_id", sa.String(64), nullable=False),
        sa.Column("pole_id", sa.String(64), nullable=False),
        sa.Column("avant", sa.JSON), sa.Column("apres", sa.JSON),
        sa.Column("lot", sa.String(40)))
    op.create_index("ix_changements_pole_id", "changements", ["pole_id"])
    op.create_index("ix_changements_le", "changements", ["le"])
    op.create_table(
        "utilisateurs",
        sa.Column("email", sa.String(320), primary_key=True),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("mot_de_passe", sa.Text),
        sa.Column("echecs", sa.Integer, nullable=False),
        sa.Column("bloque_jusqu", sa.DateTime(timezone=True)),
        sa.Column("cree_le", sa.DateTime(timezone=True), nullable=False),
        sa.Column("supprime", sa.Boolean, nullable=False))
    op.create_table(
        "meta",
        sa.Column("cle", sa.String(40), primary_key=True),
        sa.Column("valeur", sa.Text, nullable=False))
    bind = op.get_bind()
    if bind.dialect.name == "postgresql" and bind.execute(sa.text(
            "SELECT 1 FROM pg_available_extensions WHERE name = 'postgis'")).first():
        op.execute("CREATE EXTENSION IF NOT EXISTS postgis")
        op.execute("ALTER TABLE poles ADD COLUMN geom geometry(Point, 4326) GENERATED ALWAYS AS "
                   "(ST_SetSRID(ST_MakePoint(point_lon, point_lat), 4326)) STORED")
        op.execute("CREATE INDEX ix_poles_geom ON poles USING gist (geom)")


def downgrade() -> None:
    for table in ("meta", "utilisateurs", "changements", "soutiens", "poles"):
        op.drop_table(table)
