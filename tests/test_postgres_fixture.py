"""The test command's own PostgreSQL: a real server with PostGIS, reached over loopback."""

from pathlib import Path

import sqlalchemy as sa


def test_the_postgres_fixture_gives_a_working_postgis(postgres_url):
    assert postgres_url.startswith("postgresql+psycopg://") and "@127.0.0.1:" in postgres_url
    engine = sa.create_engine(postgres_url)
    try:
        with engine.begin() as conn:
            assert conn.execute(sa.text("SELECT ST_AsText(ST_MakePoint(2.35, 48.85))")).scalar() == "POINT(2.35 48.85)"
            # a geometry column in a table, with a spatial index and a query through it
            conn.execute(sa.text("CREATE TABLE lieux (nom text, geom geometry(Point, 4326))"))
            conn.execute(sa.text("CREATE INDEX ON lieux USING gist (geom)"))
            conn.execute(sa.text("INSERT INTO lieux VALUES ('Paris', ST_SetSRID(ST_MakePoint(2.35, 48.85), 4326)),"
                                 " ('Lyon', ST_SetSRID(ST_MakePoint(4.83, 45.76), 4326))"))
            near = conn.execute(sa.text(
                "SELECT nom FROM lieux WHERE ST_DWithin(geom::geography,"
                " ST_SetSRID(ST_MakePoint(2.3, 48.9), 4326)::geography, 20000)")).scalars().all()
            assert near == ["Paris"]
            assert conn.execute(sa.text("SHOW server_encoding")).scalar() == "UTF8"
            conn.execute(sa.text("DROP TABLE lieux"))
    finally:
        engine.dispose()


def test_the_server_listens_on_loopback_only_and_not_as_root(postgres_url):
    engine = sa.create_engine(postgres_url)
    try:
        with engine.connect() as conn:
            assert conn.execute(sa.text("SHOW listen_addresses")).scalar() == "127.0.0.1"
            backend = conn.execute(sa.text("SELECT pg_backend_pid()")).scalar()
        assert Path(f"/proc/{backend}").stat().st_uid != 0  # the server never runs as root
    finally:
        engine.dispose()
